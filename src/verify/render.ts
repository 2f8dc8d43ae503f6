/**
 * A report for a person: a line per step (✓ passed, ✗ failed, – skipped), then
 * the first failure explained: which step, which hop, which error. Pure.
 */
import type { ProcessState } from '../engine/index.js';
import type { StepResult, VerifyReport } from './types.js';

const mark = (s: StepResult) => (!s.ok ? (s.skipped ? '–' : '✗') : s.skipped ? '–' : '✓');

export function renderReport(report: VerifyReport, totalMs: number): string[] {
  if (report.steps.length === 0) return ['nothing to verify: the stack has no services'];
  const width = Math.max(...report.steps.map((s) => s.name.length));
  const lines = report.steps.map((s) => {
    const tail = s.skipped ? (s.ok ? `skipped: ${s.skipped}` : s.skipped) : `${s.ms} ms`;
    return `${mark(s)} ${s.name.padEnd(width)}  ${tail}`;
  });
  const failures = report.steps.filter((s) => !s.ok && !s.skipped);
  if (failures.length === 0) {
    lines.push('', `verified: ${report.steps.filter((s) => !s.skipped).length} steps passed in ${totalMs} ms`);
    return lines;
  }
  const first = failures[0]!;
  lines.push('', `verify failed at "${first.name}"`, `  hop:   ${first.hop}`, `  error: ${first.error}`);
  const others = failures.slice(1).map((s) => s.name);
  if (others.length) lines.push(`  (${others.length} more step${others.length === 1 ? '' : 's'} failed: ${others.join(', ')})`);
  return lines;
}

/** Process names a hop passes through: `client → caddy (…) → pocketbase` → caddy, pocketbase. */
function hopProcesses(hop: string): string[] {
  return [...hop.matchAll(/→ ([a-z][a-z0-9-]*)/g)].map((m) => m[1]!);
}

/**
 * A failed step whose hop passes a process the engine does not report running
 * says so: "connection refused" reads differently once you know Caddy is stopped.
 */
export function withStateHints(report: VerifyReport, states: ReadonlyMap<string, ProcessState>): VerifyReport {
  const steps = report.steps.map((step) => {
    if (step.ok || step.skipped || !step.error) return step;
    const down = hopProcesses(step.hop).flatMap((name) => {
      const state = states.get(name);
      return state && !state.is_running ? [`${name} is ${state.status}`] : [];
    });
    return down.length ? { ...step, error: `${step.error} (core status: ${down.join(', ')})` } : step;
  });
  return { ...report, steps };
}
