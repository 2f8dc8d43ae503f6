/**
 * "Are the processes I started all ready, or has one failed?" — the question
 * `core up -d` asks before it returns. Pure: judged from states, re-asked by the
 * supervisor after every change.
 */
import type { Policy } from './policy.js';
import type { ProcState } from './state.js';

export interface WaitReadyOptions {
  /** Give up after this long (engine clock). */
  readonly timeoutMs: number;
  /** Log lines to include in a failure report (default 20). */
  readonly lines?: number;
}

export type NotReadyReason = 'failed' | 'skipped' | 'stopped' | 'exited' | 'timeout' | 'shutting-down' | 'unknown-process';

export type WaitReadyResult =
  | { readonly ok: true; readonly names: readonly string[] }
  | {
      readonly ok: false;
      readonly reason: NotReadyReason;
      /** The process to blame: for a skipped one, the dependency that failed when known. */
      readonly name: string;
      readonly message: string;
      readonly exitCode: number | null;
      readonly lastProbeError: string | null;
      readonly lastLines: readonly string[];
    };

export interface ReadyView {
  readonly state: ProcState;
  readonly policy: Policy;
  /** Some process waits for it with process_completed(_successfully): ending is its job. */
  readonly awaitedToComplete: boolean;
}

export type Verdict =
  | { readonly kind: 'ok' }
  | { readonly kind: 'pending' }
  | { readonly kind: 'not-ready'; readonly reason: NotReadyReason; readonly name: string; readonly message: string };

function judgeOne(name: string, view: ReadyView): Verdict {
  const { state, policy } = view;
  switch (state.phase) {
    case 'ready':
      return { kind: 'ok' };
    case 'completed':
      // A one-shot is done when it completes; a service that exits 0 is not "ready"
      // (PocketBase exits 0 even on failure, so trust readiness, not the exit code).
      if (policy.oneShot || view.awaitedToComplete) return { kind: 'ok' };
      return { kind: 'not-ready', reason: 'exited', name, message: `${name} exited with code ${state.lastExit?.code ?? 0} instead of staying up` };
    case 'failed':
      return { kind: 'not-ready', reason: 'failed', name, message: `${name} failed: ${state.reason}` };
    case 'skipped':
      return { kind: 'not-ready', reason: 'skipped', name, message: `${name} was not started: ${state.reason}` };
    case 'stopped':
      return { kind: 'not-ready', reason: 'stopped', name, message: `${name} was stopped before it was ready` };
    default:
      return { kind: 'pending' };
  }
}

const RANK: Record<NotReadyReason, number> = {
  failed: 0,
  exited: 1,
  stopped: 2,
  skipped: 3,
  timeout: 4,
  'shutting-down': 5,
  'unknown-process': 6,
};

/**
 * All ok → ok; any not ready → the most telling one (a failure beats the skips it
 * caused); otherwise pending.
 */
export function judge(names: readonly string[], view: (name: string) => ReadyView): Verdict {
  let worst: Verdict & { kind: 'not-ready' } = { kind: 'not-ready', reason: 'unknown-process', name: '', message: '' };
  let found = false;
  let pending = false;
  for (const name of names) {
    const verdict = judgeOne(name, view(name));
    if (verdict.kind === 'pending') pending = true;
    else if (verdict.kind === 'not-ready' && (!found || RANK[verdict.reason] < RANK[worst.reason])) {
      worst = verdict;
      found = true;
    }
  }
  if (found) return worst;
  return pending ? { kind: 'pending' } : { kind: 'ok' };
}

/** On timeout: the first process that is not ready, described with what it is doing. */
export function describeTimeout(names: readonly string[], view: (name: string) => ReadyView, timeoutMs: number): { name: string; message: string } {
  const name = names.find((n) => judgeOne(n, view(n)).kind === 'pending') ?? names[0] ?? '';
  const { state } = view(name);
  const detail: string[] = [];
  if (state.phase === 'waiting') detail.push('still waiting for its dependencies');
  if (state.phase === 'backing-off') detail.push('waiting to restart');
  if (state.restarts > 0) detail.push(`restarted ${state.restarts} times`);
  if (state.lastProbeError) detail.push(`last probe error: ${state.lastProbeError}`);
  return { name, message: `${name} not ready after ${timeoutMs} ms${detail.length ? ` (${detail.join('; ')})` : ''}` };
}
