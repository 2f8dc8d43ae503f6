/**
 * Issue 13, item 3 (the server side): `core dashboard` on a real stack of tiny
 * services, talked to with real HTTP and SSE clients (Node's fetch, the
 * `eventsource` package): the token, the Host check, loopback only, the
 * stream (hello, processes, records, logs, resuming), the actions, and that
 * the token is written nowhere.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/control/client.js';
import type { ProcessState } from '../../src/engine/index.js';
import { runCore } from '../helpers/cli.js';
import { freeOffset, isListening, waitFor } from '../helpers/e2e.js';
import { SseReader, type SseEvent } from '../helpers/sse.js';
import { REPO } from '../helpers/stack.js';
import { tinyProject } from '../helpers/tiny-project.js';

const offset = await freeOffset([100, 101]);
/** A tiny HTTP service (as tinyProject's) that is restarted when it dies. */
const restarting = (i: number) => ({
  name: `tiny-${i}`,
  process: {
    command: process.execPath,
    args: [path.join(REPO, 'tests/fixtures/engine/http-server.mjs'), '${port.http}', '0'],
    compose: {
      availability: { restart: 'always', backoff_seconds: 1 },
      readiness_probe: { http_get: { url: 'http://127.0.0.1:${port.http}/health' }, period_seconds: 1 },
    },
  },
  ports: { http: { port: 100 + i, protocol: 'http' } },
});
const project = tinyProject(offset, 0, {
  extra: {
    'tiny-0': restarting(0),
    'tiny-1': restarting(1),
    // Prints a line when asked (SIGUSR2): a line the test knows to look for.
    talker: {
      name: 'talker',
      process: {
        command: process.execPath,
        args: ['-e', "process.on('SIGUSR2', () => console.log('marker-' + Date.now())); setInterval(() => {}, 1e6); console.log('talker up')"],
      },
    },
  },
});
const ports = [100 + offset, 101 + offset];
const other = tinyProject(offset, 1);
const control = new ControlClient(path.join(project.stackDir, 'core.sock'));

let url: URL;
let token: string;
let base: string;
const readers: SseReader[] = [];
const stream = async (headers: Record<string, string> = {}) => {
  const reader = await SseReader.open(`${base}/api/stream?token=${token}`, headers);
  readers.push(reader);
  return reader;
};
type View = ProcessState & { service: string; ports: { name: string; port: number; url: string | null }[] };
const processesOf = (e: SseEvent) => e.data as View[];
const pidOf = async (name: string) => (await control.process(name)).pid;
const post = (action: string, name: string, init: { headers?: Record<string, string>; query?: string } = {}) =>
  fetch(`${base}/api/process/${action}/${name}${init.query ?? ''}`, { method: 'POST', headers: init.headers ?? {} });

/** A GET with a Host header of our choosing (fetch will not set one). */
function getWithHost(pathAndQuery: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port: Number(url.port), path: pathAndQuery, headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
  });
}

beforeAll(async () => {
  const up = await project.core('up', '-d');
  expect(up.code, up.stderr).toBe(0);
  const result = await project.core('dashboard', '--json');
  expect(result.code, result.stderr).toBe(0);
  const answer = JSON.parse(result.stdout) as { url: string; port: number };
  url = new URL(answer.url);
  expect(Number(url.port)).toBe(answer.port);
  token = url.searchParams.get('token')!;
  base = `http://127.0.0.1:${answer.port}`;
});

afterAll(async () => {
  for (const reader of readers) reader.close();
  await project.core('down');
  project.remove();
  other.remove();
});

describe('core dashboard', () => {
  it('prints a URL on 127.0.0.1 with a 64-hex token, the same one when asked again', async () => {
    expect(url.protocol).toBe('http:');
    expect(url.hostname).toBe('127.0.0.1');
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    const again = await project.core('dashboard');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.trim()).toBe(url.href);
  });

  it('says the stack is not running (exit 1) when it is not', async () => {
    const result = await other.core('dashboard');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('not running');
    expect(result.stderr).not.toContain('    at ');
  });

  it('answers 401 without the token or with a wrong one: the page, the stream, an asset, an action', async () => {
    const wrong = 'f'.repeat(64);
    for (const target of ['/', '/api/stream', '/assets/app.js', `/?token=${wrong}`, `/api/stream?token=${wrong}`, `/assets/app.js?token=${wrong}`]) {
      const response = await fetch(`${base}${target}`);
      expect(response.status, target).toBe(401);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    }
    expect((await post('restart', 'tiny-0')).status).toBe(401);
    expect((await post('restart', 'tiny-0', { headers: { 'x-core-token': wrong } })).status).toBe(401);
  });

  it('refuses a request whose Host is not this listener (DNS rebinding), even with the token', async () => {
    expect(await getWithHost(`/?token=${token}`, `evil.example:${url.port}`)).toBe(403);
    expect(await getWithHost(`/api/stream?token=${token}`, 'localhost')).toBe(403);
    expect(await getWithHost(`/assets/app.js?token=${token}`, `localhost:${url.port}`)).not.toBe(403);
  });

  it('serves the page (or says it is not built) with the security headers', async () => {
    const response = await fetch(`${base}/?token=${token}`);
    expect([200, 503]).toContain(response.status);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('content-security-policy')).not.toContain('unsafe-inline');
  });

  it('listens on 127.0.0.1 only', () => {
    const hexPort = Number(url.port).toString(16).toUpperCase().padStart(4, '0');
    // /proc/net/tcp: "sl local_address rem_address st …", addresses as hex IP:PORT, st 0A = LISTEN.
    const listening = (file: string) =>
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .slice(1)
        .map((line) => line.trim().split(/\s+/))
        .filter((f) => f[1]?.endsWith(`:${hexPort}`) && f[3] === '0A')
        .map((f) => f[1]!);
    expect(listening('/proc/net/tcp')).toEqual([`0100007F:${hexPort}`]);
    expect(listening('/proc/net/tcp6')).toEqual([]);
  });
});

describe('core dashboard --open', () => {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'core-opener-'));
  afterAll(() => fs.rmSync(bin, { recursive: true, force: true }));
  const openWith = (PATH: string, OUT = '') => runCore(['dashboard', '--open'], { cwd: project.dir, env: { CORE_PORT_OFFSET: String(offset), PATH, OUT } });

  it('gives the opener a one-time link as one argument, not the token; the link leads once to the page', async () => {
    const out = path.join(bin, 'argv');
    fs.writeFileSync(path.join(bin, 'xdg-open'), '#!/bin/sh\nprintf "%s\\n" "$#" "$@" > "$OUT.tmp" && mv "$OUT.tmp" "$OUT"\n', { mode: 0o755 });
    const result = await openWith(`${bin}:/usr/bin:/bin`, out);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(url.href);
    const [count, link] = (await waitFor('the opener to run', () => (fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : undefined))).trim().split('\n');
    expect(count).toBe('1');
    expect(link).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${url.port}/open\\?code=[0-9a-f]{32}$`));
    expect(link).not.toContain(token);
    const first = await fetch(link!, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe(`/?token=${token}`);
    expect(first.headers.get('referrer-policy')).toBe('no-referrer');
    expect((await fetch(link!, { redirect: 'manual' })).status).toBe(401);
    expect((await fetch(`${base}/open?code=${'0'.repeat(32)}`, { redirect: 'manual' })).status).toBe(401);
  });

  it('without an opener: says so, prints the URL, exit 0', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'core-no-opener-'));
    try {
      const result = await openWith(empty);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout.trim()).toBe(url.href);
      expect(result.stderr).toContain('xdg-open was not found');
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('the stream', () => {
  it('begins with hello and every process, with service and port links', async () => {
    const reader = await stream();
    const hello = await reader.next((e) => e.event === 'hello');
    expect(hello.data).toMatchObject({ v: 1, engine: 'builtin', root: fs.realpathSync(project.dir), depends_on: { 'tiny-0': [], 'tiny-1': [], talker: [] } });
    const processes = processesOf(await reader.next((e) => e.event === 'processes'));
    expect(processes.map((p) => p.name).sort()).toEqual(['talker', 'tiny-0', 'tiny-1']);
    expect(processes.find((p) => p.name === 'tiny-0')).toMatchObject({
      service: 'tiny-0',
      is_running: true,
      ports: [{ name: 'http', port: ports[0], url: `http://127.0.0.1:${ports[0]}/` }],
    });
    await reader.next((e) => e.event === 'record');
    reader.close();
  });

  it('after a SIGKILL: a record of the exit, then processes showing the process restarted with a new pid', async () => {
    const reader = await stream();
    await reader.next((e) => e.event === 'processes');
    const from = reader.events.length;
    const pid = await pidOf('tiny-0');
    process.kill(pid, 'SIGKILL');
    const exited = await reader.next(
      (e) => e.event === 'record' && (e.data as { type: string; process: string }).type === 'exited' && (e.data as { process: string }).process === 'tiny-0',
      10_000,
      from,
    );
    expect(exited.data).toMatchObject({ pid, reason: 'SIGKILL' });
    expect(Number(exited.id)).toBe((exited.data as { seq: number }).seq);
    const restarted = await reader.next(
      (e) => e.event === 'processes' && processesOf(e).some((p) => p.name === 'tiny-0' && p.is_running && p.pid !== pid && p.restarts >= 1),
      10_000,
      from,
    );
    expect(processesOf(restarted).find((p) => p.name === 'tiny-0')!.pid).toBe(await pidOf('tiny-0'));
    reader.close();
  });

  it('resumes after Last-Event-ID with the later records only', async () => {
    const { last_seq: seen } = await control.events();
    process.kill(await pidOf('tiny-1'), 'SIGKILL');
    await waitFor('tiny-1 to be running again', async () => (await control.process('tiny-1')).restarts >= 1 && (await control.process('tiny-1')).is_ready === 'Ready');
    const reader = await stream({ 'last-event-id': String(seen) });
    const { last_seq: now } = await control.events();
    await reader.next((e) => e.event === 'record' && Number(e.id) >= now);
    const ids = reader.of('record').map((e) => Number(e.id));
    expect(ids[0]).toBe(seen + 1);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => seen + 1 + i));
    expect(reader.of('reset')).toEqual([]);
    reader.close();
  });

  it('brings a line a service prints as logs, with its time and stream', async () => {
    const reader = await stream();
    await reader.next((e) => e.event === 'processes');
    const from = reader.events.length;
    process.kill(await pidOf('talker'), 'SIGUSR2');
    const batch = await reader.next((e) => e.event === 'logs' && (e.data as { line: string }[]).some((l) => l.line.startsWith('marker-')), 10_000, from);
    const line = (batch.data as { name: string; line: string; at: number; stream: string }[]).find((l) => l.line.startsWith('marker-'))!;
    expect(line).toMatchObject({ name: 'talker', stream: 'stdout' });
    expect(typeof line.at).toBe('number');
    reader.close();
  });

  it('is read by a browser-like EventSource client (the eventsource package)', async () => {
    const source = new EventSource(`${base}/api/stream?token=${token}`);
    try {
      const got = await new Promise<{ hello: unknown; processes: View[] }>((resolve, reject) => {
        let hello: unknown;
        const timer = setTimeout(() => reject(new Error('no hello and processes within 10 s')), 10_000);
        source.addEventListener('hello', (e) => (hello = JSON.parse(e.data)));
        source.addEventListener('processes', (e) => {
          clearTimeout(timer);
          resolve({ hello, processes: JSON.parse(e.data) });
        });
        source.onerror = () => {};
      });
      expect(got.hello).toMatchObject({ v: 1 });
      expect(got.processes.map((p) => p.name).sort()).toEqual(['talker', 'tiny-0', 'tiny-1']);
    } finally {
      source.close();
    }
  });
});

describe('the actions', () => {
  it('POST restart with the token header restarts the process: its pid changes', async () => {
    const pid = await pidOf('tiny-1');
    const response = await post('restart', 'tiny-1', { headers: { 'x-core-token': token } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    await waitFor('tiny-1 to run with a new pid', async () => {
      const state = await control.process('tiny-1');
      return state.is_running && state.pid !== pid && state.pid > 0;
    });
  });

  it('refuses a POST with the token only in the URL, and changes nothing', async () => {
    const before = await control.process('tiny-0');
    const response = await post('restart', 'tiny-0', { query: `?token=${token}` });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: string }).error).toContain('x-core-token');
    const after = await control.process('tiny-0');
    expect([after.pid, after.restarts]).toEqual([before.pid, before.restarts]);
  });

  it('answers 404 for a process it does not run', async () => {
    const response = await post('restart', 'nope', { headers: { 'x-core-token': token } });
    expect(response.status).toBe(404);
  });

  it('stop and start', async () => {
    expect((await post('stop', 'talker', { headers: { 'x-core-token': token } })).status).toBe(200);
    await waitFor('talker to stop', async () => !(await control.process('talker')).is_running);
    expect((await post('start', 'talker', { headers: { 'x-core-token': token } })).status).toBe(200);
    await waitFor('talker to run again', async () => (await control.process('talker')).is_running);
  });
});

describe('the token', () => {
  it('is in no file of .core-stack/ or .data/', () => {
    const files = (dir: string): string[] =>
      fs.existsSync(dir)
        ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.isFile() ? [path.join(dir, e.name)] : []))
        : [];
    const all = [...files(project.stackDir), ...files(path.join(project.dir, '.data'))];
    expect(all.length).toBeGreaterThan(2);
    expect(all.filter((file) => fs.readFileSync(file).includes(token))).toEqual([]);
  });

  it('is on no command line (what `ps` shows every local user)', () => {
    const holders = fs.readdirSync('/proc').filter((entry) => {
      if (!/^\d+$/.test(entry)) return false;
      try {
        return fs.readFileSync(`/proc/${entry}/cmdline`).includes(token);
      } catch {
        return false; // gone meanwhile
      }
    });
    expect(holders).toEqual([]);
  });
});

describe('core down', () => {
  it('ends an open stream after the last records and closes the dashboard', async () => {
    const reader = await stream();
    await reader.next((e) => e.event === 'processes');
    const down = await project.core('down');
    expect(down.code, down.stderr).toBe(0);
    await reader.next((e) => e.event === 'record' && (e.data as { type: string; process: string }).type === 'stopped' && (e.data as { process: string }).process === 'talker');
    await waitFor('the stream to end', () => reader.ended, 5000);
    expect(await isListening(Number(url.port))).toBe(false);
  });
});
