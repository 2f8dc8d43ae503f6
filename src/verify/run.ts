/**
 * Runs the chains: each one's steps in order, every step within its time, the
 * chains side by side (a NATS that hangs does not hold up PocketBase's steps).
 * What a step shares with the next (a connection) is released at its chain's
 * end, also after a failure or a timeout.
 */
import { describeError, TimedOut } from './describe-error.js';
import type { Chain, StepResult, StepSpec, VerifyReport } from './types.js';

export async function runChains(chains: readonly Chain[], timeoutMs: number): Promise<VerifyReport> {
  const steps = (await Promise.all(chains.map((chain) => runChain(chain, timeoutMs)))).flat();
  return { ok: steps.every((s) => s.ok), steps };
}

async function runChain(chain: Chain, timeoutMs: number): Promise<StepResult[]> {
  const results: StepResult[] = [];
  const settling: Promise<void>[] = [];
  let failed: string | undefined;
  try {
    for (const step of chain.steps) {
      if (failed) {
        results.push({ name: step.name, hop: step.hop, ok: false, ms: 0, skipped: `not run: "${failed}" failed` });
        continue;
      }
      const { result, settled } = await runStep(step, timeoutMs);
      results.push(result);
      settling.push(settled);
      if (!result.ok) failed = step.name;
    }
  } finally {
    // A step that ran out of time may still be cleaning up after itself (deleting its stream): it gets as long again.
    await within(Promise.all(settling), timeoutMs);
    if (chain.close) await within(chain.close(), timeoutMs);
  }
  return results;
}

/**
 * The clients' own timers (set to the step's time) fire first and say more
 * ("connected, but the server sent no INFO"); ours is the backstop for a call
 * without one.
 */
const BACKSTOP_GRACE_MS = 250;

async function runStep(step: StepSpec, timeoutMs: number): Promise<{ result: StepResult; settled: Promise<void> }> {
  const abort = new AbortController();
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const body = Promise.resolve().then(() => step.run(abort.signal));
  const settled = body.then(
    () => {},
    () => {},
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort(new TimedOut(timeoutMs));
      reject(new TimedOut(timeoutMs));
    }, timeoutMs + BACKSTOP_GRACE_MS);
  });
  try {
    const outcome = await Promise.race([body, timeout]);
    return { result: { name: step.name, hop: step.hop, ok: true, ms: ms(), ...(outcome ? { skipped: outcome.skipped } : {}) }, settled };
  } catch (error) {
    return { result: { name: step.name, hop: step.hop, ok: false, ms: ms(), error: describeError(error, timeoutMs) }, settled };
  } finally {
    clearTimeout(timer);
  }
}

/** Waits for `promise` (its failure ignored) at most `ms`; leaves no timer behind. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise.catch(() => {}), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
