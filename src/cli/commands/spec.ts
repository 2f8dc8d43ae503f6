/** `core <svc> spec` and `core <svc> command`: the resolved service, secrets redacted. */
import type { CliContext } from '../context.js';
import { InputError } from '../../support/errors.js';
import { shellQuote } from '../../compose/escape.js';
import { SECRET_KEY } from '../../plan/secrets.js';
import type { PlannedProbe, PlannedService } from '../../plan/types.js';
import { hostPort } from '../../services/types.js';
import { loadStack } from '../load-stack.js';
import { print, printJson } from '../output.js';

export const REDACTED = '<redacted>';

async function loadService(ctx: CliContext, name: string): Promise<PlannedService> {
  const { plan } = await loadStack(ctx);
  const service = plan.services.find((s) => s.name === name);
  if (!service) throw new InputError('unknown-service', `unknown service "${name}"`);
  return service;
}

/** Secrets never reach the command line (resolve.ts refuses them), so argv needs no redaction. */
export function argv(service: PlannedService): string[] {
  return [service.command, ...service.args];
}

export function serviceSpec(service: PlannedService): object {
  return {
    name: service.name,
    description: service.description,
    file: service.file,
    command: argv(service),
    working_dir: service.workingDir,
    env: Object.fromEntries(Object.entries(service.env).map(([k, v]) => [k, service.secretEnv.includes(k) ? REDACTED : v])),
    ports: service.ports,
    binaries: service.binaries.map((b) => ({ name: b.name, version: b.version, path: service.binaryPaths[b.name], sources: b.sources.map((s) => s.type) })),
    depends_on: service.dependsOn,
    readiness_probe: service.readiness ? probeSpec(service.readiness) : null,
    liveness_probe: service.liveness ? probeSpec(service.liveness) : null,
    compose: service.compose,
    config: redactDeep(service.config),
  };
}

function probeSpec(probe: PlannedProbe): object {
  const { check } = probe;
  const target =
    check.kind === 'http'
      ? { http_get: { url: `${check.scheme}://${hostPort(check.host, check.port)}${check.path}`, status_code: check.status, ...(check.headers ? { headers: check.headers } : {}) } }
      : check.kind === 'exec'
        ? { exec: { command: check.argv, ...(check.workingDir ? { working_dir: check.workingDir } : {}) } }
        : { tcp_socket: { host: check.host, port: check.port } };
  return {
    ...target,
    initial_delay_seconds: probe.initialDelaySeconds,
    period_seconds: probe.periodSeconds,
    timeout_seconds: probe.timeoutSeconds,
    failure_threshold: probe.failureThreshold,
  };
}

function redactDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactDeep);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) && typeof v === 'string' ? REDACTED : redactDeep(v)]));
  }
  return value;
}

export async function spec(ctx: CliContext, name: string): Promise<void> {
  printJson({ service: serviceSpec(await loadService(ctx, name)) });
}

export async function command(ctx: CliContext, name: string, options: { json?: boolean }): Promise<void> {
  const args = argv(await loadService(ctx, name));
  if (options.json) printJson({ argv: args });
  else print(args.map(shellQuote).join(' '));
}
