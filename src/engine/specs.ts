/**
 * From a ComposeDoc process to what the spawner and the prober take. Pure.
 */
import type { ComposeProbe, ComposeProcess } from '../compose/schema.js';
import type { ProbeSpec, SpawnSpec } from './interfaces.js';
import type { ProbeKind } from './policy.js';

/**
 * The variable process-compose names every process by (buildProcessEnvironment):
 * the name in the file, without a replica's suffix. Only a default: whatever
 * the environment says wins, as in process-compose.
 */
export const PROCESS_NAME_VAR = 'PC_PROC_NAME';

/**
 * Core's own mark of which process a child belongs to (control/marks.ts): the
 * full name (a replica's with its suffix), forced like the stack's marks, so a
 * document cannot rename or hide a process from the strays sweep.
 */
export const PROCESS_MARK = 'CORE_STACK_PROCESS';

/** The stack's marks in the base environment (control/marks.ts): no process may override them and hide. */
const MARK = /^CORE_STACK_/;

/**
 * The child's environment, lowest first: `PC_PROC_NAME=<name>` (process-compose
 * puts it below even the OS environment), the caller's base environment, this
 * process's secrets (`x-core.secret_env` keys, taken from `secrets`: they are
 * kept out of the generated file), its `environment` list; then, over all of
 * them, the base's `CORE_STACK_*` marks and the process mark. The engine never
 * reads `process.env` itself.
 */
export function childEnv(proc: ComposeProcess, baseEnv: Readonly<Record<string, string>>, secrets: Readonly<Record<string, string>> = {}, name?: string): Record<string, string> {
  const env: Record<string, string> = { ...(name !== undefined ? { [PROCESS_NAME_VAR]: name } : {}), ...baseEnv };
  for (const key of proc['x-core']?.secret_env ?? []) {
    const value = secrets[key];
    if (value !== undefined) env[key] = value;
  }
  for (const entry of proc.environment) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  for (const [key, value] of Object.entries(baseEnv)) if (MARK.test(key)) env[key] = value;
  if (name !== undefined) env[PROCESS_MARK] = name;
  return env;
}

export function spawnSpecOf(proc: ComposeProcess, env: Readonly<Record<string, string>>): SpawnSpec {
  const [command = '', ...args] = proc.entrypoint;
  return { command, args, cwd: proc.working_dir, env, ...(proc.is_daemon ? { keepGroup: true } : {}) };
}

/** The document's `shell`: how `shutdown.command` runs, as process-compose runs it (`bash -c` by default). */
export interface Shell {
  readonly command: string;
  readonly argument: string;
}

export const DEFAULT_SHELL: Shell = { command: 'bash', argument: '-c' };

/**
 * `shutdown.command` through the project's shell, with the process's own
 * environment and folder (process-compose's doConfiguredStop); undefined without one.
 */
export function shutdownSpecOf(proc: ComposeProcess, env: Readonly<Record<string, string>>, shell: Shell): SpawnSpec | undefined {
  const command = proc.shutdown?.command;
  if (command === undefined) return undefined;
  return { command: shell.command, args: [shell.argument, command], cwd: proc.working_dir, env };
}

/** process-compose's default shell without `$COMPOSE_SHELL`; core's own manifests write exec probes for it. */
export const DEFAULT_PROBE_SHELL: readonly [string, string] = ['bash', '-c'];

function fromProbe(probe: ComposeProbe, proc: ComposeProcess, env: Readonly<Record<string, string>>): ProbeSpec | undefined {
  const timeoutMs = probe.timeout_seconds * 1000;
  if (probe.http_get) {
    const { host, scheme, path, port, headers, status_code } = probe.http_get;
    const num = Number(port);
    return {
      kind: 'http',
      scheme,
      host,
      // process-compose: a port outside 1..65535 means "no port" (src/health/probe.go).
      port: Number.isInteger(num) && num >= 1 && num <= 65535 ? num : undefined,
      path: path || '/',
      headers: headers ?? {},
      // process-compose resets an expected status of 400 or more to 200.
      statusCode: status_code !== undefined && status_code < 400 ? status_code : 200,
      timeoutMs,
    };
  }
  if (probe.exec) {
    // With the process's own environment and folder, as process-compose's exec checker.
    const shell = proc['x-core']?.probe_shell ?? DEFAULT_PROBE_SHELL;
    return { kind: 'exec', command: probe.exec.command, shell, cwd: probe.exec.working_dir ?? proc.working_dir, env, timeoutMs };
  }
  return undefined;
}

/**
 * The check to run for a probe. `x-core.readiness_tcp` replaces the readiness
 * probe's exec form (which exists only for process-compose) with a native connect.
 */
export function probeSpecOf(proc: ComposeProcess, kind: ProbeKind, env: Readonly<Record<string, string>>): ProbeSpec | undefined {
  if (kind === 'readiness') {
    const tcp = proc['x-core']?.readiness_tcp;
    if (tcp) return { kind: 'tcp', host: tcp.host, port: tcp.port, timeoutMs: (proc.readiness_probe?.timeout_seconds ?? 1) * 1000 };
    return proc.readiness_probe && fromProbe(proc.readiness_probe, proc, env);
  }
  return proc.liveness_probe && fromProbe(proc.liveness_probe, proc, env);
}
