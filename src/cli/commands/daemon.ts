/**
 * `core internal supervise`: the detached supervisor behind `core up -d`. The
 * waiting `core up` hands it the prepared stack over the IPC channel (so it
 * neither re-reads nor re-validates the manifests: no zod, no YAML, on the
 * critical path), it reports back readiness over the same channel, then
 * carries on alone.
 */
import fs from 'node:fs';
import { controlPaths } from '../../control/paths.js';
import { WriteHealth } from '../../control/write-health.js';
import { writeComposeFile } from '../../compose/write.js';
import type { DaemonInit, DaemonMessage } from '../../engines/builtin/daemon-protocol.js';
import { supervise } from '../../engines/builtin/supervise.js';
import { watchProgress } from '../../engine/progress.js';
import { CoreError, ExitCode } from '../../support/errors.js';
import type { CliContext } from '../context.js';
import { describeEvent } from '../render/event-line.js';

/** Errors of a write that found no room or no permission to write: never fatal here. */
const WRITE_FAILURES = new Set(['ENOSPC', 'EROFS', 'EDQUOT', 'EFBIG', 'EIO']);

/**
 * The supervisor's own log, `core.log`. A line that cannot be written (disk
 * full, read-only) is dropped and counted, never thrown: the error handler
 * itself writes here, and a throw from it would end the process (exit 7).
 */
function supervisorLog(file: string, health: WriteHealth): (line: string) => void {
  let fd: number | undefined;
  return (line) => {
    try {
      fd ??= fs.openSync(file, 'a', 0o600);
      fs.writeSync(fd, `${new Date().toISOString()} ${line}\n`);
    } catch (error) {
      health.droppedLines(file, error, 1);
    }
  };
}

const send = (message: DaemonMessage) => new Promise<void>((resolve) => (process.send ? process.send(message, () => resolve()) : resolve()));

/** The prepared stack; if `core up` goes away first (bad input, Ctrl-C), so do we. */
const received = () =>
  new Promise<DaemonInit>((resolve) => {
    const quit = () => process.exit(0);
    process.once('disconnect', quit);
    process.once('message', (message: DaemonInit) => {
      process.off('disconnect', quit);
      resolve(message);
    });
  });

export async function daemon(ctx: CliContext): Promise<void> {
  const { settings, plan, doc, secrets, targets, timeoutMs } = await received();
  const paths = controlPaths(settings.stackDir);
  try {
    fs.mkdirSync(paths.logs, { recursive: true, mode: 0o700 });
  } catch {
    // Logging fails and is counted below; supervising does not need the folder.
  }
  const health = new WriteHealth();
  const log = supervisorLog(paths.supervisorLog, health);
  process.on('uncaughtException', (error: NodeJS.ErrnoException) => {
    // Every write of ours handles its own failure; should one slip through, a full or
    // read-only disk is still no reason to end the supervisor (and with it the stack).
    if (error.code && WRITE_FAILURES.has(error.code)) {
      health.droppedLines(paths.supervisorLog, error, 0);
      return;
    }
    log(`internal error: ${error.stack ?? error.message}`);
    process.exit(1);
  });
  let running: Awaited<ReturnType<typeof supervise>>;
  try {
    running = await supervise({
      health,
      note: log,
      settings,
      plan,
      doc,
      ...(secrets ? { secrets } : {}),
      self: ctx.self,
      onApplied: (applied) => void writeComposeFile(plan, { doc: applied, files: [] }).catch((error: Error) => log(`cannot write the compose file: ${error.message}`)),
    });
    running.engine.subscribe((event) => {
      const line = describeEvent(event);
      if (line) log(line);
      if (event.type === 'ready' && event.by !== 'none' && targets.includes(event.name)) void send({ type: 'ready', name: event.name, afterMs: Math.round(event.afterMs) });
    });
  } catch (error) {
    const core = error instanceof CoreError ? error : undefined;
    await send({
      type: 'error',
      exitCode: core?.exitCode ?? ExitCode.runtime,
      reason: core?.reason ?? 'internal',
      message: core?.message ?? String(error),
      details: core?.details ?? [],
    });
    process.exit(core?.exitCode ?? ExitCode.runtime);
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void running.shutdown());
  running.engine.start(targets);
  const stopProgress = watchProgress(running.engine, targets, (line) => {
    log(`waiting: ${line}`);
    void send({ type: 'progress', line });
  });
  const result = await running.engine.waitReady(targets, { timeoutMs });
  stopProgress();
  if (result.ok) {
    log(`stack up: ${targets.join(', ')}`);
    await send({ type: 'result', ok: true, outcomes: result.outcomes });
  } else {
    log(`not ready: ${result.message}; stopping`);
    await running.shutdown();
    await send({ type: 'result', ok: false, name: result.name, message: result.message, lastProbeError: result.lastProbeError, lastLines: result.lastLines });
  }
  if (process.connected) process.disconnect();
  await writeComposeFile(plan, { doc, files: [] }).catch((error: Error) => log(`cannot write the compose file: ${error.message}`));
  await running.stopped;
  log('supervisor stopped');
  process.exit(0);
}
