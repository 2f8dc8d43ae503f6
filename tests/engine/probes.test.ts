import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeSpec } from '../../src/engine/interfaces.js';
import { PROBE_MARK, realProber } from '../../src/engine/probes.js';
import { findMarked } from '../../src/support/proc-scan.js';

let server: http.Server;
let port: number;
const never = new AbortController().signal;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/slow') return; // never answers
    res.writeHead(req.url === '/health' ? 200 : req.url === '/created' ? 201 : 503);
    res.end(req.headers['x-probe'] ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const get = (p: string, extra: Partial<ProbeSpec & { kind: 'http' }> = {}): ProbeSpec => ({
  kind: 'http',
  scheme: 'http',
  host: '127.0.0.1',
  port,
  path: p,
  headers: {},
  statusCode: 200,
  timeoutMs: 1000,
  ...extra,
});

describe('http probe', () => {
  it('passes on the expected status and fails with what it got', async () => {
    expect(await realProber.check(get('/health'), never)).toEqual({ ok: true });
    expect(await realProber.check(get('/created', { statusCode: 201 }), never)).toEqual({ ok: true });
    expect(await realProber.check(get('/other'), never)).toEqual({
      ok: false,
      error: `GET http://127.0.0.1:${port}/other: status 503, expected 200`,
    });
  });

  it('fails on a refused connection and on a timeout', async () => {
    const refused = await realProber.check({ kind: 'tcp', host: '127.0.0.1', port: 1, timeoutMs: 1000 }, never);
    expect(refused).toEqual({ ok: false, error: 'connect 127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1' });
    expect(await realProber.check(get('/slow', { timeoutMs: 100 }), never)).toEqual({ ok: false, error: 'timed out after 100 ms' });
  });

  it('resolves an aborted check as a failure', async () => {
    const controller = new AbortController();
    const pending = realProber.check(get('/slow', { timeoutMs: 5000 }), controller.signal);
    controller.abort();
    expect(await pending).toEqual({ ok: false, error: 'aborted' });
  });
});

describe('tcp probe', () => {
  it('passes once something listens', async () => {
    expect(await realProber.check({ kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 1000 }, never)).toEqual({ ok: true });
  });
});

describe('exec probe', () => {
  const exec = (command: string, timeoutMs = 2000): ProbeSpec => ({
    kind: 'exec',
    command,
    shell: ['bash', '-c'],
    cwd: os.tmpdir(),
    env: { PATH: process.env.PATH ?? '', WHO: 'probe' },
    timeoutMs,
  });

  it('runs a shell string with the process env and passes on exit 0', async () => {
    expect(await realProber.check(exec('test "$WHO" = probe'), never)).toEqual({ ok: true });
    expect(await realProber.check(exec(`echo > /dev/tcp/127.0.0.1/${port}`), never)).toEqual({ ok: true });
  });

  it("runs the command through the spec's shell and argument (process-compose: the project's shell)", async () => {
    // Any program that takes "<argument> <command>" will do: node -e shows the argv is [shell, argument, command].
    const spec = (command: string): ProbeSpec => ({ ...exec(command), shell: [process.execPath, '-e'] }) as ProbeSpec;
    expect(await realProber.check(spec(`process.exit(process.env.WHO === "probe" && process.cwd() === ${JSON.stringify(fs.realpathSync(os.tmpdir()))} ? 0 : 4)`), never)).toEqual({
      ok: true,
    });
    expect(await realProber.check(spec('process.exit(5)'), never)).toEqual({ ok: false, error: 'process.exit(5): exit code 5' });
  });

  it('fails with the exit code and the end of its output', async () => {
    expect(await realProber.check(exec('echo not yet >&2; exit 3'), never)).toEqual({ ok: false, error: 'echo not yet >&2; exit 3: exit code 3: not yet' });
  });

  it('reports the real exit of a command that leaves a daemon behind, and reaps it, every attempt', async () => {
    const mark = `probe-test-${process.pid}-${Date.now()}`;
    // A double fork (the subshell exits at once) and a setsid'd child: both escape the group and hold the pipes.
    const command = '(setsid sleep 30 &); setsid sleep 31 & echo "id=$CORE_PROBE_ID"; exit 1';
    const spec: ProbeSpec = { kind: 'exec', command, shell: ['bash', '-c'], cwd: os.tmpdir(), env: { PATH: process.env.PATH ?? '', TEST_MARK: mark }, timeoutMs: 2000 };
    const ids = new Set<string>();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const result = await realProber.check(spec, never);
      expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/: exit code 1: id=[0-9a-f-]{36}$/) });
      ids.add(/id=(.*)$/.exec((result as { error: string }).error)![1]!);
      // Reaped before the result: SIGKILLed processes may linger as zombies, which findMarked skips.
      expect(findMarked('TEST_MARK', mark)).toEqual([]);
      expect(findMarked(PROBE_MARK, [...ids].at(-1)!)).toEqual([]);
    }
    expect(ids.size).toBe(3);
  });

  it('kills the whole group of a command that times out', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-'));
    const pidFile = path.join(dir, 'pid');
    const result = await realProber.check(exec(`sleep 30 & echo $! > ${pidFile}; wait`, 300), never);
    expect(result).toEqual({ ok: false, error: 'timed out after 300 ms' });
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    fs.rmSync(dir, { recursive: true });
    // SIGKILL was sent; the kernel finishes it within moments: poll the process table (bounded).
    const gone = () => {
      try {
        process.kill(pid, 0);
        return /^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return true;
      }
    };
    const deadline = Date.now() + 2000;
    while (!gone() && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    expect(gone()).toBe(true);
  });
});
