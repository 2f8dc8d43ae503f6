/**
 * `core restart <svc>`: the service with its definition from the manifests and
 * `.env` as they are now (an apply of that one process, replaced even when
 * unchanged). Under process-compose, its own restart (the definition it has).
 */
import { ControlError } from '../../control/client.js';
import { InputError, RuntimeError } from '../../support/errors.js';
import type { CliContext } from '../context.js';
import { print } from '../output.js';
import { restart as applyRestart, runningStack } from './apply.js';

export async function restart(ctx: CliContext, name: string, options: { json?: boolean; timeout: string; wait?: boolean } = { timeout: '120' }): Promise<void> {
  const stack = runningStack(ctx);
  if (stack.state?.engine !== 'process-compose') return applyRestart(ctx, name, options);
  try {
    await stack.client.restart(name);
  } catch (error) {
    if (error instanceof ControlError && (error.status === 404 || error.status === 400)) throw new InputError('unknown-service', `no process named "${name}" in the running stack`);
    throw new RuntimeError('restart-failed', `restart ${name}: ${(error as Error).message}`);
  }
  print(`restarting ${name}`);
}
