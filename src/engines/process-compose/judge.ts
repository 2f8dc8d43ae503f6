/**
 * "Is the stack up?" from what process-compose reports (GET /processes), with
 * the same rules as the built-in engine's `judge` (engine/wait-ready.ts): a
 * readiness check passed → healthy; no check → running once it has stayed up
 * RUNNING_SETTLE_MS; a job some process waits for with process_completed(_successfully)
 * → completed, with its exit code; an error, a skip, a crash loop or a service
 * that ended → a failure. Pure.
 */
import type { ComposeDoc } from '../../compose/schema.js';
import type { ProcessOutcome, ProcessState } from '../../engine/index.js';
import { awaitedToComplete } from '../../engine/wait-ready.js';
import { CRASHES_BEFORE_UP, RUNNING_SETTLE_MS } from '../../engine/policy.js';

export type PcVerdict =
  | { readonly kind: 'ok'; readonly outcomes: readonly ProcessOutcome[] }
  /** `waiting`: the first target not up yet (named on a timeout). */
  | { readonly kind: 'pending'; readonly waiting: string }
  | { readonly kind: 'failed'; readonly name: string; readonly message: string; readonly exitCode: number | null };

type One = { readonly kind: 'ok'; readonly outcome: ProcessOutcome } | { readonly kind: 'pending' } | (PcVerdict & { kind: 'failed' });

/** Time from start to ready, when process-compose tells both. */
export function readyAfter(s: ProcessState): number {
  const times = s as unknown as { process_start_time?: string; process_ready_time?: string };
  const start = Date.parse(times.process_start_time ?? '');
  const ready = Date.parse(times.process_ready_time ?? '');
  return Number.isFinite(start) && Number.isFinite(ready) ? Math.max(0, ready - start) : 0;
}

function judgeOne(doc: ComposeDoc, awaited: ReadonlySet<string>, s: ProcessState): One {
  const name = s.name;
  const proc = doc.processes[name];
  const failed = (message: string): One => ({ kind: 'failed', name, message, exitCode: s.exit_code });
  switch (s.status) {
    case 'Error':
      return failed(`${name} failed (exit code ${s.exit_code})`);
    case 'Skipped':
      return failed(`${name} was not started (a dependency failed)`);
    case 'Restarting':
      // As in the built-in engine: a restart gets its chance, a crash loop fails `up`.
      if (s.restarts + 1 < CRASHES_BEFORE_UP) return { kind: 'pending' };
      return failed(`${name} exited with code ${s.exit_code} before it was up, ${s.restarts + 1} times in a row (restarting)`);
    case 'Completed': {
      const success = [0, ...(proc?.success_exit_codes ?? [])].includes(s.exit_code);
      if (success && (proc?.['x-core']?.one_shot || awaited.has(name))) {
        return { kind: 'ok', outcome: { name, status: 'completed', exitCode: s.exit_code, durationMs: Number.isFinite(s.age) ? Math.round(s.age / 1_000_000) : 0 } };
      }
      return failed(success ? `${name} exited with code ${s.exit_code} instead of staying up` : `${name} failed (exit code ${s.exit_code})`);
    }
    case 'Running':
    case 'Launched': {
      const checked = proc?.readiness_probe !== undefined || proc?.ready_log_line !== undefined;
      if (checked) return s.is_ready === 'Ready' ? { kind: 'ok', outcome: { name, status: 'healthy', readyMs: readyAfter(s) } } : { kind: 'pending' };
      return s.age >= RUNNING_SETTLE_MS * 1_000_000 ? { kind: 'ok', outcome: { name, status: 'running' } } : { kind: 'pending' };
    }
    default:
      return { kind: 'pending' };
  }
}

export function judgePcStates(doc: ComposeDoc, targets: readonly string[], states: readonly ProcessState[]): PcVerdict {
  const awaited = awaitedToComplete(doc);
  const byName = new Map(states.map((s) => [s.name, s]));
  const outcomes: ProcessOutcome[] = [];
  let waiting: string | undefined;
  for (const name of targets) {
    const state = byName.get(name);
    const one: One = state ? judgeOne(doc, awaited, state) : { kind: 'pending' };
    if (one.kind === 'failed') return one;
    if (one.kind === 'ok') outcomes.push(one.outcome);
    else waiting ??= name;
  }
  return waiting === undefined ? { kind: 'ok', outcomes } : { kind: 'pending', waiting };
}
