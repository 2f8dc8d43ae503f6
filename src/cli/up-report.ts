/**
 * The launch and the end of `core up`, either engine and either kind of project
 * (manifests: commands/up.ts, or a process-compose file: pc-up/up.ts): the stack
 * started detached or in the foreground, then what each target came to, or why not.
 */
import type { ChildProcess } from 'node:child_process';
import type { ProcessOutcome } from '../engine/index.js';
import type { EngineLauncher, LaunchRequest, ReadyResult } from '../engines/index.js';
import { RuntimeError } from '../support/errors.js';
import { foreground } from './foreground.js';
import { note, print, printJson } from './output.js';
import { createPrefixedPrinter } from './render/prefixed.js';
import { outcomeLine, upSummary } from './render/up-summary.js';

export interface UpLaunch {
  readonly launcher: EngineLauncher;
  /** The request but for what detached or foreground decides here. */
  readonly request: Omit<LaunchRequest, 'detach' | 'note' | 'onReady' | 'printer' | 'daemon' | 'endWhenDone'>;
  readonly options: { readonly detach?: boolean; readonly json?: boolean };
  /** The supervisor program.ts started early (detached, an engine that uses one). */
  readonly daemon?: ChildProcess;
  /** Foreground: stop once every process has ended (process-compose's headless rule, `core up -f`). */
  readonly endWhenDone?: boolean;
  /** Where the logs are, for a failure's last words. */
  readonly logs: string;
  /** Foreground: the line once every target is up (or why not). */
  readonly onForegroundReady?: (result: ReadyResult) => void;
}

/** Launch; detached, report the outcome (or throw why not); in the foreground, run until stopped and set the exit code. */
export async function launchUp({ launcher, request, options, daemon, endWhenDone, logs, onForegroundReady }: UpLaunch): Promise<void> {
  const noted = new Set<string>();
  const stack = await launcher.launch({
    ...request,
    detach: Boolean(options.detach),
    note,
    ...(options.detach
      ? {
          ...(launcher.usesDaemon && daemon ? { daemon } : {}),
          onReady: (name: string, afterMs: number) => {
            noted.add(name);
            if (!options.json) note(`${name} ready in ${afterMs} ms`);
          },
        }
      : {
          ...(endWhenDone ? { endWhenDone } : {}),
          printer: createPrefixedPrinter(Object.keys(request.generated.doc.processes), (line) => process.stdout.write(`${line}\n`)),
        }),
  });
  if (options.detach) return reportUp(request.targets, await stack.waitReady(), logs, options, noted);
  const session = foreground(stack, () => note(stack.stoppingNote));
  if (onForegroundReady) void stack.waitReady().then(onForegroundReady);
  process.exitCode = await session.exitCode();
}

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
