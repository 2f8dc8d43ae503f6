/**
 * Stops the process groups a state file records, without the supervisor: used
 * by `core down` when the supervisor is dead and by the guardian when it dies.
 * It also stops single processes found by their environment mark (a daemon
 * that left its group with setsid, a child the state file never recorded):
 * `reapProcesses` and `sweep`.
 * A group is signalled only while its leader is the very process we started
 * (same pid and start time), or when its leader is gone but the group lives on:
 * Linux does not hand out a pid that is still some group's id, so that group
 * can only be ours.
 */
import { groupExists, isSameProcess, signalIfSame, startTimeOf, type ProcessIdentity } from '../support/proc.js';
import type { RecordedProcess } from './state-file.js';

export type Wait = (ms: number) => Promise<void>;

function ours(recorded: RecordedProcess): boolean {
  if (isSameProcess(recorded)) return true;
  return startTimeOf(recorded.pgid) === undefined && groupExists(recorded.pgid);
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Gone already.
  }
}

/** SIGTERM every recorded group that is still ours, then SIGKILL what is left after `graceMs`. */
export async function reapGroups(processes: readonly RecordedProcess[], wait: Wait, graceMs = 1000): Promise<number> {
  const live = processes.filter(ours);
  for (const p of live) signalGroup(p.pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (live.some((p) => groupExists(p.pgid)) && Date.now() < deadline) await wait(20);
  for (const p of live) if (groupExists(p.pgid)) signalGroup(p.pgid, 'SIGKILL');
  return live.length;
}

/**
 * A process we may signal: a pid above 1, not ourselves, with a known start
 * time that it still has (so a pid recycled since it was found is never hit).
 */
function stillOurs(p: ProcessIdentity): boolean {
  return p.pid > 1 && p.pid !== process.pid && p.start_time !== undefined && isSameProcess(p);
}

function signalProcess(p: ProcessIdentity, signal: NodeJS.Signals): void {
  if (p.start_time !== undefined) signalIfSame(p, signal); // checked again right before every signal
}

/**
 * SIGTERM each process (found by a mark, not by its group), SIGKILL what is
 * left after `graceMs`, and return once they are all gone (or `graceMs` more
 * has passed): the caller's next scan must not find them again.
 */
export async function reapProcesses(processes: readonly ProcessIdentity[], wait: Wait, graceMs = 1000): Promise<number> {
  const live = processes.filter(stillOurs);
  for (const p of live) signalProcess(p, 'SIGTERM');
  const waitGone = async (ms: number) => {
    const deadline = Date.now() + ms;
    while (live.some(stillOurs) && Date.now() < deadline) await wait(20);
  };
  await waitGone(graceMs);
  for (const p of live) signalProcess(p, 'SIGKILL');
  await waitGone(graceMs);
  return live.length;
}

export interface SweepOptions {
  readonly wait: Wait;
  readonly graceMs?: number;
  /**
   * Scan once more this long after the first scan even when it found nothing: a
   * child forked by a supervisor that died before the child's exec still runs
   * with the supervisor's (unmarked) environment for a moment.
   */
  readonly settleMs?: number;
}

const MAX_PASSES = 8;

/**
 * Reap whatever `find` returns until it returns nothing: a process may fork
 * (or exec into its mark) while the last ones are being stopped. Bounded, so a
 * fork loop cannot hold `down` forever. Returns how many processes it stopped.
 */
export async function sweep(find: () => readonly ProcessIdentity[], { wait, graceMs = 1000, settleMs = 0 }: SweepOptions): Promise<number> {
  const started = Date.now();
  const stopped = new Set<string>();
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const found = find().filter((p) => !stopped.has(`${p.pid}:${p.start_time}`));
    if (found.length === 0) {
      const settleLeft = started + settleMs - Date.now();
      if (settleLeft <= 0) break;
      await wait(settleLeft);
      continue;
    }
    for (const p of found) stopped.add(`${p.pid}:${p.start_time}`);
    await reapProcesses(found, wait, graceMs);
  }
  return stopped.size;
}
