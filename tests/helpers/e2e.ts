/**
 * End-to-end helpers: a throw-away project that runs the real stack on its own
 * ports (CORE_PORT_OFFSET), the built CLI, and bounded waits on real conditions.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
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

/**
 * A project on `offset` (CORE_PORT_OFFSET). Never 0: several stacks share a
 * machine, and a developer's own stack may hold the default ports; take a fixed
 * offset of the file's own, or `await freeOffset()`.
 */
export function e2eProject(offset: number, edits?: Parameters<typeof makeProject>[0]): E2eProject {
  if (!Number.isInteger(offset) || offset <= 0)
    throw new Error(`e2eProject(${offset}): tests must not run on the default ports; use a fixed offset of the file's own or await freeOffset()`);
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

/** The default stack's ports: NATS client and monitor, PocketBase, Caddy (and 2019, once Caddy's admin port). */
export const STACK_PORTS: readonly number[] = [4222, 8222, 8090, 2015, 2019];

/**
 * Test offsets sit on one lattice: 5000 + a multiple of 300. Two offsets on it
 * never differ by the gap between two default ports (132, 2207, 3868, 4000,
 * 6075, 6207), so no two stacks of the suite share a port, nor do their tiny
 * services (offset + 100… +399). And every port stays below 32768, the start
 * of Linux's ephemeral range: a port the kernel hands to some client
 * connection (a probe, a NATS client) cannot be one a test is about to listen on.
 * Fixed offsets (one per test file): 5000…9200, 20000 (faults), 23000
 * (process-compose interop).
 */
export const OFFSET_STEP = 300;

/**
 * Where freeOffset looks: the lattice between the fixed offsets (12800–19700).
 * CORE_TEST_FREE_BAND=12800-13700 narrows it (a machine whose users share out
 * offset ranges).
 */
export const FREE_BAND = bandFrom(process.env.CORE_TEST_FREE_BAND) ?? { from: 12800, to: 19700, step: OFFSET_STEP };

function bandFrom(text: string | undefined): { from: number; to: number; step: number } | undefined {
  const match = /^(\d+)-(\d+)$/.exec(text ?? '');
  return match ? { from: Number(match[1]), to: Number(match[2]), step: OFFSET_STEP } : undefined;
}

/**
 * An offset whose ports (`bases` + offset) are all free now, from `band`. Race
 * tolerant, as far as a test can be without holding the ports: the search
 * starts at a random slot, so two files choosing at once rarely meet; within
 * one suite run an offset is claimed by a file created exclusively in the run's
 * temporary folder (given back when the file is done), so no two workers get the same; and each
 * port is checked by binding it, so ports of other stacks on the machine (other
 * suites, a developer's own stack) are passed over. What it cannot prevent: a
 * process outside taking a port between the check and `core up`; `core up` then
 * names the port (exit 2).
 */
export async function freeOffset(bases: readonly number[] = STACK_PORTS, band: { from: number; to: number; step: number } = FREE_BAND): Promise<number> {
  const slots = Math.floor((band.to - band.from) / band.step) + 1;
  const first = Math.floor(Math.random() * slots);
  for (let i = 0; i < slots; i++) {
    const offset = band.from + ((first + i) % slots) * band.step;
    if (!claim(offset)) continue;
    if (await allFree(bases.map((base) => base + offset))) return offset;
    unclaim(offset);
  }
  throw new Error(`no offset in ${band.from}..${band.to} has ports ${bases.join(', ')} all free`);
}

const claims = new Set<string>();
const claimFile = (offset: number) => path.join(os.tmpdir(), `core-port-offset-${offset}.claim`);

function claim(offset: number): boolean {
  const file = claimFile(offset);
  try {
    fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
  } catch {
    return false; // another file of this run has it
  }
  if (claims.size === 0) {
    process.once('exit', () => {
      for (const held of claims) fs.rmSync(held, { force: true });
    });
  }
  claims.add(file);
  return true;
}

/**
 * Give back every offset this test file claimed, once its own clean-up has run
 * (tests/release-offsets.ts, a setup file: its afterAll runs after the file's).
 * A worker process runs many files, so its exit alone would come too late: the
 * band (23 offsets) ran out once the suite had more files that claim one.
 */
export function releaseOffsets(): void {
  for (const held of claims) fs.rmSync(held, { force: true });
  claims.clear();
}

function unclaim(offset: number): void {
  const file = claimFile(offset);
  claims.delete(file);
  fs.rmSync(file, { force: true });
}

/** Bind each port on loopback and let go: EADDRINUSE (or any error) means not free. */
async function allFree(ports: readonly number[]): Promise<boolean> {
  for (const port of ports) {
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
    });
    if (!free) return false;
  }
  return true;
}
