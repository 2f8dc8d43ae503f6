/**
 * Stops the process groups a state file records, without the supervisor: used
 * by `core down` when the supervisor is dead and by the guardian when it dies.
 * A group is signalled only while its leader is the very process we started
 * (same pid and start time), or when its leader is gone but the group lives on:
 * Linux does not hand out a pid that is still some group's id, so that group
 * can only be ours.
 */
import { groupExists, isSameProcess, startTimeOf } from '../support/proc.js';
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
