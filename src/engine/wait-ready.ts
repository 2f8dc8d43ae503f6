/**
 * "Are the processes I started all ready, or has one failed?" — the question
 * `core up -d` asks before it returns. Pure: judged from states, re-asked by the
 * supervisor after every change.
 */
import type { ComposeDoc } from '../compose/schema.js';
import { CRASHES_BEFORE_UP, RUNNING_SETTLE_MS } from './policy.js';
import type { Policy } from './policy.js';
import { describeExit } from './state.js';
import type { ProcState } from './state.js';

export interface WaitReadyOptions {
  /** Give up after this long (engine clock). */
  readonly timeoutMs: number;
  /** Log lines to include in a failure report (default 20). */
  readonly lines?: number;
}

export type NotReadyReason = 'failed' | 'restarting' | 'skipped' | 'stopped' | 'exited' | 'timeout' | 'shutting-down' | 'unknown-process';

/**
 * How a process that is up got there. `healthy`: its readiness check passed (or
 * its log line came). `running`: it has none, and has stayed up RUNNING_SETTLE_MS.
 * `completed`: a one-shot job that ended with a success code.
 */
export type ProcessOutcome =
  | { readonly name: string; readonly status: 'healthy'; readonly readyMs: number }
  | { readonly name: string; readonly status: 'running' }
  | { readonly name: string; readonly status: 'completed'; readonly exitCode: number; readonly durationMs: number };

export type WaitReadyResult =
  | { readonly ok: true; readonly names: readonly string[]; readonly outcomes: readonly ProcessOutcome[] }
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
  | { readonly kind: 'ok'; readonly outcomes: readonly ProcessOutcome[] }
  /** `recheckAt`: judge again then, when a process without a check will have settled. */
  | { readonly kind: 'pending'; readonly recheckAt?: number }
  | { readonly kind: 'not-ready'; readonly reason: NotReadyReason; readonly name: string; readonly message: string };

type One = { readonly kind: 'ok'; readonly outcome: ProcessOutcome } | (Verdict & { kind: 'pending' | 'not-ready' });

/** The processes that some other one waits for with process_completed(_successfully). */
export function awaitedToComplete(doc: ComposeDoc): Set<string> {
  const awaited = new Set<string>();
  for (const proc of Object.values(doc.processes)) {
    for (const [dep, { condition }] of Object.entries(proc.depends_on ?? {})) {
      if (condition === 'process_completed' || condition === 'process_completed_successfully') awaited.add(dep);
    }
  }
  return awaited;
}

function judgeOne(name: string, view: ReadyView, now: number): One {
  const { state, policy } = view;
  switch (state.phase) {
    case 'ready': {
      // A daemon is up once its launcher has exited with success (process-compose's Launched).
      if (policy.daemon && !state.run.launched) return { kind: 'pending' };
      if (policy.readiness !== 'none') return { kind: 'ok', outcome: { name, status: 'healthy', readyMs: state.readyAt - state.run.startedAt } };
      // No check: "ready" only means spawned. Up once it has not exited for a moment.
      const settledAt = state.run.startedAt + RUNNING_SETTLE_MS;
      return now >= settledAt ? { kind: 'ok', outcome: { name, status: 'running' } } : { kind: 'pending', recheckAt: settledAt };
    }
    case 'completed': {
      // A one-shot is done when it completes; a service that exits 0 is not "ready"
      // (PocketBase exits 0 even on failure, so trust readiness, not the exit code).
      const exit = state.lastExit;
      if ((policy.oneShot || view.awaitedToComplete) && exit) {
        return { kind: 'ok', outcome: { name, status: 'completed', exitCode: exit.code ?? 0, durationMs: exit.at - exit.startedAt } };
      }
      return { kind: 'not-ready', reason: 'exited', name, message: `${name} exited with code ${exit?.code ?? 0} instead of staying up` };
    }
    case 'backing-off':
      // One crash during start-up may be a passing thing (a port still closing): the restart
      // gets its chance. A crash loop is not: after CRASHES_BEFORE_UP, `up` fails.
      if (state.restarts + 1 < CRASHES_BEFORE_UP) return { kind: 'pending' };
      return {
        kind: 'not-ready',
        reason: 'restarting',
        name,
        message: `${name} ${state.lastExit ? describeExit(state.lastExit) : 'ended'} before it was up, ${state.restarts + 1} times in a row (restart ${state.restarts + 1} scheduled)`,
      };
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
  restarting: 1,
  exited: 2,
  stopped: 3,
  skipped: 4,
  timeout: 5,
  'shutting-down': 6,
  'unknown-process': 7,
};

/**
 * All up → ok, with how each got there; any not up → the most telling one (a
 * failure beats the skips it caused); otherwise pending, with the earliest time
 * a process without a check settles.
 */
export function judge(names: readonly string[], view: (name: string) => ReadyView, now: number): Verdict {
  let worst: (Verdict & { kind: 'not-ready' }) | undefined;
  let pending = false;
  let recheckAt: number | undefined;
  const outcomes: ProcessOutcome[] = [];
  for (const name of names) {
    const verdict = judgeOne(name, view(name), now);
    if (verdict.kind === 'ok') outcomes.push(verdict.outcome);
    else if (verdict.kind === 'pending') {
      pending = true;
      if (verdict.recheckAt !== undefined) recheckAt = Math.min(recheckAt ?? Infinity, verdict.recheckAt);
    } else if (!worst || RANK[verdict.reason] < RANK[worst.reason]) worst = verdict;
  }
  if (worst) return worst;
  if (pending) return recheckAt === undefined ? { kind: 'pending' } : { kind: 'pending', recheckAt };
  return { kind: 'ok', outcomes };
}

/** On timeout: the first process that is not ready, described with what it is doing. */
export function describeTimeout(names: readonly string[], view: (name: string) => ReadyView, timeoutMs: number): { name: string; message: string } {
  const name = names.find((n) => judgeOne(n, view(n), Infinity).kind === 'pending') ?? names[0] ?? '';
  const { state } = view(name);
  const detail: string[] = [];
  if (state.phase === 'waiting') detail.push('still waiting for its dependencies');
  if (state.phase === 'backing-off') detail.push('waiting to restart');
  if (state.restarts > 0) detail.push(`restarted ${state.restarts} times`);
  if (state.lastProbeError) detail.push(`last probe error: ${state.lastProbeError}`);
  else if (view(name).policy.readiness === 'probe' && state.phase !== 'waiting') detail.push('its readiness probe has not passed yet');
  if (view(name).policy.readiness === 'log' && state.phase !== 'waiting') detail.push(`waiting for log line "${view(name).policy.readyLogLine}"`);
  return { name, message: `${name} not ready after ${timeoutMs} ms${detail.length ? ` (${detail.join('; ')})` : ''}` };
}
