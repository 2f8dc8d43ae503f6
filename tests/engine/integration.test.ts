/**
 * The engine with real children, probes and log files, on tiny fixture programs.
 * Nothing sleeps: each step awaits an engine event or a probe result.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { ComposeDoc, ComposeProcess } from '../../src/compose/schema.js';
import { createSupervisor } from '../../src/engine/index.js';
import type { EngineEvent, Supervisor } from '../../src/engine/index.js';
import { httpProbe } from './fakes.js';
import { waitFor } from '../helpers/e2e.js';

const fixtures = fileURLToPath(new URL('../fixtures/engine/', import.meta.url));
const node = (script: string, ...args: string[]) => [process.execPath, path.join(fixtures, script), ...args];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Alive and not a zombie (this sandbox's pid 1 may not reap orphans). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

interface Live {
  engine: Supervisor;
  events: EngineEvent[];
  logDir: string;
  /** Resolves with the first event (past or future) that matches. */
  event(match: (e: EngineEvent) => boolean): Promise<EngineEvent>;
}

let current: Live | undefined;
afterEach(async () => {
  await current?.engine.stop();
  if (current) fs.rmSync(current.logDir, { recursive: true, force: true });
  current = undefined;
});

function live(processes: Record<string, Partial<ComposeProcess> & { entrypoint: string[] }>): Live {
  const doc: ComposeDoc = {
    version: '0.5',
    name: 'integration',
    processes: Object.fromEntries(Object.entries(processes).map(([n, p]) => [n, { working_dir: fixtures, environment: [], ...p }])),
  };
  const events: EngineEvent[] = [];
  const waiters: { match: (e: EngineEvent) => boolean; resolve: (e: EngineEvent) => void }[] = [];
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-it-'));
  const engine = createSupervisor({
    doc,
    baseEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    logDir,
  });
  engine.subscribe((e) => {
    events.push(e);
    for (const w of [...waiters]) if (w.match(e)) waiters.splice(waiters.indexOf(w), 1) && w.resolve(e);
  });
  const event = (match: (e: EngineEvent) => boolean) =>
    new Promise<EngineEvent>((resolve) => {
      const seen = events.find(match);
      if (seen) resolve(seen);
      else waiters.push({ match, resolve });
    });
  current = { engine, events, logDir, event };
  return current;
}

describe('engine with real processes', () => {
  it('sees an HTTP service ready soon after it listens, and stops it with SIGTERM', async () => {
    const port = await freePort();
    const t = live({ web: { entrypoint: node('http-server.mjs', String(port), '300'), environment: ['GREETING=hello'], readiness_probe: httpProbe(port) } });
    t.engine.start();
    const result = await t.engine.waitReady(['web'], { timeoutMs: 10_000 });
    expect(result).toMatchObject({ ok: true, names: ['web'], outcomes: [{ name: 'web', status: 'healthy' }] });
    const listening = await t.event((e) => e.type === 'output' && e.line.startsWith('listening'));
    const ready = await t.event((e) => e.type === 'ready');
    const listenedAt = Number(listening.type === 'output' && listening.line.split(' at ')[1]);
    // Fast-phase checks: seen within tens of ms (generous bound for a loaded 2-core box).
    expect(ready.at - listenedAt).toBeLessThan(250);
    expect(t.engine.processState('web')).toMatchObject({ status: 'Running', is_ready: 'Ready' });

    await t.engine.stop();
    expect(t.events.filter((e) => e.type === 'exited')).toEqual([expect.objectContaining({ name: 'web', code: 0 })]);
    expect(fs.readFileSync(path.join(t.logDir, 'web.log'), 'utf8')).toMatch(/^booting, GREETING=hello\nlistening on \d+ at \d+\nSIGTERM: closing\n$/);
  });

  it('a liveness check over its kept connection catches a hung server within a period plus the timeout', async () => {
    const port = await freePort();
    const liveness = httpProbe(port, { period_seconds: 1, timeout_seconds: 1, failure_threshold: 1 });
    const t = live({
      web: {
        entrypoint: node('http-server.mjs', String(port), '0'),
        readiness_probe: httpProbe(port),
        liveness_probe: liveness,
        'x-core': { service: 'web', liveness_failure: 'restart' },
      },
    });
    t.engine.start();
    expect(await t.engine.waitReady(['web'], { timeoutMs: 10_000 })).toMatchObject({ ok: true });
    const started = await t.event((e) => e.type === 'started');
    const pid = started.type === 'started' ? started.pid! : 0;
    // Two passing liveness checks: the second went over the connection the first left open.
    await t.event((e) => e.type === 'probe' && e.probe === 'liveness' && e.ok && t.events.filter((x) => x.type === 'probe' && x.probe === 'liveness').length >= 2);
    const stoppedAt = Date.now();
    process.kill(pid, 'SIGSTOP');
    try {
      const failed = await t.event((e) => e.type === 'probe' && e.probe === 'liveness' && !e.ok);
      expect(failed).toMatchObject({ name: 'web', error: 'timed out after 1000 ms' });
      // At most one period to the next check, then its timeout (plus a loaded machine's slack).
      expect(failed.at - stoppedAt).toBeLessThan(1000 + 1000 + 1000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect(await t.event((e) => e.type === 'stopping')).toMatchObject({ name: 'web', reason: 'liveness probe failed 1 times: timed out after 1000 ms' });
  });

  it('readiness by native TCP connect and by an exec probe run with bash', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const execProbe = { ...httpProbe(0), http_get: undefined, exec: { command: `echo > /dev/tcp/127.0.0.1/${b}` } };
    const t = live({
      tcp: { entrypoint: node('http-server.mjs', String(a), '100'), 'x-core': { service: 'tcp', readiness_tcp: { host: '127.0.0.1', port: a } } },
      exec: { entrypoint: node('http-server.mjs', String(b), '100'), readiness_probe: execProbe },
    });
    t.engine.start();
    expect(await t.engine.waitReady(undefined, { timeoutMs: 10_000 })).toMatchObject({ ok: true });
    const lastFailure = t.events.filter((e) => e.type === 'probe' && !e.ok && e.name === 'tcp').at(-1);
    expect(lastFailure).toMatchObject({ error: `connect 127.0.0.1:${a}: connect ECONNREFUSED 127.0.0.1:${a}` });
  });

  it('escalates to SIGKILL after timeout_seconds for a process that ignores SIGTERM', async () => {
    const t = live({ stubborn: { entrypoint: node('ignore-sigterm.mjs'), ready_log_line: 'ready', shutdown: { signal: 15, timeout_seconds: 1 } } });
    t.engine.start();
    expect(await t.engine.waitReady(['stubborn'], { timeoutMs: 10_000 })).toMatchObject({ ok: true });
    const began = Date.now();
    await t.engine.stop();
    expect(Date.now() - began).toBeGreaterThanOrEqual(990);
    expect(t.events.map((e) => e.type)).toContain('killing');
    expect(t.events.find((e) => e.type === 'exited')).toMatchObject({ code: null, signal: 'SIGKILL' });
    expect(t.events.some((e) => e.type === 'output' && e.line === 'ignoring SIGTERM')).toBe(true);
  });

  it('leaves no child of a process behind after stop', async () => {
    const t = live({ parent: { entrypoint: node('fork-child.mjs'), ready_log_line: 'child up', shutdown: { signal: 15, timeout_seconds: 5 } } });
    t.engine.start();
    expect(await t.engine.waitReady(['parent'], { timeoutMs: 10_000 })).toMatchObject({ ok: true });
    const line = await t.event((e) => e.type === 'output' && e.line.startsWith('child pid'));
    const childPid = Number(line.type === 'output' && line.line.split(' ').at(-1));
    expect(alive(childPid)).toBe(true);
    await t.engine.stop();
    // The SIGKILLed child closes its pipes (which ends the stop) a moment before the
    // kernel marks it dead: give that moment, bounded, no more.
    await waitFor('the child gone', () => !alive(childPid) || undefined, 1000, 5);
    // The parent exited on SIGTERM; its child (ignoring SIGTERM) went with the group sweep, not after a timeout.
    expect(t.events.map((e) => e.type)).not.toContain('killing');
  });

  it('reports a process that exits 1, with its output, and skips its dependents', async () => {
    const port = await freePort();
    const t = live({
      broken: { entrypoint: node('exit-one.mjs') },
      web: { entrypoint: node('http-server.mjs', String(port), '0'), depends_on: { broken: { condition: 'process_completed_successfully' } } },
    });
    t.engine.start();
    const result = await t.engine.waitReady(undefined, { timeoutMs: 10_000 });
    expect(result).toEqual({
      ok: false,
      reason: 'failed',
      name: 'broken',
      message: 'broken failed: exited with code 1',
      exitCode: 1,
      lastProbeError: null,
      lastLines: ['starting', 'fatal: cannot open database'],
    });
    expect(t.engine.processState('web')).toMatchObject({ status: 'Skipped', reason: 'broken failed: exited with code 1' });
  });

  it('fails a process whose executable does not exist, with the reason', async () => {
    const t = live({ ghost: { entrypoint: ['no-such-binary-here'] } });
    t.engine.start();
    expect(await t.engine.waitReady(undefined, { timeoutMs: 10_000 })).toMatchObject({
      ok: false,
      message: 'ghost failed: could not start: no-such-binary-here was not found on PATH',
    });
  });
});
