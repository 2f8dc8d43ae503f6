/**
 * What `core up` says once the stack is up: one line per process that got there
 * without a readiness check, and one short summary line, whatever the size of
 * the stack (500 services used to make it one 12 KB line; `--json` has it all). Pure.
 */
import type { ProcessOutcome } from '../../engine/index.js';

/** Up to this many services, the summary names each; past it, only the slowest. */
export const SUMMARY_LIST_MAX = 6;
/** How many of the slowest a long summary names. */
export const SUMMARY_SLOWEST = 5;

/** Whole milliseconds, as `core up` has always printed them (scripts match "in N ms"). */
export const formatMs = (value: number): string => `${Math.round(value)} ms`;

/** One process's outcome, for a line of its own ("migrate completed (exit code 0) after 1204 ms"). */
export function outcomeLine(outcome: ProcessOutcome): string {
  switch (outcome.status) {
    case 'healthy':
      return `${outcome.name} ready in ${formatMs(outcome.readyMs)}`;
    case 'running':
      return `${outcome.name} running (no readiness check)`;
    case 'completed':
      return `${outcome.name} completed (exit code ${outcome.exitCode}) after ${formatMs(outcome.durationMs)}`;
  }
}

function detail(outcome: ProcessOutcome): string {
  switch (outcome.status) {
    case 'healthy':
      return `${outcome.name} ${formatMs(outcome.readyMs)}`;
    case 'running':
      return `${outcome.name} running`;
    case 'completed':
      return `${outcome.name} completed (exit code ${outcome.exitCode}, ${formatMs(outcome.durationMs)})`;
  }
}

const timeOf = (o: ProcessOutcome) => (o.status === 'healthy' ? o.readyMs : o.status === 'completed' ? o.durationMs : -1);
const plural = (n: number) => `${n} service${n === 1 ? '' : 's'}`;

/**
 * "stack up: 3 services healthy in 780 ms (nats 25 ms, pocketbase 152 ms, caddy 100 ms)", or
 * "stack up: 500 services in 9120 ms: 498 healthy, 2 completed (slowest: a 1204 ms, …, …and 495 more)".
 */
export function upSummary(outcomes: readonly ProcessOutcome[], totalMs: number): string {
  const counts = (['healthy', 'running', 'completed'] as const).map((status) => [status, outcomes.filter((o) => o.status === status).length] as const).filter(([, n]) => n > 0);
  const head =
    counts.length === 1
      ? `${plural(outcomes.length)} ${counts[0]![0]} in ${formatMs(totalMs)}`
      : `${plural(outcomes.length)} in ${formatMs(totalMs)}: ${counts.map(([s, n]) => `${n} ${s}`).join(', ')}`;
  if (outcomes.length === 0) return `stack up: nothing to start`;
  if (outcomes.length <= SUMMARY_LIST_MAX) return `stack up: ${head} (${outcomes.map(detail).join(', ')})`;
  const slowest = [...outcomes].sort((a, b) => timeOf(b) - timeOf(a)).slice(0, SUMMARY_SLOWEST);
  return `stack up: ${head} (slowest: ${slowest.map(detail).join(', ')}, …and ${outcomes.length - slowest.length} more)`;
}
