/**
 * Dependency gating and ordering, pure. `gate` decides, from the current states of
 * a process's dependencies, whether it may start now, must wait, or will never
 * start (and why). It follows process-compose (src/app/project_runner.go,
 * waitIfNeeded) with one deliberate difference: a dependency that is backing off
 * before a restart is waited for, not treated as failed (process-compose #189).
 */
import type { ComposeDoc } from '../compose/schema.js';
import type { DependencyCondition } from '../manifest/compose-keys.js';
import type { Policy } from './policy.js';
import { describeExit } from './state.js';
import type { ProcState } from './state.js';

export interface DepView {
  readonly state: ProcState;
  readonly policy: Policy;
}

export type Gate = { readonly kind: 'go' } | { readonly kind: 'wait'; readonly on: readonly string[] } | { readonly kind: 'skip'; readonly reason: string; readonly cause: string };

type One = 'go' | 'wait' | { reason: string; cause: string };

function endedWhy(name: string, state: ProcState): string {
  if (state.phase === 'failed') return `${name} failed: ${state.reason}`;
  if (state.lastExit) return `${name} ${describeExit(state.lastExit)}`;
  return `${name} ended`;
}

function check(name: string, condition: DependencyCondition, dep: DepView | undefined): One {
  if (!dep) return { reason: `depends on ${name}, which is not defined`, cause: name };
  const { state, policy } = dep;
  // process-compose ignores a dependency that is neither running nor done (disabled,
  // not selected, or stopped by hand) and starts the dependent anyway (#166, #274).
  if (state.phase === 'pending' || state.phase === 'stopped') return 'go';
  if (state.phase === 'skipped') return { reason: `${name} was skipped: ${state.reason}`, cause: state.cause };
  const fail = (reason: string): One => ({ reason, cause: name });
  const ended = state.phase === 'failed' || state.phase === 'completed';
  switch (condition) {
    case 'process_started':
      if (state.launched) return 'go';
      return ended ? fail(endedWhy(name, state)) : 'wait';
    case 'process_healthy':
      if (policy.readiness !== 'probe') return fail(`${name} has no readiness probe, which process_healthy needs`);
      // Ready but failing checks (under failure_threshold): wait for it to recover or restart.
      if (state.phase === 'ready' && state.readinessFailures === 0) return 'go';
      return ended ? fail(`${endedWhy(name, state)} before it was healthy`) : 'wait';
    case 'process_log_ready':
      if (policy.readiness !== 'log') return fail(`${name} has no ready_log_line, which process_log_ready needs`);
      if (state.phase === 'ready') return 'go';
      return ended ? fail(`${endedWhy(name, state)} before it logged "${policy.readyLogLine}"`) : 'wait';
    case 'process_completed':
      if (state.phase === 'completed' || (state.phase === 'failed' && state.lastExit)) return 'go';
      return state.phase === 'failed' ? fail(endedWhy(name, state)) : 'wait';
    case 'process_completed_successfully':
      if (state.phase === 'completed') return 'go';
      return state.phase === 'failed' ? fail(endedWhy(name, state)) : 'wait';
  }
}

export function gate(dependsOn: ComposeDoc['processes'][string]['depends_on'], view: (name: string) => DepView | undefined): Gate {
  const waiting: string[] = [];
  for (const [name, { condition }] of Object.entries(dependsOn ?? {})) {
    const one = check(name, condition, view(name));
    if (one === 'wait') waiting.push(name);
    else if (one !== 'go') return { kind: 'skip', ...one };
  }
  return waiting.length > 0 ? { kind: 'wait', on: waiting } : { kind: 'go' };
}

export function dependenciesOf(doc: ComposeDoc, name: string): string[] {
  return Object.keys(doc.processes[name]?.depends_on ?? {});
}

/**
 * `names` and everything they need, dependencies first. A disabled process is
 * included only when named: like process-compose, a disabled dependency is not
 * pulled in (and `gate` then ignores it).
 */
export function closure(doc: ComposeDoc, names: readonly string[]): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string, named: boolean) => {
    const proc = doc.processes[name];
    if (!proc || seen.has(name) || (proc.disabled && !named)) return;
    seen.add(name);
    for (const dep of dependenciesOf(doc, name)) visit(dep, false);
    order.push(name);
  };
  for (const name of names) visit(name, true);
  return order;
}

/** name → the processes that depend on it (any condition). */
export function dependentsOf(doc: ComposeDoc): Map<string, string[]> {
  const map = new Map<string, string[]>(Object.keys(doc.processes).map((name) => [name, []]));
  for (const name of Object.keys(doc.processes)) {
    for (const dep of dependenciesOf(doc, name)) map.get(dep)?.push(name);
  }
  return map;
}
