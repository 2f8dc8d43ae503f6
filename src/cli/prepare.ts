/**
 * What `core up` and `core <svc> run` do before anything starts: choose the
 * services, refuse a second supervisor, provision binaries, check that every
 * port is free, and write the generated stack.
 */
import { generateStack, type GeneratedStack } from '../compose/generate.js';
import { writeServiceFiles } from '../compose/write.js';
import { alreadyRunning, runningSupervisor } from '../control/lock.js';
import { controlPaths } from '../control/paths.js';
import { checkPortsFree } from '../control/port-check.js';
import { createProgressRenderer } from '../deps/format.js';
import { provisionBinaries } from '../deps/provision.js';
import { withDependencies } from '../plan/graph.js';
import type { PlannedService } from '../plan/types.js';
import { checkWorkingDirs } from '../manifest/host-checks.js';
import { refuseStrandedStreams } from '../services/nats-migrate/stranded.js';
import { InputError, IssuesError } from '../support/errors.js';
import type { CliContext } from './context.js';
import { loadStack, type LoadedStack } from './load-stack.js';
import { expandNames } from '../plan/process-names.js';
import { recordHost } from '../hosts/running-host.js';
import { foreignAddress, machineInterfaces } from '../hosts/local-address.js';

export interface PreparedStack extends LoadedStack {
  readonly generated: GeneratedStack;
  /** The services to run: those asked for and what they depend on, in dependency order. */
  readonly services: readonly PlannedService[];
}

export function selectServices(stack: LoadedStack, asked: readonly string[], alone = false): PlannedService[] {
  const all = stack.plan.services;
  const { names, unknown } = expandNames(asked, all);
  if (unknown.length > 0) {
    throw new InputError('unknown-service', `unknown service${unknown.length === 1 ? '' : 's'}: ${unknown.join(', ')}`, [`services: ${all.map((s) => s.name).join(', ')}`]);
  }
  // As process-compose does: a disabled service starts only when named, and a
  // disabled dependency is left out (its dependents start without it).
  const enabled = (s: PlannedService) => !s.compose.disabled || names.includes(s.name);
  if (names.length === 0) return all.filter(enabled);
  if (alone) return all.filter((s) => names.includes(s.name));
  const edges = new Map(all.filter(enabled).map((s) => [s.name, Object.keys(s.dependsOn)]));
  const wanted = withDependencies(names, edges);
  return all.filter((s) => wanted.has(s.name) && edges.has(s.name));
}

/** `--host iad-2` on a machine that does not have iad-2's address: exit 2 before anything binds. */
function refuseForeignHost({ plan, hosts }: LoadedStack): void {
  if (plan.host === undefined || !hosts) return;
  const { address } = hosts.hosts[plan.host]!;
  const own = foreignAddress(address, machineInterfaces());
  if (own) {
    throw new InputError('foreign-host', `${hosts.file}: hosts.${plan.host}.address: ${address} is not an address of this machine, so it is not host "${plan.host}"`, [
      `this machine's addresses: ${own.join(', ')}`,
      'name the host this machine is with --host NAME or CORE_HOST_NAME (`core plan` lists them)',
    ]);
  }
}

export async function prepare(ctx: CliContext, names: readonly string[], options: { alone?: boolean } = {}): Promise<PreparedStack> {
  const stack = await loadStack(ctx, { cache: true });
  const services = selectServices(stack, names, options.alone);
  const missing = checkWorkingDirs(stack.plan, stack.manifests); // as `validate` says it, before anything starts
  if (missing.length > 0) throw new IssuesError(missing);
  refuseStrandedStreams(
    stack.plan,
    services.map((s) => s.name),
  ); // streams a new NATS topology would not have: exit 2
  refuseForeignHost(stack);
  const owner = runningSupervisor(controlPaths(stack.settings.stackDir).lock);
  if (owner) throw alreadyRunning(owner);
  const generated = generateStack(stack.plan);
  await provisionBinaries(
    services.flatMap((s) => s.binaries),
    stack.settings,
    { reuseLinked: true, reporter: createProgressRenderer((line) => process.stderr.write(`${line}\n`)) },
  );
  await checkPortsFree(services);
  await writeServiceFiles(stack.plan, generated);
  recordHost(stack.settings.stackDir, stack.plan.host);
  return { ...stack, generated, services };
}
