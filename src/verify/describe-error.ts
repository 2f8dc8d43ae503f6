/**
 * A failed step's error in a few words a person can act on: "connection
 * refused", "timed out after 2000 ms", "HTTP 502: <body excerpt>". Clients wrap
 * the system error (fetch's "fetch failed", NATS's ConnectionError): the cause
 * holds the code that says what happened.
 */
import { StepFailure } from './types.js';

const CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EADDRNOTAVAIL: 'address not available',
  ETIMEDOUT: 'timed out',
  UND_ERR_SOCKET: 'connection closed',
};

/** The step's time ran out (our own timer, not a client's). */
export class TimedOut extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${ms} ms`);
  }
}

const MAX_DEPTH = 4;

export function describeError(error: unknown, timeoutMs: number, depth = 0): string {
  if (error instanceof TimedOut || error instanceof StepFailure) return error.message;
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && CODES[code]) return CODES[code]!;
  // Our AbortSignal.timeout, fetch's abort, the NATS client's own timers: all set to the step's time.
  if (error.name === 'TimeoutError' || error.name === 'AbortError' || /\btime(?:d)?\s?out\b/i.test(error.message)) return `timed out after ${timeoutMs} ms`;
  const cause = (error as { cause?: unknown }).cause;
  if (cause !== undefined && depth < MAX_DEPTH) {
    const inner = describeError(cause, timeoutMs, depth + 1);
    return error.message === 'fetch failed' || error.message.includes(inner) ? inner : `${error.message}: ${inner}`;
  }
  return error.message;
}

/** The first characters of a response body, on one line. */
export function excerpt(body: string, max = 200): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
