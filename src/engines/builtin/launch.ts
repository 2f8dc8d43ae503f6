/**
 * `core up` on the built-in engine. In the foreground the supervisor runs in
 * this process (supervise.ts); detached, in the supervisor program.ts spawned
 * before anything loaded (`core internal supervise`, cli/commands/daemon.ts),
 * which is handed the prepared stack over IPC and answers with its readiness.
 *
 * The compose file is for process-compose and for people; the built-in engine
 * runs from memory, so it is written once the stack is up, not competing with
 * it for the CPU (detached: by the supervisor, after `core up -d` has returned).
 */
import type { ChildProcess } from 'node:child_process';
import { controlPaths } from '../../control/paths.js';
import { writeComposeFile } from '../../compose/write.js';
import { watchProgress } from '../../engine/progress.js';
import { ExitCode, InputError, RuntimeError } from '../../support/errors.js';
import type { EngineLauncher, LaunchedStack, LaunchRequest, ReadyResult } from '../engine.js';
import { whenAllEnded } from './all-ended.js';
import type { DaemonInit, DaemonMessage } from './daemon-protocol.js';

async function foreground(request: LaunchRequest): Promise<LaunchedStack> {
  const { settings, plan, generated, targets, timeoutMs, note } = request;
  // Loaded here: `core up -d` hands the stack to its supervisor and never loads the engine itself.
  const { supervise } = await import('./supervise.js');
  const running = await supervise({
    settings,
    plan,
    doc: generated.doc,
    ...(generated.secrets ? { secrets: generated.secrets } : {}),
    self: request.self,
    note, // the foreground's own lines (stderr): a watched path that is not there yet, a write that fails
    onApplied: (doc) => void writeComposeFile(plan, { doc, files: [] }).catch((error: Error) => note(`cannot write the compose file: ${error.message}`)),
  });
  if (request.printer) running.engine.subscribe(request.printer);
  running.engine.start(targets);
  if (request.endWhenDone) whenAllEnded(running.engine, targets, () => void running.shutdown());
  const stopProgress = watchProgress(running.engine, targets, note);
  const ready = running.engine.waitReady(targets, { timeoutMs }).then(async (result) => {
    stopProgress();
    await writeComposeFile(plan, generated);
    return result;
  });
  return {
    waitReady: () => ready,
    shutdown: () => void running.shutdown(),
    exitCode: running.exitCode,
    stoppingNote: 'stopping… (dependents first)',
  };
}

/** The detached supervisor's answer; it stopped everything itself when the stack is not ready. */
async function answer(daemon: ChildProcess, request: LaunchRequest): Promise<ReadyResult> {
  const paths = controlPaths(request.settings.stackDir);
  const result = await new Promise<DaemonMessage & { type: 'result' | 'error' }>((resolve, reject) => {
    daemon.on('message', (message: DaemonMessage) => {
      if (message.type === 'ready') request.onReady?.(message.name, message.afterMs);
      else if (message.type === 'progress') request.note(message.line);
      else resolve(message);
    });
    daemon.on('exit', (code) => reject(new RuntimeError('supervisor-died', `the supervisor exited (code ${code}) before the stack was up; see ${paths.supervisorLog}`)));
  });
  daemon.removeAllListeners('exit');
  daemon.disconnect();
  daemon.unref();
  if (result.type === 'error') {
    throw result.exitCode === ExitCode.badInput ? new InputError(result.reason, result.message, result.details) : new RuntimeError(result.reason, result.message, result.details);
  }
  const { type: _, ...ready } = result;
  return ready;
}

function detached(request: LaunchRequest): LaunchedStack {
  const daemon = request.daemon;
  if (!daemon) throw new Error('core up -d on the built-in engine needs the supervisor program.ts spawns');
  const { settings, plan, generated, targets, timeoutMs } = request;
  const init: DaemonInit = { type: 'init', settings, plan, doc: generated.doc, ...(generated.secrets ? { secrets: generated.secrets } : {}), targets, timeoutMs };
  daemon.send(init);
  const ready = answer(daemon, request);
  return {
    waitReady: () => ready,
    // Detached: `core up -d` returns and the supervisor carries on; `core down` stops it.
    shutdown: () => {},
    exitCode: () => ready.then(() => ExitCode.ok),
    stoppingNote: '',
  };
}

export const builtinLauncher: EngineLauncher = {
  name: 'builtin',
  usesDaemon: true,
  lacks: () => undefined,
  launch: async (request) => (request.detach ? detached(request) : foreground(request)),
};
