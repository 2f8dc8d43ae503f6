/**
 * `core up [svc…]`: in the foreground (prefixed output, Ctrl-C stops everything
 * gracefully) or detached with `-d` (returns once every service is healthy,
 * with each one's time-to-ready; on failure names the service, its last probe
 * error and log lines, and stops what it started).
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
  const running = await supervise({ settings: prepared.settings, plan: prepared.plan, doc: prepared.generated.doc, self: ctx.self, onEvent: printer });
  const session = foreground(running, () => note('stopping… (dependents first)'));
  running.engine.start(targets);
  void running.engine.waitReady(targets, { timeoutMs }).then(async (result) => {
    await writeCompose();
    if (result.ok) note(`all ${targets.length} services ready in ${Math.round(performance.now())} ms`);
    else note(`not ready: ${result.message}`);
  });
  process.exitCode = await session.exitCode();
}

async function upDetached(daemon: ChildProcess, init: DaemonInit, options: UpOptions): Promise<void> {
  const { targets } = init;
  const paths = controlPaths(init.settings.stackDir);
  daemon.send(init);
  const readyTimes: Record<string, number> = {};
  const result = await new Promise<DaemonMessage & { type: 'result' | 'error' }>((resolve, reject) => {
    daemon.on('message', (message: DaemonMessage) => {
      if (message.type === 'ready') {
        readyTimes[message.name] = message.afterMs;
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
  reportUp(targets, readyTimes, result, paths.logs, options);
}

export type UpResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly name: string; readonly message: string; readonly lastProbeError: string | null; readonly lastLines: readonly string[] };

/** The end of `core up -d`, either engine: the summary with each time-to-ready, or the failure. */
export function reportUp(targets: readonly string[], readyTimes: Readonly<Record<string, number>>, result: UpResult, logs: string, options: UpOptions): void {
  const totalMs = Math.round(performance.now());
  if (result.ok) {
    if (options.json) printJson({ ok: true, services: targets.map((name) => ({ name, ready_ms: readyTimes[name] ?? null })), total_ms: totalMs });
    else print(`stack up: ${targets.length} service${targets.length === 1 ? '' : 's'} healthy in ${totalMs} ms (${targets.map((n) => `${n} ${readyTimes[n] ?? '?'} ms`).join(', ')})`);
    return;
  }
  const details = [
    ...(result.lastProbeError ? [`last probe error: ${result.lastProbeError}`] : []),
    ...(result.lastLines.length ? [`last log lines of ${result.name}:`, ...result.lastLines.map((line) => `  ${line}`)] : []),
    `everything it started has been stopped; full logs: ${logs}/`,
  ];
  throw new RuntimeError('not-ready', result.message, details);
}
