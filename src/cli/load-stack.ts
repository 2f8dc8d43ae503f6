/** Settings → manifests → plan: what most commands start with. */
import type { CliContext } from './context.js';
import { loadManifestsForCache, type CacheUse, type LoadedManifest } from '../manifest/load.js';
import { resolvePlan } from '../plan/resolve.js';
import { readTopologyOverrides } from './topology-overrides.js';
import type { StackPlan } from '../plan/types.js';
import { IssuesError } from '../support/errors.js';
import { loadSettings } from '../support/load-settings.js';
import { loadCredentials } from '../services/credentials-file.js';
import { checkSpawnLimits } from '../support/spawn-limits.js';
import { withSuperuserPassword } from '../controller/superuser.js';
import type { Settings } from '../support/settings.js';

export interface LoadedStack {
  readonly settings: Settings;
  readonly manifests: readonly LoadedManifest[];
  readonly plan: StackPlan;
  /** Save a fresh manifest validation to the cache (a no-op after a hit); loadStack calls it unless `cache` is 'read'. */
  readonly saveCache: () => void;
}

/** `cache`: reuse a cached manifest validation (true: and save a fresh one, for commands that write .core-stack/ anyway). */
export async function loadStack(ctx: CliContext, options: { cache?: CacheUse } = {}): Promise<LoadedStack> {
  const loaded = loadSettings(process.cwd(), ctx.env);
  const { manifests, saveCache } = await loadManifestsForCache(loaded, options);
  // CORE_CONTROLLER=1: PocketBase gets a generated superuser password when none is set (docs/controller.md).
  const settings = withSuperuserPassword(loaded, manifests);
  // The records rule only while the controller watches them: off, the manifests do.
  const overrides = settings.controller ? readTopologyOverrides(settings) : undefined;
  const plan = resolvePlan({ manifests, settings, self: ctx.self, credentials: loadCredentials(manifests, settings), ...(overrides ? { overrides } : {}) });
  const limits = checkSpawnLimits(settings, plan);
  if (limits.length > 0) throw new IssuesError(limits);
  if (options.cache !== 'read') saveCache();
  return { settings, manifests, plan, saveCache };
}
