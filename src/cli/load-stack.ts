/** Settings → manifests → plan: what most commands start with. */
import type { CliContext } from './context.js';
import { loadManifestsForCache, type CacheUse, type LoadedManifest } from '../manifest/load.js';
import { resolveStack } from '../plan/resolve.js';
import { readTopologyOverrides } from './topology-overrides.js';
import type { StackPlan } from '../plan/types.js';
import { InputError, IssuesError } from '../support/errors.js';
import { loadSettings } from '../support/load-settings.js';
import { loadCredentials } from '../services/credentials-file.js';
import { checkSpawnLimits } from '../support/spawn-limits.js';
import { withSuperuserPassword } from '../controller/superuser.js';
import type { Settings } from '../support/settings.js';
import { HOSTS_FILE, readHostsFile } from '../hosts/load.js';
import { chooseHost, type LoadedHosts } from '../hosts/validate.js';
import { planForHost } from '../hosts/host-plan.js';
import { recordedHost } from '../hosts/running-host.js';
import { runningSupervisor } from '../control/lock.js';
import { controlPaths } from '../control/paths.js';
import type { Placement } from '../hosts/placement.js';

export interface LoadedStack {
  readonly settings: Settings;
  readonly manifests: readonly LoadedManifest[];
  readonly plan: StackPlan;
  /** Save a fresh manifest validation to the cache (a no-op after a hit); loadStack calls it unless `cache` is 'read'. */
  readonly saveCache: () => void;
  /** With a hosts file: which host runs what (`plan` is then the chosen host's, when one is). */
  readonly placement?: Placement;
  readonly hosts?: LoadedHosts;
}

/** The name of the host this `core` runs as, for messages: `--host` sets CORE_HOST_NAME (program.ts). */
const HOST_SOURCE = '--host (CORE_HOST_NAME)';

/**
 * `cache`: reuse a cached manifest validation (true: and save a fresh one, for commands that write .core-stack/ anyway).
 * `anyHost`: with a hosts file and no host named, the whole stack's plan (`core plan`, `validate`, `spec`);
 * otherwise a command that runs or writes something needs to know which host it is on.
 */
export async function loadStack(ctx: CliContext, options: { cache?: CacheUse; anyHost?: boolean } = {}): Promise<LoadedStack> {
  const loaded = loadSettings(process.cwd(), ctx.env);
  const { manifests, saveCache } = await loadManifestsForCache(loaded, options);
  // CORE_CONTROLLER=1: PocketBase gets a generated superuser password when none is set (docs/controller.md).
  const settings = withSuperuserPassword(loaded, manifests);
  // The records rule only while the controller watches them: off, the manifests do.
  const overrides = settings.controller ? readTopologyOverrides(settings) : undefined;
  const hosts = chooseHostOf(settings, options.anyHost === true);
  const { plan: whole, placement } = resolveStack({
    manifests,
    settings,
    self: ctx.self,
    credentials: loadCredentials(manifests, settings),
    ...(overrides ? { overrides } : {}),
    ...(hosts ? { hosts: { file: hosts.file, ...(hosts.here ? { here: hosts.here } : {}) } } : {}),
  });
  const plan = placement && hosts?.here ? planForHost(whole, placement.where, hosts.here) : whole;
  const limits = checkSpawnLimits(settings, plan);
  if (limits.length > 0) throw new IssuesError(limits);
  if (options.cache !== 'read') saveCache();
  return { settings, manifests, plan, saveCache, ...(placement && hosts ? { placement, hosts: hosts.file } : {}) };
}

/** The host a running stack was started as (running-host.ts); undefined when none runs. */
function runningHost(stackDir: string): string | undefined {
  const recorded = recordedHost(stackDir);
  return recorded !== undefined && runningSupervisor(controlPaths(stackDir).lock) ? recorded : undefined;
}

/**
 * The hosts file and the host named (--host, CORE_HOST_NAME). Without a hosts
 * file: undefined, and the stack runs here as a whole (one implicit local host).
 */
function chooseHostOf(settings: Settings, anyHost: boolean): { file: LoadedHosts; here?: string } | undefined {
  const hosts = readHostsFile(settings);
  if (!hosts && settings.hostName !== undefined) {
    throw new InputError('no-hosts-file', `${HOST_SOURCE} "${settings.hostName}": there is no hosts file (${settings.hostsFile ?? HOSTS_FILE}), so no host to run as`, [
      'docs/hosts.md says how to write one',
    ]);
  }
  if (!hosts) return undefined;
  const running = anyHost ? undefined : runningHost(settings.stackDir);
  if (running !== undefined && settings.hostName !== undefined && settings.hostName !== running) {
    throw new InputError(
      'other-host',
      `the running stack runs as host "${running}", not "${settings.hostName}" (${HOST_SOURCE}): stop it first (core down) to run as another host`,
    );
  }
  const chosen = chooseHost(hosts, settings.hostName ?? running, running !== undefined && settings.hostName === undefined ? "the running stack's host" : HOST_SOURCE);
  if (!chosen.ok) throw new IssuesError([chosen.issue]);
  if (chosen.host) return { file: hosts, here: chosen.host };
  if (anyHost) return { file: hosts };
  const names = Object.keys(hosts.hosts).sort();
  throw new InputError(
    'no-host',
    `${hosts.file} names ${names.length} host${names.length === 1 ? '' : 's'} (${names.join(', ')}): say which one this is with --host NAME or CORE_HOST_NAME`,
    ['`core plan` shows what runs on each (docs/hosts.md)'],
  );
}
