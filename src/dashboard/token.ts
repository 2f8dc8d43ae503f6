/**
 * The dashboard's secret: 32 random bytes, hex, made when the dashboard first
 * starts and kept in the supervisor's memory only (never in the state file, the
 * event log or the supervisor's log). Compared in constant time: both sides are
 * hashed first, so neither the content nor the length of a guess leaks by timing.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const newToken = (): string => randomBytes(32).toString('hex');

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

export function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined || given === '') return false;
  return timingSafeEqual(digest(given), digest(token));
}
