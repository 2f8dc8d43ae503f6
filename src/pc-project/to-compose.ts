/**
 * One process-compose process → one ComposeDoc process the built-in engine
 * runs: argv (AssignProcessExecutableAndArgs), absolute paths, the environment
 * layered as app/environment.go buildProcessEnvironment does, probe defaults
 * (health/probe.go ValidateAndSetDefaults).
 */
import path from 'node:path';
import type { ComposeProbe, ComposeProcess } from '../compose/schema.js';
import type { Proc } from './build.js';
import type { Findings } from './issues.js';
import { toLogConfiguration } from './log-config.js';
import { readDotenv } from './read.js';
import type { PcProbe } from './schema.js';

export interface Shell {
  readonly command: string;
  readonly argument: string;
}

export interface MapContext {
  readonly file: string;
  readonly cwd: string;
  readonly shell: Shell;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly dotEnv: Readonly<Record<string, string>>;
  readonly projectEnv: readonly string[];
  readonly findings: Findings;
}

export interface Mapped {
  readonly proc: ComposeProcess;
  readonly secrets: Record<string, string>;
}

type Source = 'pc' | 'dotenv' | 'os' | 'project' | 'env_file' | 'process';

export function toComposeProcess(p: Proc, ctx: MapContext): Mapped | undefined {
  const c = p.cfg;
  const where = (key: string) => `processes.${p.base}.${key}`;
  const workingDir = path.resolve(ctx.cwd, c.working_dir ?? '');
  let entrypoint: string[];
  if (c.command || !c.entrypoint?.length) {
    if (c.entrypoint?.length) ctx.findings.warn(ctx.file, where('entrypoint'), `'command' and 'entrypoint' are set: using command (process: ${p.name}), as process-compose does`);
    entrypoint = c.command ? [ctx.shell.command, ctx.shell.argument, c.command] : [ctx.shell.command];
  } else entrypoint = c.entrypoint;

  const { environment, secrets } = layerEnv(p, workingDir, ctx);
  const signal = c.shutdown?.signal ?? 15;
  if (signal < 1 || signal > 31) {
    ctx.findings.error(ctx.file, where('shutdown.signal'), `signal ${signal} is not a signal number from 1 to 31`);
    return undefined;
  }
  const timeout = c.shutdown?.timeout_seconds ?? 0;
  const parentOnly = c.shutdown?.parent_only ?? false;
  const stopCommand = c.shutdown?.command || undefined;
  if (c.is_daemon && !stopCommand)
    ctx.findings.warn(
      ctx.file,
      where('is_daemon'),
      `a daemon without 'shutdown.command' cannot be stopped on its own (its launcher is gone): only 'core down' ends it (process: ${p.name})`,
    );
  const probe = (key: 'readiness_probe' | 'liveness_probe') => {
    const raw = c[key];
    return raw ? toProbe(raw, workingDir, ctx, where(key)) : undefined;
  };
  const readiness = probe('readiness_probe');
  const liveness = probe('liveness_probe');
  if (readiness === null || liveness === null) return undefined;
  const a = c.availability;
  const logLocation = c.log_location ? path.resolve(ctx.cwd, logPath(c.log_location, p)) : undefined;
  const proc: ComposeProcess = dropUndefined({
    description: c.description || undefined,
    entrypoint,
    working_dir: workingDir,
    environment,
    depends_on:
      c.depends_on && Object.keys(c.depends_on).length > 0
        ? Object.fromEntries(Object.entries(c.depends_on).map(([dep, conf]) => [dep, { condition: conf.condition ?? 'process_completed' }]))
        : undefined,
    readiness_probe: readiness,
    liveness_probe: liveness,
    ready_log_line: c.ready_log_line || undefined,
    availability: a
      ? dropUndefined({
          restart: a.restart ?? 'no',
          backoff_seconds: a.backoff_seconds && a.backoff_seconds > 0 ? a.backoff_seconds : undefined,
          max_restarts: a.max_restarts && a.max_restarts > 0 ? a.max_restarts : undefined,
          exit_on_end: a.exit_on_end || undefined,
          exit_on_skipped: a.exit_on_skipped || undefined,
        })
      : undefined,
    // Without timeout_seconds process-compose never escalates to SIGKILL; the engine does after its default
    // (10 s, also the bound of a shutdown command, as in process-compose).
    shutdown:
      signal !== 15 || timeout > 0 || parentOnly || stopCommand
        ? dropUndefined({ signal, timeout_seconds: timeout > 0 ? timeout : 10, parent_only: parentOnly || undefined, command: stopCommand })
        : undefined,
    is_daemon: c.is_daemon || undefined,
    disabled: p.disabled || undefined,
    success_exit_codes: c.success_exit_codes?.length ? c.success_exit_codes : undefined,
    launch_timeout_seconds: c.launch_timeout_seconds && c.launch_timeout_seconds > 0 ? c.launch_timeout_seconds : undefined,
    log_location: logLocation,
    log_configuration: toLogConfiguration(c.log_configuration, where('log_configuration'), ctx.file, ctx.findings),
    'x-core': dropUndefined({
      service: p.name,
      // What process-compose writes as `replica` in log lines (PC_REPLICA_NUM).
      replica: p.replicaNum > 0 ? p.replicaNum : undefined,
      secret_env: Object.keys(secrets).length > 0 ? Object.keys(secrets).sort() : undefined,
      // process-compose runs exec probes through the project's shell too (health/exec_checker.go: the process's shellConfig).
      probe_shell: readiness?.exec || liveness?.exec ? ([ctx.shell.command, ctx.shell.argument] as [string, string]) : undefined,
    }),
  });
  return { proc, secrets };
}

/** getLogPath: `{PC_REPLICA_NUM}` replaced, else `.N` appended for a replicated process; absolute against cwd. */
function logPath(location: string, p: Proc): string {
  if (location.includes('{PC_REPLICA_NUM}')) return location.replaceAll('{PC_REPLICA_NUM}', String(p.replicaNum));
  return p.replicas > 1 ? `${location}.${p.replicaNum}` : location;
}

/**
 * Lowest to highest: PC_PROC_NAME/PC_REPLICA_NUM, .env (unless is_dotenv_disabled), the OS
 * environment, the project `environment`, the process `env_file`, the process `environment`.
 * Each key keeps its winning value only: the OS's own values are left to the engine's base
 * environment, values from files go to `secrets`, the rest into the list.
 */
function layerEnv(p: Proc, workingDir: string, ctx: MapContext): { environment: string[]; secrets: Record<string, string> } {
  const final = new Map<string, { value: string; source: Source }>();
  const put = (source: Source, key: string, value: string) => final.set(key, { value, source });
  const putList = (source: Source, list: readonly string[]) => {
    for (const entry of list) {
      const eq = entry.indexOf('=');
      if (eq > 0) put(source, entry.slice(0, eq), entry.slice(eq + 1));
    }
  };
  put('pc', 'PC_PROC_NAME', p.base);
  put('pc', 'PC_REPLICA_NUM', String(p.replicaNum));
  if (!p.cfg.is_dotenv_disabled) for (const [k, v] of Object.entries(ctx.dotEnv)) put('dotenv', k, v);
  for (const [k, v] of Object.entries(ctx.env)) if (v !== undefined) put('os', k, v);
  putList('project', ctx.projectEnv);
  if (p.cfg.env_file) {
    // Relative to the process's working_dir, as buildProcessEnvironment reads it; a missing file was reported by validate.
    try {
      for (const [k, v] of Object.entries(readDotenv(path.resolve(workingDir, p.cfg.env_file), ctx.env))) put('env_file', k, v);
    } catch {
      // process-compose logs the error and starts the process without the file's variables.
    }
  }
  putList('process', p.cfg.environment ?? []);
  const environment: string[] = [];
  const secrets: Record<string, string> = {};
  for (const [key, { value, source }] of final) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      if (source === 'project' || source === 'process')
        ctx.findings.warn(ctx.file, source === 'project' ? 'environment' : `processes.${p.base}.environment`, `'${key}' is not a variable name: left out`);
      continue;
    }
    if (source === 'os') continue;
    if (source === 'dotenv' || source === 'env_file') secrets[key] = value;
    else environment.push(`${key}=${value}`);
  }
  return { environment, secrets };
}

/** ValidateAndSetDefaults; null: a value the engine cannot run (reported). undefined: no probe runs. */
function toProbe(raw: PcProbe, workingDir: string, ctx: MapContext, where: string): ComposeProbe | undefined | null {
  const timing = {
    initial_delay_seconds: Math.max(raw.initial_delay_seconds ?? 0, 0),
    period_seconds: (raw.period_seconds ?? 0) < 1 ? 10 : (raw.period_seconds as number),
    timeout_seconds: (raw.timeout_seconds ?? 0) < 1 ? 1 : (raw.timeout_seconds as number),
    success_threshold: (raw.success_threshold ?? 0) < 1 ? 1 : (raw.success_threshold as number),
    failure_threshold: (raw.failure_threshold ?? 0) < 1 ? 3 : (raw.failure_threshold as number),
  };
  if (raw.exec) {
    if (!raw.exec.command) {
      ctx.findings.warn(ctx.file, `${where}.exec.command`, 'an exec probe without a command: no probe runs');
      return undefined;
    }
    return { exec: { command: raw.exec.command, working_dir: path.resolve(ctx.cwd, raw.exec.working_dir ?? workingDir) }, ...timing };
  }
  if (raw.http_get) {
    const h = raw.http_get;
    const scheme = h.scheme?.trim() || 'http';
    if (scheme !== 'http' && scheme !== 'https') {
      ctx.findings.error(ctx.file, `${where}.http_get.scheme`, `scheme '${scheme}' is not http or https`);
      return null;
    }
    const num = Number(h.port ?? '');
    // A port outside 1..65535 means "no port" in process-compose: the scheme's own.
    const port = Number.isInteger(num) && num >= 1 && num <= 65535 ? String(num) : scheme === 'https' ? '443' : '80';
    const status = h.status_code ?? 0;
    return {
      http_get: dropUndefined({
        host: h.host?.trim() || '127.0.0.1',
        scheme: scheme as 'http' | 'https',
        path: h.path?.trim() || '/',
        port,
        headers: h.headers,
        status_code: status < 1 || status >= 400 ? 200 : status,
      }),
      ...timing,
    };
  }
  ctx.findings.warn(ctx.file, where, 'a probe with neither exec nor http_get: process-compose runs no probe, nor does core');
  return undefined;
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
