/** `cache`: a binary this user downloaded or built before, still intact. */
import { readCacheEntry } from '../cache.js';
import { fail, type SourceOutcome } from '../types.js';
import { cacheKey, type SourceContext } from './context.js';

export async function fromCache(context: SourceContext): Promise<SourceOutcome> {
  const entry = await readCacheEntry(cacheKey(context));
  if (!entry.ok) return fail(entry.reason, entry.message);
  return { ok: true, target: entry.file, version: entry.record.version, origin: entry.record.origin };
}
