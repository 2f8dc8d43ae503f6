import { ControlError } from '../../control/client.js';
import { findStack } from '../../control/connect.js';
import { InputError, RuntimeError } from '../../support/errors.js';
import { loadSettings } from '../../support/load-settings.js';
import { runState } from '../../support/proc.js';
import type { CliContext } from '../context.js';
import { print } from '../output.js';

export async function restart(ctx: CliContext, name: string): Promise<void> {
  const stack = findStack(loadSettings(process.cwd(), ctx.env).stackDir);
  if (!stack.supervisor) throw new RuntimeError('not-running', 'the stack is not running (start it with `core up`)');
  if (runState(stack.supervisor.pid) === 'stopped') {
    throw new RuntimeError('supervisor-stopped', `the supervisor (pid ${stack.supervisor.pid}) is stopped (SIGSTOP); resume it with \`kill -CONT ${stack.supervisor.pid}\`, or stop the stack with \`core down\``);
  }
  try {
    await stack.client.restart(name);
  } catch (error) {
    if (error instanceof ControlError && error.status === 404) throw new InputError('unknown-service', `no process named "${name}" in the running stack`);
    throw new RuntimeError('restart-failed', `restart ${name}: ${(error as Error).message}`);
  }
  print(`restarting ${name}`);
}
