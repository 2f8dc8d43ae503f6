/**
 * `core down`: asks the supervisor to stop the stack and returns when every
 * process is gone. If the supervisor is dead, it stops the process groups the
 * state file records itself (never a pid that now belongs to someone else).
 * Data under .data/ is never touched.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { findStack } from '../../control/connect.js';
import { reapGroups } from '../../control/reaper.js';
import { reapSurvivors } from '../../control/survivors.js';
import { writeState } from '../../control/state-file.js';
import { RuntimeError } from '../../support/errors.js';
import { loadSettings } from '../../support/load-settings.js';
import { isSameProcess } from '../../support/proc.js';
import type { CliContext } from '../context.js';
import { parseTimeout } from '../flags.js';
import { print } from '../output.js';

export async function down(ctx: CliContext, options: { timeout: string }): Promise<void> {
  const timeoutMs = parseTimeout(options.timeout);
  const settings = loadSettings(process.cwd(), ctx.env);
  const stack = findStack(settings.stackDir);
  const started = performance.now();
  if (stack.supervisor) {
    await stack.client.stopProject().catch(() => {
      // It may exit before it answers; we watch the pid below either way.
    });
    const deadline = Date.now() + timeoutMs;
    while (isSameProcess(stack.supervisor)) {
      if (Date.now() > deadline) throw new RuntimeError('down-timeout', `the supervisor (pid ${stack.supervisor.pid}) is still running after ${options.timeout} s`);
      await sleep(10);
    }
  }
  // The guardian exits once it sees the supervisor gone: "every process gone" includes it.
  const guardian = stack.state?.guardian;
  const guardianDeadline = Date.now() + 2000;
  while (guardian && isSameProcess({ pid: guardian }) && Date.now() < guardianDeadline) await sleep(10);
  // Whatever is still recorded (a dead supervisor, or one that died mid-stop) is reaped here.
  const leftovers = Object.values(findStack(settings.stackDir).state?.processes ?? {});
  const reaped = await reapGroups(leftovers, (ms) => sleep(ms));
  if (stack.state && leftovers.length) writeState(stack.paths.state, { ...stack.state, processes: {} });
  // Then whatever still carries the stack's mark: what the state file never recorded, or no longer can.
  const strays = await reapSurvivors(settings.stackDir, { wait: (ms) => sleep(ms), timeoutMs });
  if (!stack.supervisor && reaped === 0 && strays === 0) print('not running');
  else {
    const notes = [...(reaped ? [`${reaped} process group${reaped === 1 ? '' : 's'} left by a dead supervisor`] : []), ...(strays ? [`${strays} stray process${strays === 1 ? '' : 'es'} of the stack`] : [])];
    print(`stopped in ${Math.round(performance.now() - started)} ms${notes.length ? ` (${notes.join(', ')})` : ''}`);
  }
}
