/** `--since 10m|2h|<ISO time>` as epoch ms. Pure (the clock is passed in). */
import { InputError } from '../../support/errors.js';

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseSince(raw: string, now: number): number {
  const relative = /^(\d{1,9})(s|m|h|d)$/.exec(raw);
  if (relative) return now - Number(relative[1]) * UNIT_MS[relative[2]!]!;
  // Date.parse takes almost anything ("1"): only a date that starts like one.
  const ms = /^\d{4}-\d{2}-\d{2}/.test(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new InputError('bad-flag', `--since: "${raw}" is neither a duration (30s, 10m, 2h, 1d) nor a time (2026-11-30T14:03:00Z, 2026-11-30 14:03)`);
  }
  return ms;
}
