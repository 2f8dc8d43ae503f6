/**
 * StackPlan → process-compose document (+ service config files). Pure and
 * deterministic: identical plans give identical bytes.
 */
import path from 'node:path';
import type { PlannedProbe, PlannedService, StackPlan } from '../plan/types.js';
import { rendererFor } from '../services/index.js';
import type { GeneratedFile, ReloadSpec, Rendered } from '../services/types.js';
import { sha256Hex } from '../support/sha256.js';
import { shellQuote } from './escape.js';
import type { ComposeDoc, ComposeProbe, ComposeProcess } from './schema.js';

export const COMPOSE_FILE = 'process-compose.yaml';
// The built-in engine escalates to SIGKILL after this; process-compose never
// does without an explicit timeout_seconds, so we always write one.
export const DEFAULT_SHUTDOWN_TIMEOUT_SECONDS = 10;

export interface GeneratedStack {
  readonly doc: ComposeDoc;
  /** The services' config files (the compose file itself comes from ./yaml.ts). */
  readonly files: readonly GeneratedFile[];
  /**
   * Secret values of processes no plan holds (a process-compose file's env files, `core up -f`),
   * by process: their keys are in `x-core.secret_env`, their values never in `doc`.
   */
  readonly secrets?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export function generateStack(plan: StackPlan): GeneratedStack {
  const processes: Record<string, ComposeProcess> = {};
  const files: GeneratedFile[] = [];
  for (const service of plan.services) {
    const rendered = rendererFor(service)?.(service, plan);
    const own = rendered?.files ?? [];
    files.push(...own);
    processes[service.name] = composeProcess(service, plan, own, rendered?.reload, rendered?.alerts);
  }
  const doc: ComposeDoc = { version: '0.5', name: path.basename(plan.root), is_strict: true, ordered_shutdown: true, processes };
  return { doc, files };
}

export function logFile(plan: StackPlan, process: string): string {
  return path.join(plan.stackDir, 'logs', `${process}.log`);
}

/**
 * One fingerprint of a process's config files (paths and contents), so a running stack sees a
 * change; parts taken by reload are left out (`stable`), they have their own (`x-core.reload`).
 */
export function configFingerprint(files: readonly GeneratedFile[]): string | undefined {
  if (files.length === 0) return undefined;
  // A few KiB of generated text: the plain-JS hash spares `validate` and `up` loading node:crypto.
  return sha256Hex(
    [...files]
      .sort((a, b) => (a.path < b.path ? -1 : 1))
      .map((file) => {
        const content = file.stable ?? file.content;
        return `${file.path}\0${content.length}\0${content}`;
      })
      .join(''),
  );
}

function composeProcess(service: PlannedService, plan: StackPlan, files: readonly GeneratedFile[], reload?: ReloadSpec, alerts?: Rendered['alerts']): ComposeProcess {
  const config = configFingerprint(files);
  const { compose } = service;
  const tcp = service.readiness?.check.kind === 'tcp' ? service.readiness.check : undefined;
  const process: ComposeProcess = {
    description: service.description || undefined,
    entrypoint: [service.command, ...service.args],
    working_dir: service.workingDir,
    environment: Object.keys(service.env)
      .filter((key) => !service.secretEnv.includes(key))
      .sort()
      .map((key) => `${key}=${service.env[key]}`),
    depends_on: Object.keys(service.dependsOn).length ? Object.fromEntries(Object.entries(service.dependsOn).map(([dep, condition]) => [dep, { condition }])) : undefined,
    readiness_probe: service.readiness && composeProbe(service.readiness),
    liveness_probe: service.liveness && composeProbe(service.liveness),
    ready_log_line: compose.ready_log_line,
    availability: compose.availability ? { restart: 'no', ...compose.availability } : undefined,
    shutdown: {
      signal: compose.shutdown?.signal ?? 15,
      timeout_seconds: compose.shutdown?.timeout_seconds ?? DEFAULT_SHUTDOWN_TIMEOUT_SECONDS,
      ...(compose.shutdown?.parent_only !== undefined ? { parent_only: compose.shutdown.parent_only } : {}),
    },
    disabled: compose.disabled,
    success_exit_codes: compose.success_exit_codes,
    launch_timeout_seconds: compose.launch_timeout_seconds,
    log_location: logFile(plan, service.name),
    log_configuration: { flush_each_line: true },
    'x-core': {
      service: service.service,
      // Core's manifests keep core's restart delays; a process-compose file gets process-compose's.
      restart_backoff: 'doubling',
      liveness_failure: 'restart',
      ...(tcp ? { readiness_tcp: { host: tcp.host, port: tcp.port } } : {}),
      ...(service.secretEnv.length ? { secret_env: [...service.secretEnv] } : {}),
      ...(config ? { config_sha256: config } : {}),
      ...(reload
        ? {
            reload: {
              signal: reload.signal,
              sha256: reload.sha256,
              ...(reload.verify ? { verify: { test_argv: [...reload.verify.test_argv], varz_url: reload.verify.varz_url } } : {}),
            },
          }
        : {}),
      ...(alerts?.length ? { alerts: alerts.map((a) => ({ ...a })) } : {}),
      ...(service.watch ? { watch: { paths: [...service.watch.paths], ignore: [...service.watch.ignore], debounce_ms: service.watch.debounceMs } } : {}),
    },
  };
  return dropUndefined(process);
}

function composeProbe(probe: PlannedProbe): ComposeProbe {
  const timing = {
    initial_delay_seconds: probe.initialDelaySeconds,
    period_seconds: probe.periodSeconds,
    timeout_seconds: probe.timeoutSeconds,
    success_threshold: probe.successThreshold,
    failure_threshold: probe.failureThreshold,
  };
  const { check } = probe;
  switch (check.kind) {
    case 'http':
      return {
        http_get: {
          host: check.host,
          scheme: check.scheme,
          path: check.path,
          port: String(check.port),
          ...(check.headers ? { headers: { ...check.headers } } : {}),
          ...(check.status !== 200 ? { status_code: check.status } : {}),
        },
        ...timing,
      };
    case 'exec':
      return { exec: { command: check.argv.map(shellQuote).join(' '), ...(check.workingDir ? { working_dir: check.workingDir } : {}) }, ...timing };
    case 'tcp':
      // process-compose has no TCP probe: bash's /dev/tcp connects without any
      // other tool. The built-in engine connects natively (x-core.readiness_tcp).
      return { exec: { command: `exec 3<>/dev/tcp/${check.host}/${check.port}` }, ...timing };
  }
}

export function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
