/**
 * One-time opening links for `core dashboard --open`. A browser started by
 * `xdg-open URL` keeps the URL on its command line for as long as it runs,
 * and every local user can read command lines (`ps`). So the opener is given
 * `/open?code=C` instead of the token: C works once, within CODE_TTL_MS, and
 * answers a redirect to `/?token=T` (the token then reaches the browser in an
 * HTTP answer only). A code read off `ps` later is spent; one used by someone
 * else first leaves the user's browser on an error page, which they see.
 */
import { randomBytes } from 'node:crypto';
import { sameToken } from './token.js';

export const CODE_TTL_MS = 60_000;
/** Codes not yet used, at most: an old one goes first. */
const MAX_CODES = 8;

export class OpenCodes {
  private readonly codes = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  issue(): string {
    const code = randomBytes(16).toString('hex');
    this.codes.set(code, this.now() + CODE_TTL_MS);
    if (this.codes.size > MAX_CODES) this.codes.delete(this.codes.keys().next().value!);
    return code;
  }

  /** Whether `given` is a live code; it is spent either way. Compared in constant time. */
  redeem(given: string | null): boolean {
    if (!given) return false;
    for (const [code, expires] of this.codes) {
      if (!sameToken(given, code)) continue;
      this.codes.delete(code);
      return expires >= this.now();
    }
    return false;
  }
}
