/**
 * The end of `core up -d`, either engine and either kind of project (manifests,
 * or a process-compose file: pc-up/up.ts): what each target came to, or why not.
 */
import type { ProcessOutcome } from '../engine/index.js';
import type { ReadyResult } from '../engines/index.js';
import { RuntimeError } from '../support/errors.js';
import { note, print, printJson } from './output.js';
import { outcomeLine, upSummary } from './render/up-summary.js';

/** The targets' outcomes, in the order they were asked for. */
export function ofTargets(targets: readonly string[], outcomes: readonly ProcessOutcome[]): ProcessOutcome[] {
  const byName = new Map(outcomes.map((o) => [o.name, o]));
  return targets.flatMap((name) => byName.get(name) ?? []);
}

/** One entry of `core up -d --json`'s `services`. */
function outcomeJson(o: ProcessOutcome) {
  const base = { name: o.name, status: o.status, ready_ms: o.status === 'healthy' ? o.readyMs : null };
  return o.status === 'completed' ? { ...base, exit_code: o.exitCode, duration_ms: o.durationMs } : base;
}

/**
 * The end of `core up -d`, either engine: a line for each target not yet noted
 * (no readiness check, or a completed job) and a short summary, or the failure.
 */
export function reportUp(targets: readonly string[], result: ReadyResult, logs: string, options: { readonly json?: boolean }, noted: ReadonlySet<string> = new Set()): void {
  const totalMs = Math.round(performance.now());
  if (result.ok) {
    const outcomes = ofTargets(targets, result.outcomes);
    if (options.json) return printJson({ ok: true, services: outcomes.map(outcomeJson), total_ms: totalMs });
    for (const outcome of outcomes) if (!noted.has(outcome.name)) note(outcomeLine(outcome));
    print(upSummary(outcomes, totalMs));
    return;
  }
  const details = [
    ...(result.lastProbeError ? [`last probe error: ${result.lastProbeError}`] : []),
    ...(result.lastLines.length ? [`last log lines of ${result.name}:`, ...result.lastLines.map((line) => `  ${line}`)] : []),
    `everything it started has been stopped; full logs: ${logs}/`,
  ];
  throw new RuntimeError('not-ready', result.message, details);
}
