/**
 * Starts the detached supervisor of `core up -d` as the very first thing, before
 * the up command's own modules load, so the two Node start-ups overlap. It waits
 * for the prepared stack over IPC, or exits when `core up` goes away.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { CliContext } from './context.js';

export function spawnDaemon(ctx: CliContext): ChildProcess {
  const [node, ...entry] = ctx.self as [string, ...string[]];
  // Its own session, so it outlives this terminal; it logs to .core-stack/logs/core.log itself.
  return spawn(node, [...entry, 'internal', 'supervise'], { detached: true, stdio: ['ignore', 'ignore', 'ignore', 'ipc'], env: ctx.env as NodeJS.ProcessEnv });
}
