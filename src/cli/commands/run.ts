/**
 * `core <svc> run`: that service in the foreground (provisioned if need be);
 * prints `READY: <svc> <url>` once healthy and stops gracefully on
 * SIGINT/SIGTERM. While the stack runs, it takes the service over from the
 * stack until it ends (../take-over.ts). Without a stack, its dependencies are
 * not started (it says which are not running) unless `--with-deps`; a service
 * whose probe goes through them (Caddy's goes through PocketBase) is then
 * judged ready when its first port accepts connections instead.
 * `-- <command…>` runs it another way (a debugger), with the same env and ports.
 */
import type { ComposeDoc, ComposeProcess } from '../../compose/schema.js';
import { supervise } from '../../engines/builtin/supervise.js';
import { controlPaths } from '../../control/paths.js';
import { runningSupervisor } from '../../control/lock.js';
import { withDependencies } from '../../plan/graph.js';
import type { PlannedService, StackPlan } from '../../plan/types.js';
import { loadSettings } from '../../support/load-settings.js';
import { hostPort } from '../../services/types.js';
import { InputError, RuntimeError } from '../../support/errors.js';
import { loadStack } from '../load-stack.js';
import type { CliContext } from '../context.js';
import { note, print } from '../output.js';
import { prepare } from '../prepare.js';
import { describeEvent } from '../render/event-line.js';
import { parseTimeout } from '../flags.js';
import { foreground } from '../foreground.js';

export function serviceUrl(service: PlannedService): string | undefined {
  const first = Object.values(service.ports)[0];
  if (!first) return undefined;
  return `${first.protocol}://${hostPort(first.host, first.port)}`;
}

/** The service and its helper processes, cut loose from the other services. */
export function aloneDoc(doc: ComposeDoc, service: PlannedService): ComposeDoc {
  const kept = Object.entries(doc.processes).filter(([, p]) => p['x-core']?.service === service.name);
  const names = new Set(kept.map(([name]) => name));
  const processes = Object.fromEntries(
    kept.map(([name, p]): [string, ComposeProcess] => {
      const depends = Object.entries(p.depends_on ?? {}).filter(([dep]) => names.has(dep));
      const next: ComposeProcess = { ...p, depends_on: depends.length ? Object.fromEntries(depends) : undefined };
      const port = Object.values(service.ports)[0];
      const external = Object.keys(p.depends_on ?? {}).some((dep) => !names.has(dep));
      if (name === service.name && external && port && next.readiness_probe) {
        const host = ['0.0.0.0', '::'].includes(port.host) ? '127.0.0.1' : port.host;
        next.readiness_probe = { ...next.readiness_probe, http_get: undefined, exec: { command: `exec 3<>/dev/tcp/${host}/${port.port}` } };
        next['x-core'] = { service: service.name, ...p['x-core'], readiness_tcp: { host, port: port.port } };
      }
      return [name, JSON.parse(JSON.stringify(next)) as ComposeProcess];
    }),
  );
  return { ...doc, processes };
}

/** The process run another way: `core api run -- node --inspect server.js`. */
export function withCommand(doc: ComposeDoc, name: string, command: readonly string[]): ComposeDoc {
  const process = doc.processes[name];
  if (!process || command.length === 0) return doc;
  return { ...doc, processes: { ...doc.processes, [name]: { ...process, entrypoint: [...command] } } };
}

/** The service's dependencies (all the way down) whose first port does not answer; those without a port are not running either: no stack runs. */
async function dependenciesDown(plan: StackPlan, name: string): Promise<string[]> {
  const { connects } = await import('../take-over.js');
  const edges = new Map(plan.services.map((s) => [s.name, Object.keys(s.dependsOn)]));
  const deps = plan.services.filter((s) => s.name !== name && withDependencies([name], edges).has(s.name));
  const down = await Promise.all(
    deps.map(async (s) => {
      const port = Object.values(s.ports)[0];
      return port && (await connects(port.port, port.host)) ? undefined : s.name;
    }),
  );
  return down.filter((n): n is string => n !== undefined);
}

export interface RunOptions {
  readonly timeout: string;
  readonly withDeps?: boolean;
}

export async function run(ctx: CliContext, name: string, command: readonly string[], options: RunOptions): Promise<void> {
  const timeoutMs = parseTimeout(options.timeout);
  await refuseSeveral(ctx, name);
  const owner = runningSupervisor(controlPaths(loadSettings(process.cwd(), ctx.env).stackDir).lock);
  if (owner) {
    const { takeOver } = await import('../take-over.js');
    return takeOver(ctx, name, owner, { timeout: options.timeout, command, url: serviceUrl });
  }
  const withDeps = options.withDeps === true;
  const prepared = await prepare(ctx, [name], { alone: !withDeps });
  const service = prepared.services.find((s) => s.name === name)!;
  const doc = withCommand(withDeps ? prepared.generated.doc : aloneDoc(prepared.generated.doc, service), name, command);
  if (!withDeps) {
    const down = await dependenciesDown(prepared.plan, name);
    if (down.length)
      note(
        `core: ${name} depends on ${down.join(', ')}, which ${down.length === 1 ? 'is' : 'are'} not running: start ${down.length === 1 ? 'it' : 'them'} with \`core up -d ${down.join(' ')}\`, or run \`core ${name} run --with-deps\``,
      );
  }
  const running = await supervise({
    settings: prepared.settings,
    plan: prepared.plan,
    doc,
    self: ctx.self,
  });
  running.engine.subscribe((event) => {
    if (event.type === 'output') return void process.stdout.write(event.name === name ? `${event.line}\n` : `${event.name} | ${event.line}\n`);
    const line = describeEvent(event);
    if (line) note(`core: ${line}`);
  });
  const session = foreground(running, () => note(`core: stopping ${name}`));
  running.engine.start([name]);
  const result = await running.engine.waitReady([name], { timeoutMs });
  if (result.ok) print(`READY: ${name} ${serviceUrl(service) ?? ''}`.trimEnd());
  else if (!session.signal()) {
    await running.shutdown();
    throw new RuntimeError('not-ready', result.message, [
      ...(result.lastProbeError ? [`last probe error: ${result.lastProbeError}`] : []),
      ...result.lastLines.map((l) => `  ${l}`),
    ]);
  }
  process.exitCode = await session.exitCode();
}

/** A service that runs as several processes (a NATS cluster) has no one process to run in this terminal. */
async function refuseSeveral(ctx: CliContext, name: string): Promise<void> {
  const { plan } = await loadStack(ctx, { cache: true });
  const own = plan.services.filter((s) => s.service === name && s.name !== name).map((s) => s.name);
  if (own.length === 0) return;
  throw new InputError('several-processes', `${name} runs as ${own.length} processes (${own.join(', ')}): \`core ${name} run\` runs a service of one process`, [
    `start them with \`core up ${name}\`, or set "topology": "single-node" in its manifest`,
  ]);
}
