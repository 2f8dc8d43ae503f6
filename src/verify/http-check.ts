/** One HTTP GET within a time, judged by its status; a failure carries the status and the start of the body. */
import { excerpt } from './describe-error.js';
import { StepFailure } from './types.js';

export async function expectStatus(url: string, timeoutMs: number, ok: (status: number) => boolean): Promise<void> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
  const body = await response.text();
  if (!ok(response.status)) {
    const path = new URL(url).pathname;
    throw new StepFailure(`HTTP ${response.status} from GET ${path}${body.trim() ? `: ${excerpt(body)}` : ' (empty body)'}`);
  }
}

/** A proxy that cannot reach its upstream answers 502, 503 or 504 (Caddy: 502 with an empty body). */
export const reachedUpstream = (status: number) => status < 502 || status > 504;
