/** What every source gets: the binary wanted, the settings, and the injected edges. */
import type { Binary } from '../../manifest/schema.js';
import type { Settings } from '../../support/settings.js';
import type { CacheKey } from '../cache.js';
import type { Platform } from '../platform.js';
import type { Reporter, Timeouts } from '../types.js';

export interface SourceContext {
  readonly binary: Binary;
  readonly settings: Settings;
  readonly platform: Platform;
  readonly timeouts: Timeouts;
  /** How often a long step reports progress. */
  readonly heartbeatMs: number;
  readonly report: Reporter;
}

export function cacheKey(context: SourceContext): CacheKey {
  return {
    cacheDir: context.settings.cacheDir,
    platform: context.platform,
    name: context.binary.name,
    version: context.binary.version,
  };
}
