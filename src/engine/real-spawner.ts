/**
 * The only place the engine starts a service process. Each child leads its own
 * process group (`detached: true` → setsid), so one signal to `-pid` reaches
 * everything it forked.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { isExecutable, onPath } from '../support/executable.js';
import { createLineSplitter } from './line-splitter.js';
import type { Child, ChildExit, SpawnResult, SpawnSpec, Spawner, Stream } from './interfaces.js';

/**
 * After the leader exits we wait for its pipes to close, so no output is lost;
 * a grandchild that left the group (setsid) may hold them open, so not forever.
 * A daemon usually does (process-compose waits `launch_timeout_seconds`, 5 s by
 * default, for them): its launcher's exit is seen after this, and what the daemon
 * prints later still reaches the process's log.
 */
const CLOSE_GRACE_MS = 500;

/** Send a signal to a pid or a process group, ignoring "no such process". */
export function signalProcess(pid: number, signal: number | NodeJS.Signals, group: boolean): void {
  try {
    process.kill(group ? -pid : pid, signal);
  } catch {
    // ESRCH: already gone. EPERM cannot happen for our own children.
  }
}

function splitLines(stream: Readable, emit: (line: string) => void): void {
  const splitter = createLineSplitter(emit);
  stream.on('data', (chunk: Buffer) => splitter.push(chunk));
  stream.on('end', () => splitter.end());
}

/** Check up front what a failed exec would only tell us vaguely and late. */
export function preflight(spec: SpawnSpec): string | undefined {
  try {
    if (!fs.statSync(spec.cwd).isDirectory()) return `working_dir ${spec.cwd} is not a directory`;
  } catch {
    return `working_dir ${spec.cwd} does not exist`;
  }
  if (spec.command.includes('/')) {
    const file = path.resolve(spec.cwd, spec.command);
    return isExecutable(file) ? undefined : `${spec.command} is not an executable file`;
  }
  if (onPath(spec.command, spec.env.PATH ?? '', spec.cwd)) return undefined;
  return `${spec.command} was not found on PATH`;
}

export const realSpawner: Spawner = {
  spawn(spec: SpawnSpec): SpawnResult {
    const problem = preflight(spec);
    if (problem) return { ok: false, error: problem };
    let proc: ChildProcess;
    try {
      proc = spawn(spec.command, [...spec.args], { cwd: spec.cwd, env: { ...spec.env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      // Invalid arguments (a NUL byte in an argument or value) throw at once.
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    const outputListeners: ((line: string, stream: Stream) => void)[] = [];
    const exitListeners: ((exit: ChildExit) => void)[] = [];
    let reported = false;
    let exited = false;
    const report = (exit: ChildExit) => {
      if (reported) return;
      reported = true;
      for (const listener of exitListeners) listener(exit);
    };
    for (const stream of ['stdout', 'stderr'] as const) {
      const readable = proc[stream];
      if (!readable) continue;
      splitLines(readable, (line) => {
        for (const listener of outputListeners) listener(line, stream);
      });
    }
    proc.on('error', (error) => {
      if (proc.pid === undefined) report({ code: null, signal: null, error: `could not start ${spec.command}: ${error.message}` });
    });
    proc.on('exit', (code, signal) => {
      exited = true;
      const pid = proc.pid;
      // The leader is gone: whatever it left in its group would be an orphan we
      // no longer track, so it goes too. Linux does not hand out a pid that is
      // still some group's id, so -pid cannot hit a stranger while members live.
      // A daemon's launcher leaves its daemon there on purpose (`is_daemon`).
      if (pid !== undefined && !spec.keepGroup) signalProcess(pid, 'SIGKILL', true);
      const exit: ChildExit = { code, signal };
      const timer = setTimeout(() => report(exit), CLOSE_GRACE_MS);
      proc.once('close', () => {
        clearTimeout(timer);
        report(exit);
      });
    });
    const child: Child = {
      pid: proc.pid,
      onOutput: (listener) => void outputListeners.push(listener),
      onExit: (listener) => void exitListeners.push(listener),
      kill: (signal, group) => {
        // After the exit the pid may be reused: never signal it then.
        if (proc.pid !== undefined && !exited) signalProcess(proc.pid, signal, group);
      },
    };
    return { ok: true, child };
  },
};
