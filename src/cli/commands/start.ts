/**
 * `core start <svc…>`: bring these services (and what they depend on) up in
 * the running stack, as the stack defines them now; returns once they are
 * ready. Under process-compose, its own start.
 */
import { ControlError } from '../../control/client.js';
import { InputError, RuntimeError } from '../../support/errors.js';
import type { CliContext } from '../context.js';
import { print } from '../output.js';
import { start as applyStart, runningStack } from './apply.js';

export async function start(ctx: CliContext, names: readonly string[], options: { json?: boolean; timeout: string }): Promise<void> {
  const stack = runningStack(ctx);
  if (stack.state?.engine !== 'process-compose') return applyStart(ctx, names, options);
  for (const name of names) {
    try {
      await stack.client.start(name);
    } catch (error) {
      if (error instanceof ControlError && (error.status === 404 || error.status === 400))
        throw new InputError('unknown-service', `no process named "${name}" in the running stack`);
      throw new RuntimeError('start-failed', `start ${name}: ${(error as Error).message}`);
    }
    print(`starting ${name}`);
  }
}
