/**
 * What the states call for once the input queue is empty, pure: release or
 * skip waiting processes by their dependencies' conditions, and during a
 * shutdown (or for the processes an apply stops) stop each one no running
 * process among those stopping still depends on, so dependents go first; a
 * shutdown without `ordered_shutdown` stops everything at once.
 */
import type { ComposeProcess } from '../compose/schema.js';
import { gate } from './dependencies.js';
import type { QueuedInput } from './input-queue.js';
import type { Policy } from './policy.js';
import { RUNNING } from './state.js';
import type { ProcState } from './state.js';

/** Not running, waiting or about to restart. */
export const isIdle = (state: ProcState) => !RUNNING.has(state.phase) && state.phase !== 'waiting' && state.phase !== 'backing-off';

export interface SettleRunner {
  readonly name: string;
  readonly state: ProcState;
  readonly ctx: { readonly proc: ComposeProcess; readonly policy: Policy };
}

export interface SettleScope<R extends SettleRunner> {
  readonly runners: ReadonlyMap<string, R>;
  readonly dependents: ReadonlyMap<string, readonly string[]>;
  readonly shuttingDown: boolean;
  /** `ordered_shutdown`: a whole-stack stop goes dependents first (else all at once). */
  readonly ordered: boolean;
  /** Processes an apply is stopping (always dependents first). */
  readonly stopSet: ReadonlySet<string>;
}

export function settleInputs<R extends SettleRunner>({ runners, dependents, shuttingDown, ordered, stopSet }: SettleScope<R>): QueuedInput<R>[] {
  const inputs: QueuedInput<R>[] = [];
  const view = (name: string) => {
    const runner = runners.get(name);
    return runner && { state: runner.state, policy: runner.ctx.policy };
  };
  const among = (name: string) => shuttingDown || stopSet.has(name);
  // Asked after every input (a probe's answer: 200 a second on a large idle stack): without a
  // stop under way, only waiting processes are looked at, with no lookup per process.
  const stopping = shuttingDown || stopSet.size > 0;
  for (const runner of runners.values()) {
    if (stopping && among(runner.name)) {
      const state = runner.state;
      // (`starting` never outlives a step; excluding it keeps this loop finite regardless.)
      const needsStop = state.phase === 'stopping' ? state.then.kind !== 'stop' : !isIdle(state) && state.phase !== 'starting';
      const running = (name: string) => {
        const phase = runners.get(name)?.state.phase;
        return phase !== undefined && RUNNING.has(phase);
      };
      const inOrder = ordered || !shuttingDown;
      const blocked = inOrder && (dependents.get(runner.name) ?? []).some((d) => among(d) && running(d));
      if (needsStop && !blocked) inputs.push({ runner, input: { type: 'stop' } });
      continue;
    }
    if (runner.state.phase !== 'waiting') continue;
    const verdict = gate(runner.ctx.proc.depends_on, view);
    if (verdict.kind === 'go') inputs.push({ runner, input: { type: 'deps-ready' } });
    else if (verdict.kind === 'skip') inputs.push({ runner, input: { type: 'deps-failed', reason: verdict.reason, cause: verdict.cause } });
  }
  return inputs;
}
