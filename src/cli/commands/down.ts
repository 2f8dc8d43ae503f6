/**
 * `core down`: asks the supervisor to stop the stack and returns when every
 * process is gone. If the supervisor is dead, it stops the process groups the
 * state file records itself (never a pid that now belongs to someone else). A
 * supervisor that is stopped (SIGSTOP) or does not answer is killed, and what
 * it left reaped, within the timeout. A `core up` still starting the stack is
 * waited for first. Data under .data/ is never touched.
 */
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ControlError } from '../../control/client.js';
import { findStack, type StackHandle } from '../../control/connect.js';
import { runningSupervisor } from '../../control/lock.js';
import { reapGroups } from '../../control/reaper.js';
import { reapSurvivors } from '../../control/survivors.js';
import { writeState } from '../../control/state-file.js';
import { InputError, RuntimeError } from '../../support/errors.js';
import { loadSettings } from '../../support/load-settings.js';
import { isSameProcess, runState, signalIfSame, type ProcessIdentity } from '../../support/proc.js';
import type { CliContext } from '../context.js';
import { parseTimeout } from '../flags.js';
import { note, print } from '../output.js';

/** Kept back from the timeout for killing and reaping a supervisor that will not stop. */
const REAP_BUDGET_MS = 1500;
/** How long the supervisor may take to answer "stop": past this it is not answering. */
const ANSWER_MS = 2000;

async function waitGone(identity: ProcessIdentity, until: number): Promise<boolean> {
  while (isSameProcess(identity) && Date.now() < until) await sleep(10);
  return !isSameProcess(identity);
}

/**
 * Stop the supervisor by asking; kill it when it is stopped (SIGSTOP), does not
 * answer, or is still there when only the reaping budget is left. Why it was
 * killed, or undefined when it stopped as asked.
 */
async function stopSupervisor(stack: StackHandle, supervisor: ProcessIdentity, deadline: number, timeout: string): Promise<string | undefined> {
  const killAt = Math.max(Date.now(), deadline - REAP_BUDGET_MS);
  const killed = async (why: string) => {
    signalIfSame(supervisor, 'SIGKILL');
    await waitGone(supervisor, Date.now() + 1000);
    return why;
  };
  if (runState(supervisor.pid) === 'stopped') return killed('it was stopped (SIGSTOP)');
  const asked = await stack.client.stopProject().then(
    () => true,
    // It may exit before it answers (or close its socket as it stops): we watch the pid below.
    (error: unknown) => !(error instanceof ControlError && error.timedOut),
  );
  if (!asked && isSameProcess(supervisor)) return killed('it did not answer');
  while (isSameProcess(supervisor)) {
    if (runState(supervisor.pid) === 'stopped') return killed('it was stopped (SIGSTOP)');
    if (Date.now() >= killAt) return killed(`it had not stopped within the --timeout of ${timeout} s`);
    await sleep(10);
  }
  return undefined;
}

/**
 * Wait for a `core up` in progress: a detached one until it has returned, a
 * foreground one until its supervisor runs (it never returns while the stack does).
 */
async function waitForUp(stack: StackHandle, deadline: number): Promise<void> {
  const up = stack.up;
  if (!up) return;
  note(`waiting for \`core up\` (pid ${up.pid}) to finish, then stopping what it started…`);
  const started = () => !up.detached && runningSupervisor(stack.paths.lock) !== undefined;
  while (isSameProcess(up) && !started() && Date.now() < deadline) await sleep(20);
  if (isSameProcess(up) && !started()) {
    throw new RuntimeError('up-in-progress', `\`core up\` (pid ${up.pid}) is still starting the stack; run \`core down\` again once it returns, or give a longer --timeout`);
  }
}

/**
 * A `core up` started a moment before this `down` records itself first thing,
 * but on a busy machine that moment can come after our first look: when
 * nothing at all runs, look again for a little while before saying so.
 */
const UP_GRACE_MS = 300;

async function findStackOrUp(stackDir: string, answerMs: number): Promise<StackHandle> {
  const until = Date.now() + UP_GRACE_MS;
  for (;;) {
    const stack = findStack(stackDir, { timeoutMs: answerMs });
    const recorded = Object.keys(stack.state?.processes ?? {}).length > 0;
    if (stack.supervisor || stack.up || recorded || stack.stateProblem || Date.now() >= until) return stack;
    await sleep(10);
  }
}

export async function down(ctx: CliContext, options: { timeout: string }): Promise<void> {
  const timeoutMs = parseTimeout(options.timeout);
  const settings = loadSettings(process.cwd(), ctx.env);
  const started = performance.now();
  const deadline = Date.now() + timeoutMs;
  // A short --timeout leaves less time for an answer, so that killing and reaping still fit in it.
  const answerMs = Math.min(ANSWER_MS, Math.max(200, timeoutMs / 3));
  const first = await findStackOrUp(settings.stackDir, answerMs);
  await waitForUp(first, deadline);
  const stack = first.up ? findStack(settings.stackDir, { timeoutMs: answerMs }) : first;
  const killedBecause = stack.supervisor ? await stopSupervisor(stack, stack.supervisor, deadline, options.timeout) : undefined;
  if (killedBecause) note(`the supervisor (pid ${stack.supervisor!.pid}) was killed: ${killedBecause}; reaping what it left`);
  // The guardian exits once it sees the supervisor gone: "every process gone" includes it.
  const guardian = stack.state?.guardian;
  const guardianDeadline = Math.min(Date.now() + 2000, Math.max(Date.now(), deadline - 1000));
  while (guardian && isSameProcess({ pid: guardian }) && Date.now() < guardianDeadline) await sleep(10);
  // Whatever is still recorded (a dead supervisor, or one that died mid-stop) is reaped here,
  // and whatever carries the stack's mark, recorded or not.
  const now = findStack(settings.stackDir);
  const leftovers = Object.values(now.state?.processes ?? {});
  const groups = await reapGroups(leftovers, (ms) => sleep(ms));
  // A live supervisor found by the mark (its .core-stack was removed) gets what is left of the timeout.
  const marked = await reapSurvivors(settings.stackDir, { wait: (ms) => sleep(ms), timeoutMs: Math.max(1000, deadline - Date.now()) });
  if (now.state && leftovers.length) writeState(now.paths.state, { ...now.state, processes: {} });
  if (now.stateProblem) {
    fs.rmSync(now.paths.state, { force: true });
    throw new InputError(
      'corrupt-state',
      `${now.paths.state}: corrupt state file (${now.stateProblem}); stopped ${marked} process${marked === 1 ? '' : 'es'} found by the stack's mark and removed the file`,
    );
  }
  if (!stack.supervisor && groups + marked === 0) {
    print('not running');
    return;
  }
  const left = [
    ...(groups ? [`${groups} process group${groups === 1 ? '' : 's'} left by a dead supervisor`] : []),
    ...(marked ? [`${marked} stray process${marked === 1 ? '' : 'es'} of the stack`] : []),
  ];
  print(`stopped in ${Math.round(performance.now() - started)} ms${left.length ? ` (${left.join(', ')})` : ''}`);
}
