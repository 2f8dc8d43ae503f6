/** Settings → manifests → plan: what most commands start with. */
import type { CliContext } from './context.js';
import { loadManifestsForCache, type CacheUse, type LoadedManifest } from '../manifest/load.js';
import { resolveStack } from '../plan/resolve.js';
import { readTopologyOverrides } from './topology-overrides.js';
import type { StackPlan } from '../plan/types.js';
import { IssuesError } from '../support/errors.js';
import { loadSettings } from '../support/load-settings.js';
import { loadCredentials } from '../services/credentials-file.js';
import { checkSpawnLimits } from '../support/spawn-limits.js';
import { withSuperuserPassword } from '../controller/superuser.js';
import type { Settings } from '../support/settings.js';
import type { LoadedHosts } from '../hosts/validate.js';
import { planForHost } from '../hosts/host-plan.js';
import { thisHost } from '../hosts/this-host.js';
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
  const hosts = thisHost(settings, options.anyHost === true);
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
