/**
 * What `core up` on a running stack and `core apply` print: one line per
 * process that changed, with its time to ready, and how many were left
 * untouched; or the same as JSON. Pure.
 */
import type { ProcessDiff, ProcessOutcome, StackDiff } from '../../engine/index.js';
import { formatMs } from './up-summary.js';

/** The `x-core.apply` part of a `POST /project` answer (control/project-route.ts). */
export interface ApplyReport {
  readonly ok: boolean;
  readonly diff: StackDiff;
  readonly started: readonly string[];
  readonly stopped: readonly string[];
  readonly outcomes?: readonly ProcessOutcome[];
  readonly failure?: { readonly name: string; readonly message: string; readonly lastProbeError: string | null; readonly lastLines: readonly string[] };
}

function readiness(outcome: ProcessOutcome | undefined, started: boolean): string {
  if (!outcome) return started ? ', starting' : '';
  switch (outcome.status) {
    case 'healthy':
      return `, ready in ${formatMs(outcome.readyMs)}`;
    case 'running':
      return ', running (no readiness check)';
    case 'completed':
      return `, completed (exit code ${outcome.exitCode}) after ${formatMs(outcome.durationMs)}`;
  }
}

function line(p: ProcessDiff, report: ApplyReport, dryRun: boolean, outcome: ProcessOutcome | undefined): string | undefined {
  const would = dryRun ? 'would be ' : '';
  switch (p.action) {
    case 'add':
      return `+ ${p.name} ${would}added${readiness(outcome, report.started.includes(p.name))}`;
    case 'remove':
      return `- ${p.name} ${would}removed${dryRun ? '' : ' (stopped)'}`;
    case 'replace':
      return `~ ${p.name} ${would}replaced (${p.reasons.join(', ')})${readiness(outcome, report.started.includes(p.name))}${p.updates.length ? `; in place: ${p.updates.join(', ')}` : ''}`;
    case 'keep':
      if (report.started.includes(p.name)) return `^ ${p.name} started${readiness(outcome, report.started.includes(p.name))}`;
      return p.updates.length ? `= ${p.name} ${would}updated in place (${p.updates.join(', ')})` : undefined;
  }
}

const untouched = (report: ApplyReport) => report.diff.processes.filter((p) => p.action === 'keep' && p.updates.length === 0 && !report.started.includes(p.name)).length;

export function applyLines(report: ApplyReport, totalMs: number, dryRun = false): string[] {
  const outcomes = new Map((report.outcomes ?? []).map((o) => [o.name, o]));
  const lines = report.diff.processes.flatMap((p) => line(p, report, dryRun, outcomes.get(p.name)) ?? []);
  const rest = untouched(report);
  const tail = `${rest} ${rest === 1 ? 'process' : 'processes'} untouched`;
  if (dryRun) lines.push(lines.length ? `dry run: nothing changed; ${tail}` : `dry run: no change; ${tail}`);
  else lines.push(lines.length ? `applied in ${formatMs(totalMs)}; ${tail}` : `no change; ${tail}`);
  return lines;
}

/** The `--json` document (its `version` is added by printJson). */
export function applyJson(report: ApplyReport, totalMs: number, dryRun: boolean) {
  const outcomes = new Map((report.outcomes ?? []).map((o) => [o.name, o]));
  return {
    ok: report.ok,
    dry_run: dryRun,
    processes: report.diff.processes.map((p) => {
      const o = outcomes.get(p.name);
      return {
        name: p.name,
        action: p.action,
        reasons: p.action === 'replace' ? p.reasons : [],
        updates: p.action === 'replace' || p.action === 'keep' ? p.updates : [],
        started: report.started.includes(p.name),
        ready_ms: o?.status === 'healthy' ? o.readyMs : null,
      };
    }),
    untouched: untouched(report),
    total_ms: totalMs,
    ...(report.failure ? { failure: { name: report.failure.name, message: report.failure.message, last_probe_error: report.failure.lastProbeError } } : {}),
  };
}
