/**
 * What `core up` on a running stack and `core apply` print: one line per
 * process that changed, with its time to ready, and how many were left
 * untouched; or the same as JSON. Under process-compose, its own words for what
 * it did (`Applied`, engines/engine.ts). Pure.
 */
import type { ProcessDiff, ProcessOutcome } from '../../engine/index.js';
import type { Applied, ApplyReport } from '../../engines/engine.js';
import { unreachable } from '../../support/errors.js';
import { formatMs } from './up-summary.js';

export type { ApplyReport };

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

/** A kept process whose reloadable config changed: reloaded in place (same pid), already on it, or failed. */
function reloadLine(p: ProcessDiff & { action: 'keep' }, report: ApplyReport, dryRun: boolean): string | undefined {
  const fields = p.updates.filter((u) => u !== 'x-core.reload');
  const also = fields.length ? `; in place: ${fields.join(', ')}` : '';
  if (dryRun) return `↻ ${p.name} would be reloaded (its config, same pid)${also}`;
  const done = report.reloaded?.find((r) => r.name === p.name);
  if (done?.signalled)
    return `↻ ${p.name} reloaded in ${formatMs(done.afterMs)} (same pid; ${done.digest ? `config verified, ${done.digest.slice(0, 19)}…` : 'not verified'})${also}`;
  if (done?.digest) return `= ${p.name} already runs its new config${also}`;
  if (done) return `= ${p.name} not signalled: it was restarting, and reads its new config as it starts${also}`;
  if (report.failure?.names?.includes(p.name)) return `! ${p.name} reload failed: it runs on its old config${also}`;
  return undefined;
}

function line(p: ProcessDiff, report: ApplyReport, dryRun: boolean, outcome: ProcessOutcome | undefined): string | undefined {
  const would = dryRun ? 'would be ' : '';
  if (p.action === 'keep' && p.reload && !report.started.includes(p.name)) {
    const reload = reloadLine(p, report, dryRun);
    if (reload) return reload;
  }
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
  const reloaded = new Map((report.reloaded ?? []).map((r) => [r.name, r]));
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
        reloaded: reloaded.get(p.name)?.signalled ?? false,
        reload_ms: reloaded.get(p.name)?.signalled ? reloaded.get(p.name)!.afterMs : null,
      };
    }),
    untouched: untouched(report),
    total_ms: totalMs,
    ...(report.failure ? { failure: { name: report.failure.name, message: report.failure.message, last_probe_error: report.failure.lastProbeError } } : {}),
  };
}

/** What a command prints for a change either engine carried out: text lines, or the `--json` document when there is one. */
export function renderApplied(applied: Applied): { readonly lines: readonly string[]; readonly json?: object } {
  switch (applied.kind) {
    case 'diff':
      return { lines: applyLines(applied.report, applied.totalMs, applied.dryRun), json: applyJson(applied.report, applied.totalMs, applied.dryRun) };
    case 'reload':
      return {
        lines: [
          ...Object.entries(applied.status).map(([name, s]) => `${name} ${s}`),
          `applied by process-compose in ${applied.totalMs} ms; ${applied.untouched} processes untouched`,
        ],
        json: { ok: applied.report.ok, engine: 'process-compose', status: applied.status, total_ms: applied.totalMs },
      };
    case 'asked':
      return { lines: applied.names.map((name) => `${applied.verb} ${name}`) };
    default:
      return unreachable(applied);
  }
}
