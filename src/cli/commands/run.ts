/**
 * `core <svc> run`: that service alone in the foreground (provisioned if need
 * be); prints `READY: <svc> <url>` once healthy and stops gracefully on
 * SIGINT/SIGTERM. Its dependencies are not started, so a service whose probe
 * goes through them (Caddy's goes through PocketBase) is judged ready when its
 * first port accepts connections instead.
 */
import type { ComposeDoc, ComposeProcess } from '../../compose/schema.js';
import { supervise } from '../../engines/builtin/supervise.js';
import type { PlannedService } from '../../plan/types.js';
import { hostPort } from '../../services/types.js';
import { RuntimeError } from '../../support/errors.js';
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

export async function run(ctx: CliContext, name: string, options: { timeout: string }): Promise<void> {
  const timeoutMs = parseTimeout(options.timeout);
  const prepared = await prepare(ctx, [name], { alone: true });
  const service = prepared.services[0]!;
  const doc = aloneDoc(prepared.generated.doc, service);
  const running = await supervise({
    settings: prepared.settings,
    plan: prepared.plan,
    doc,
    self: ctx.self,
  });
  running.engine.subscribe((event) => {
    if (event.type === 'output') return void process.stdout.write(`${event.line}\n`);
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
