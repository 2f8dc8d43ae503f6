/**
 * End-to-end helpers: a throw-away project that runs the real stack on its own
 * ports (CORE_PORT_OFFSET), the built CLI, and bounded waits on real conditions.
 */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { isSameProcess } from '../../src/support/proc.js';
import { makeProject, runCore, type CliResult } from './cli.js';

export const ADMIN = { email: 'admin@example.com', password: 'e2e-password-123' };

export interface E2eProject {
  readonly dir: string;
  readonly env: Record<string, string>;
  readonly port: (base: number) => number;
  core(...args: string[]): Promise<CliResult>;
}

export function e2eProject(offset: number, edits?: Parameters<typeof makeProject>[0]): E2eProject {
  const dir = makeProject(edits);
  const env = {
    CORE_PORT_OFFSET: String(offset),
    CORE_POCKETBASE_ADMIN_EMAIL: ADMIN.email,
    CORE_POCKETBASE_ADMIN_PASSWORD: ADMIN.password,
  };
  return { dir, env, port: (base) => base + offset, core: (...args) => runCore(args, { cwd: dir, env }) };
}

/** Poll a condition (a probe of real state) until it holds or the deadline passes. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function isListening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Alive and not a zombie (an orphan's zombie lingers until PID 1 reaps it). */
export function alive(pid: number): boolean {
  return isSameProcess({ pid });
}
