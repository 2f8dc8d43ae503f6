/** `core <svc> spec` and `core <svc> command`: the resolved service, secrets redacted. */
import type { CliContext } from '../context.js';
import { InputError } from '../../support/errors.js';
import { shellQuote } from '../../compose/escape.js';
import { SECRET_KEY } from '../../plan/secrets.js';
import type { PlannedProbe, PlannedService, StackPlan } from '../../plan/types.js';
import { natsLinks } from '../../services/nats.js';
import { hostPort } from '../../services/types.js';
import { loadStack } from '../load-stack.js';
import { print, printJson } from '../output.js';

export const REDACTED = '<redacted>';

/** A process by name, or every process of a service that runs as several. */
async function loadProcesses(ctx: CliContext, name: string): Promise<{ plan: StackPlan; processes: PlannedService[] }> {
  const { plan, placement } = await loadStack(ctx, { anyHost: true });
  const own = plan.services.find((s) => s.name === name);
  const processes = own ? [own] : plan.services.filter((s) => s.service === name);
  // With --host: a service of the stack that runs on other hosts only.
  const elsewhere = (plan.all ?? []).filter((s) => s.name === name || s.service === name);
  if (processes.length === 0 && elsewhere.length > 0 && placement && plan.host) {
    const hosts = [...new Set(elsewhere.flatMap((s) => placement.where.get(s.name) ?? []))];
    throw new InputError('not-on-host', `service "${name}" runs on ${hosts.join(', ')}, not on ${plan.host}`, ['`core plan` shows what runs on each host']);
  }
  if (processes.length === 0) throw new InputError('unknown-service', `unknown service "${name}"`, [`services: ${[...new Set(plan.services.map((s) => s.service))].join(', ')}`]);
  return { plan, processes };
}

async function loadService(ctx: CliContext, name: string): Promise<PlannedService> {
  const { processes } = await loadProcesses(ctx, name);
  if (processes.length > 1) {
    throw new InputError('several-processes', `service "${name}" runs as ${processes.length} processes (${processes.map((p) => p.name).join(', ')})`, [
      `\`core ${name} spec\` shows each one's command`,
    ]);
  }
  return processes[0]!;
}

/** Secrets never reach the command line (resolve.ts refuses them), so argv needs no redaction. */
export function argv(service: PlannedService): string[] {
  return [service.command, ...service.args];
}

export function serviceSpec(service: PlannedService, plan?: Pick<StackPlan, 'services'>): object {
  const links = plan && service.renderer === 'nats' ? natsLinks(service, plan) : undefined;
  return {
    name: service.name,
    ...(service.service !== service.name ? { service: service.service } : {}),
    ...(service.topology ? { topology: service.topology } : {}),
    ...(links?.routes.length ? { routes: links.routes } : {}),
    ...(links?.leafRemotes.length ? { leaf_remotes: links.leafRemotes } : {}),
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

/**
 * `{ service: spec }` for a process; for a service that runs as several,
 * `{ service: { name, topology, processes: [spec…] } }` with each one's ports,
 * routes and leaf remotes.
 */
export async function spec(ctx: CliContext, name: string): Promise<void> {
  const { plan, processes } = await loadProcesses(ctx, name);
  const host = plan.host !== undefined ? { host: plan.host } : {};
  if (processes.length === 1 && processes[0]!.name === name) return printJson({ ...host, service: serviceSpec(processes[0]!, plan) });
  const first = processes[0]!;
  printJson({ ...host, service: { name, file: first.file, topology: first.config.topology ?? 'single-node', processes: processes.map((p) => serviceSpec(p, plan)) } });
}

export async function command(ctx: CliContext, name: string, options: { json?: boolean }): Promise<void> {
  const args = argv(await loadService(ctx, name));
  if (options.json) printJson({ argv: args });
  else print(args.map(shellQuote).join(' '));
}
