/**
 * `core up -d`: the detached supervisor is a second Node start-up, on the
 * critical path of every `up`. This starts it before commander and the up
 * command's modules load (~15 ms earlier than the action could), so the two
 * start-ups overlap as much as they can. The `up` action takes it over
 * (program.ts); should commander never run that action (a bad flag), main.ts
 * disposes of it, and the supervisor exits as its parent goes away anyway.
 */
import type { ChildProcess } from 'node:child_process';
import { recordUp, runningSupervisor, type Lock } from '../control/lock.js';
import { controlPaths } from '../control/paths.js';
import { loadSettings } from '../support/load-settings.js';
import type { CliContext } from './context.js';
import { spawnDaemon } from './spawn-daemon.js';

export interface EarlyUp {
  readonly inProgress: Lock | undefined;
  readonly daemon: ChildProcess;
}

let early: EarlyUp | undefined;

/**
 * `up` with -d and nothing that could change the path (another engine, help, `--`).
 * Anything unusual goes the ordinary way, through commander: this only decides earlier.
 */
export function wantsEarlyUp(argv: readonly string[]): boolean {
  const [command, ...rest] = argv;
  if (command !== 'up' || !rest.some((arg) => arg === '-d' || arg === '--detach')) return false;
  // -f: a process-compose file, whose stack folder is known only once it is loaded (pc-up/up.ts).
  return !rest.some(
    (arg) => arg === '--' || arg === '-h' || arg === '--help' || arg.startsWith('--engine') || arg.startsWith('--host') || arg.startsWith('-f') || arg.startsWith('--file'),
  );
}

/**
 * As the `up` action does first: record this `up` (a `core down` must find us), then start the
 * supervisor. Not on a running stack: there `up` applies the manifests and needs no supervisor.
 */
export function startEarlyUp(ctx: CliContext): void {
  try {
    if (runningSupervisor(controlPaths(loadSettings(process.cwd(), ctx.env).stackDir).lock)) return;
  } catch {
    return; // a bad .env or another user's folder: the ordinary path reports it
  }
  early = { inProgress: recordUpInProgress(ctx, true), daemon: spawnDaemon(ctx) };
}

/** The `up` action's: what was started early, if it fits what commander parsed (detached). */
export function takeEarlyUp(detached: boolean): EarlyUp | undefined {
  const taken = early;
  early = undefined;
  if (taken && !detached) {
    dispose(taken);
    return undefined;
  }
  return taken;
}

/** main.ts, once commander is done: what no action took is stopped and forgotten. */
export function disposeEarlyUp(): void {
  if (early) dispose(early);
  early = undefined;
}

function dispose({ inProgress, daemon }: EarlyUp): void {
  daemon.kill();
  inProgress?.release();
}

/** Record this `core up` in the stack folder (lock.ts recordUp); a folder of another user is refused here. */
export function recordUpInProgress(ctx: CliContext, detached: boolean): Lock | undefined {
  let stackDir: string;
  try {
    stackDir = loadSettings(process.cwd(), ctx.env).stackDir;
  } catch {
    return undefined; // a bad .env: `up` reports it in a moment
  }
  return recordUp(controlPaths(stackDir).upLock, detached);
}
