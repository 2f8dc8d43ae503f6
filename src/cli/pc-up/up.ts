/**
 * `core up -f FILE [-f OVERRIDE …] [-e ENV_FILE] [-n NAMESPACE …] [--no-deps] [-d] [PROCESS …]`:
 * a process-compose project, from any folder, on the built-in engine. Its
 * `.core-stack/` goes beside the first file, with the record (pc-stack.ts)
 * that lets `core status`, `logs`, `down`, `restart`, `events` run there find it.
 * In the foreground it ends when every process has ended, with the project's
 * exit code (an `exit_on_*`'s, else 0), as process-compose does headless;
 * with -d it returns once the processes are up, as `core up -d` does.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { alreadyRunning, recordUp, runningSupervisor } from '../../control/lock.js';
import { controlPaths } from '../../control/paths.js';
import { builtinLauncher } from '../../engines/builtin/launch.js';
import { InputError } from '../../support/errors.js';
import { readPcRecord, writePcRecord, type PcRecord } from '../../support/pc-stack.js';
import type { CliContext } from '../context.js';
import { parseTimeout } from '../flags.js';
import { launchUp } from '../up-report.js';
import { loadPc } from './project.js';

export interface PcUpOptions {
  readonly file: readonly string[];
  readonly env?: readonly string[];
  readonly namespace?: readonly string[];
  /** commander's `--no-deps`: false when given. */
  readonly deps?: boolean;
  readonly detach?: boolean;
  readonly json?: boolean;
  readonly timeout: string;
  readonly engine?: string;
}

/** `cwd`: where the files' relative paths (and process-compose's defaults) are read from. */
export async function upPc(ctx: CliContext, processes: readonly string[], options: PcUpOptions, daemon?: ChildProcess, cwd = process.cwd()): Promise<void> {
  const timeoutMs = parseTimeout(options.timeout);
  if (options.engine && options.engine !== 'builtin')
    throw new InputError('bad-flag', `--engine ${options.engine}: core up -f runs a process-compose file on the built-in engine only`);
  const stack = await loadPc(ctx, { files: options.file, envFiles: options.env ?? [], namespaces: options.namespace ?? [], processes, noDeps: options.deps === false }, cwd);
  const { settings, generated } = stack;
  const paths = controlPaths(settings.stackDir);
  const owner = runningSupervisor(paths.lock);
  if (owner) {
    // As `core up` on a running core project: the files as they are now, applied, and PROCESS … brought up.
    if (!sameProject(readRecordIfAny(settings.root), stack.record)) throw alreadyRunning(owner);
    daemon?.kill();
    // The apply finds its project from CORE_ROOT or the current folder: this one, wherever we run.
    return (await import('../commands/apply.js')).upRunning({ ...ctx, env: { ...ctx.env, CORE_ROOT: settings.root } }, processes, options);
  }
  // From here on the stack folder exists: a `core down` a moment later must find this `up`.
  const inProgress = recordUp(paths.upLock, Boolean(options.detach));
  try {
    writePcRecord(settings.root, stack.record);
    dropLogLinks(paths.logs);
    const targets = Object.keys(generated.doc.processes).filter((name) => !generated.doc.processes[name]!.disabled);
    await launchUp({
      launcher: builtinLauncher,
      request: { settings, plan: stack.plan, generated, targets, timeoutMs, self: ctx.self },
      options,
      ...(daemon ? { daemon } : {}),
      endWhenDone: true,
      logs: paths.logs,
    });
  } finally {
    inProgress.release();
  }
}

/** `core up` (no -f) in the folder of a process-compose project: the project again, as `core up -f` last loaded it. */
export async function upPcAgain(ctx: CliContext, root: string, processes: readonly string[], options: Omit<PcUpOptions, 'file'>, daemon?: ChildProcess): Promise<void> {
  const record = readPcRecord(root);
  const again = { ...options, file: record.files, env: record.envFiles, namespace: record.namespaces, deps: !record.noDeps };
  return upPc(ctx, processes.length ? processes : record.processes, again, daemon, record.cwd);
}

function readRecordIfAny(root: string): PcRecord | undefined {
  try {
    return readPcRecord(root);
  } catch {
    return undefined;
  }
}

/** The same files, env files and namespaces: what an apply reloads (the record's) is what was asked. */
function sameProject(a: PcRecord | undefined, b: PcRecord): boolean {
  const same = (x: readonly string[], y: readonly string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return a !== undefined && same(a.files, b.files) && same(a.envFiles, b.envFiles) && same(a.namespaces, b.namespaces) && a.cwd === b.cwd;
}

/**
 * A stack made by an earlier core had `<logs>/<name>.log` linked to the process's
 * `log_location`; the engine now writes that file itself, as process-compose
 * does, so core's own log must not follow such a link into it.
 */
function dropLogLinks(logsDir: string): void {
  if (!fs.existsSync(logsDir)) return;
  for (const entry of fs.readdirSync(logsDir, { withFileTypes: true })) if (entry.isSymbolicLink()) fs.rmSync(path.join(logsDir, entry.name));
}
