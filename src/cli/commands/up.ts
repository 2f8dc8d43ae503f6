/**
 * `core up [svc…]`: in the foreground (prefixed output, Ctrl-C stops everything
 * gracefully) or detached with `-d` (returns once every service is up: healthy,
 * running for a moment when it has no readiness check, or completed for a job;
 * on failure, a crash or a restart names the service, its exit code, last probe
 * error and log lines, stops what it started and exits 1).
 */
import type { ChildProcess } from 'node:child_process';
import { controlPaths } from '../../control/paths.js';
import { supervise } from '../../control/supervise.js';
import { writeComposeFile } from '../../compose/write.js';
import { ExitCode, InputError, RuntimeError } from '../../support/errors.js';
import { loadSettings } from '../../support/load-settings.js';
import { ENGINES, type EngineName } from '../../support/settings.js';
import type { CliContext } from '../context.js';
import { note, print, printJson } from '../output.js';
import { parseTimeout } from '../flags.js';
import { foreground } from '../foreground.js';
import { prepare } from '../prepare.js';
import { createPrefixedPrinter } from '../render/prefixed.js';
import { outcomeLine, upSummary } from '../render/up-summary.js';
import type { ProcessOutcome } from '../../engine/index.js';
import type { DaemonInit, DaemonMessage } from './daemon.js';

export interface UpOptions {
  readonly detach?: boolean;
  readonly json?: boolean;
  readonly timeout: string;
  readonly engine?: string;
}

/** The engine from --engine, else CORE_ENGINE. */
function chooseEngine(flag: string | undefined, setting: EngineName): EngineName {
  const engine = flag ?? setting;
  if (!ENGINES.includes(engine as EngineName)) throw new InputError('bad-flag', `${flag ? '--engine' : 'CORE_ENGINE'}: "${engine}" is not one of ${ENGINES.join(', ')}`);
  return engine as EngineName;
}

/** `daemon`: with -d, the supervisor process program.ts started before loading this module. */
export async function up(ctx: CliContext, names: string[], options: UpOptions, daemon?: ChildProcess): Promise<void> {
  const timeoutMs = parseTimeout(options.timeout);
  const engine = chooseEngine(options.engine, loadSettings(process.cwd(), ctx.env).engine);
  if (engine === 'process-compose') daemon?.kill();
  const prepared = await prepare(ctx, names);
  const targets = prepared.services.map((s) => s.name);
  // The compose file is for process-compose and for people; the built-in engine runs from
  // memory, so it is written once the stack is up, not competing with it for the CPU
  // (detached, by the supervisor itself, after `core up -d` has returned).
  const writeCompose = () => writeComposeFile(prepared.plan, prepared.generated);
  if (engine === 'process-compose') {
    await writeCompose();
    return (await import('./up-process-compose.js')).upWithProcessCompose(ctx, prepared, targets, timeoutMs, options);
  }
  if (daemon) return upDetached(daemon, { type: 'init', settings: prepared.settings, plan: prepared.plan, doc: prepared.generated.doc, targets, timeoutMs }, options);

  const printer = createPrefixedPrinter(Object.keys(prepared.generated.doc.processes), (line) => process.stdout.write(`${line}\n`));
  const running = await supervise({
    settings: prepared.settings,
    plan: prepared.plan,
    doc: prepared.generated.doc,
    self: ctx.self,
    onApplied: (doc) => void writeComposeFile(prepared.plan, { doc, files: [] }).catch((error: Error) => note(`cannot write the compose file: ${error.message}`)),
  });
  running.engine.subscribe(printer);
  const session = foreground(running, () => note('stopping… (dependents first)'));
  running.engine.start(targets);
  void running.engine.waitReady(targets, { timeoutMs }).then(async (result) => {
    await writeCompose();
    if (result.ok) note(upSummary(ofTargets(targets, result.outcomes), performance.now()));
    else note(`not ready: ${result.message}`);
  });
  process.exitCode = await session.exitCode();
}

async function upDetached(daemon: ChildProcess, init: DaemonInit, options: UpOptions): Promise<void> {
  const { targets } = init;
  const paths = controlPaths(init.settings.stackDir);
  daemon.send(init);
  const noted = new Set<string>();
  const result = await new Promise<DaemonMessage & { type: 'result' | 'error' }>((resolve, reject) => {
    daemon.on('message', (message: DaemonMessage) => {
      if (message.type === 'ready') {
        noted.add(message.name);
        if (!options.json) note(`${message.name} ready in ${message.afterMs} ms`);
      } else resolve(message);
    });
    daemon.on('exit', (code) => reject(new RuntimeError('supervisor-died', `the supervisor exited (code ${code}) before the stack was up; see ${paths.supervisorLog}`)));
  });
  daemon.removeAllListeners('exit');
  daemon.disconnect();
  daemon.unref();
  if (result.type === 'error') {
    throw result.exitCode === ExitCode.badInput ? new InputError(result.reason, result.message, result.details) : new RuntimeError(result.reason, result.message, result.details);
  }
  reportUp(targets, result, paths.logs, options, noted);
}

export type UpResult =
  | { readonly ok: true; readonly outcomes: readonly ProcessOutcome[] }
  | { readonly ok: false; readonly name: string; readonly message: string; readonly lastProbeError: string | null; readonly lastLines: readonly string[] };

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
export function reportUp(targets: readonly string[], result: UpResult, logs: string, options: UpOptions, noted: ReadonlySet<string> = new Set()): void {
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
