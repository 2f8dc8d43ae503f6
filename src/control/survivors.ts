/**
 * Processes of a stack that outlived its control plane: the supervisor and the
 * guardian were killed, or the state file or all of `.core-stack` was removed
 * while the services ran. They are found by their environment marks
 * (marks.ts), so nothing on disk is needed: `core status` reports them and
 * `core down` stops them. The supervisor and the guardian use the same sweep
 * for their own run (daemons that double-forked out of their process group).
 */
import { findMarked, stackId } from '../support/proc-scan.js';
import { isSameProcess, type ProcessIdentity } from '../support/proc.js';
import { commandOf, environOf, ownerOf, processNameOf, RUN_MARK, STACK_MARK } from './marks.js';
import { reapProcesses, sweep, type Wait } from './reaper.js';

export interface Survivor extends ProcessIdentity {
  /** `supervisor`: the `core` process that started the run, still alive though its files are gone. */
  readonly role: 'service' | 'supervisor';
  /** The process it belongs to, where its environment tells. */
  readonly service: string | null;
  readonly command: string;
}

/** Every live process of the stack in `stackDir`, and the live `core` processes that started them. */
export function findSurvivors(stackDir: string): Survivor[] {
  const survivors: Survivor[] = [];
  const owners = new Map<number, ProcessIdentity>();
  for (const p of findMarked(STACK_MARK, stackId(stackDir))) {
    const env = environOf(p.pid);
    survivors.push({ ...p, role: 'service', service: processNameOf(env) ?? null, command: commandOf(p.pid) });
    const owner = ownerOf(env?.get(RUN_MARK));
    if (owner && owner.pid !== process.pid && isSameProcess(owner)) owners.set(owner.pid, owner);
  }
  const marked = new Set(survivors.map((s) => s.pid));
  for (const owner of owners.values()) {
    // process-compose carries the mark itself: it is listed once, as found.
    if (!marked.has(owner.pid)) survivors.unshift({ ...owner, role: 'supervisor', service: null, command: commandOf(owner.pid) });
  }
  return survivors;
}

export interface ReapOptions {
  readonly wait: Wait;
  /** How long a live supervisor gets to stop its stack after SIGTERM. */
  readonly timeoutMs: number;
}

/**
 * `core down`'s last word: stop every process that still carries the stack's
 * mark. A supervisor that is still alive (its `.core-stack` was removed, so
 * `down` could not reach it) is asked first with SIGTERM, so it stops its
 * services in order and does not restart the ones the sweep would kill.
 * Returns how many processes were stopped.
 */
export async function reapSurvivors(stackDir: string, { wait, timeoutMs }: ReapOptions): Promise<number> {
  const survivors = findSurvivors(stackDir);
  if (survivors.length === 0) return 0; // the usual case: one scan of /proc, ~1 ms per 50 processes
  const owners = survivors.filter((s) => s.role === 'supervisor');
  const stoppedOwners = owners.length ? await reapProcesses(owners, wait, timeoutMs) : 0;
  const id = stackId(stackDir);
  // No settle delay (see the guardian's): `down` starts long after a supervisor's death.
  return stoppedOwners + (await sweep(() => findMarked(STACK_MARK, id), { wait }));
}

/** Stop whatever of one run is left: the supervisor after its engine stopped, the guardian after the supervisor died. */
export function sweepRun(run: string, wait: Wait, settleMs = 0): Promise<number> {
  return sweep(() => findMarked(RUN_MARK, run), { wait, settleMs });
}

/** The processes of one run that process `name` left behind, found now (before it may be started again). */
export function leftBy(run: string, name: string): ProcessIdentity[] {
  return findMarked(RUN_MARK, run).filter((p) => processNameOf(environOf(p.pid)) === name);
}
