/**
 * What a step wrote is removed whatever happened: `body`, then `cleanUp`,
 * which answers what it had to leave behind (undefined: nothing). A failed
 * clean-up fails the step, told after the body's own failure if there was one.
 */
import { describeError } from './describe-error.js';
import { StepFailure } from './types.js';

export async function withCleanUp(body: () => Promise<void>, cleanUp: () => Promise<string | undefined>, timeoutMs: number): Promise<void> {
  let failure: { error: unknown } | undefined;
  try {
    await body();
  } catch (error) {
    failure = { error };
  }
  const leftover = await cleanUp();
  if (failure && leftover) throw new StepFailure(`${describeError(failure.error, timeoutMs)}; ${leftover}`);
  if (failure) throw failure.error;
  if (leftover) throw new StepFailure(leftover);
}
