/**
 * Issue 9, items 2, 4, 5, 14, 19: the control plane under faults, with a real
 * supervisor running tiny HTTP services (ports CORE_PORT_OFFSET 5300 + 100…).
 * Malformed requests over the real socket, a stopped supervisor, `down` racing
 * `up -d`, another user, a long probe error.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/control/client.js';
import { CORE } from '../helpers/cli.js';
import { alive, isListening, waitFor } from '../helpers/e2e.js';
import { canUseSecondUser, runAsOtherUser } from '../helpers/second-user.js';
import { processesIn } from '../helpers/stack-processes.js';
import { tinyProject } from '../helpers/tiny-project.js';

const OFFSET = 5300;
const project = tinyProject(OFFSET, 2, {
  extra: {
    // Never ready: its exec probe fails with a 300-character message (item 19).
    wordy: {
      name: 'wordy',
      process: {
        command: process.execPath,
        args: ['-e', 'setInterval(() => {}, 1000)'],
        compose: {
          readiness_probe: { exec: { command: [process.execPath, '-e', "console.log('the probe failed for a very long reason '.repeat(8)); process.exit(1)"] }, period_seconds: 1 },
        },
      },
    },
  },
});
const paths = { state: path.join(project.stackDir, 'state.json'), socket: path.join(project.stackDir, 'core.sock') };
const state = () => JSON.parse(fs.readFileSync(paths.state, 'utf8'));

/** Start the stack unless it runs: each test stands alone (and can be run alone with -t). */
async function up(): Promise<void> {
  if (fs.existsSync(paths.state) && alive(state().supervisor.pid)) return;
  const result = await project.core('up', '-d', 'tiny-0', 'tiny-1');
  expect(result.code, result.stderr).toBe(0);
}

/** Everything of the stack is gone: no process in the project, no port listening. */
async function expectNothingRuns(): Promise<void> {
  await waitFor('every process of the stack gone', () => processesIn(project.dir).length === 0 || undefined, 3000).catch(() => undefined);
  expect(processesIn(project.dir)).toEqual([]);
  for (const port of project.ports) expect(await isListening(port), `port ${port}`).toBe(false);
}

afterEach(async () => {
  // A test that failed half-way must not leave a stopped supervisor behind.
  try {
    const pid = state().supervisor.pid;
    process.kill(pid, 'SIGCONT');
  } catch {
    // No state, or gone.
  }
});
afterAll(async () => {
  await project.core('down', '--timeout', '10');
  for (const pid of processesIn(project.dir)) process.kill(pid, 'SIGKILL');
  project.remove();
});

/** One raw request over the socket: the status code answered, or 'closed' / 'no answer'. */
function raw(bytes: string | Buffer, options: { keepOpenMs?: number } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ path: paths.socket });
    let answer = '';
    const done = (what: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(what);
    };
    const timer = setTimeout(() => done(answer ? status(answer) : 'no answer'), options.keepOpenMs ?? 3000);
    const status = (text: string) => /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? `garbled: ${text.slice(0, 40)}`;
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (/\r\n\r\n/.test(answer)) done(status(answer));
    });
    socket.on('error', () => done(answer ? status(answer) : 'closed'));
    socket.on('close', () => done(answer ? status(answer) : 'closed'));
  });
}

const request = (line: string, headers: string[] = [], body = '') => `${line}\r\nHost: x\r\nConnection: close\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n${body}`;

describe('the control socket (item 2)', () => {
  it('answers every malformed request with a 4xx, and nothing it receives ends the supervisor', async () => {
    await up();
    const before = state();
    const cases: [string, string | Buffer, string][] = [
      ['bad percent-encoding (the report)', request('GET /process/%E0%A4%A HTTP/1.1'), '400'],
      ['bad percent-encoding in a route', request('POST /process/restart/%ZZ HTTP/1.1'), '400'],
      ['invalid UTF-8 in a name', request('GET /process/%FF%FE HTTP/1.1'), '400'],
      ['a NUL in a name', request('GET /process/%00 HTTP/1.1'), '404'],
      ['an unknown route', request('GET /nope HTTP/1.1'), '404'],
      ['a deep path', request(`GET /process/${'a/'.repeat(1000)} HTTP/1.1`), '404'],
      ['a dot segment', request('GET /process/../live HTTP/1.1'), '404'],
      ['a wrong method', request('DELETE /live HTTP/1.1'), '405'],
      ['GET on a POST route', request('GET /project/stop HTTP/1.1'), '405'],
      ['PATCH on a POST route', request('PATCH /process/restart/tiny-0 HTTP/1.1'), '405'],
      ['a method HTTP does not know', request('BREW /live HTTP/1.1'), '400'],
      ['an absolute-form URL', request('GET http://x/live HTTP/1.1'), '400'],
      ['an asterisk', request('OPTIONS * HTTP/1.1'), '400'],
      ['a non-number offset', request('GET /process/logs/tiny-0/abc/5 HTTP/1.1'), '400'],
      ['a negative limit', request('GET /process/logs/tiny-0/0/-5 HTTP/1.1'), '400'],
      ['a long URL', request(`GET /process/${'x'.repeat(5000)} HTTP/1.1`), '414'],
      ['a huge URL', request(`GET /process/${'x'.repeat(100_000)} HTTP/1.1`), '431'],
      [
        'too many headers',
        request(
          'GET /live HTTP/1.1',
          Array.from({ length: 500 }, (_, i) => `x-${i}: ${'v'.repeat(30)}`),
        ),
        '431',
      ],
      ['a body on project/stop', request('POST /project/stop HTTP/1.1', ['Content-Length: 5'], 'hello'), '413'],
      ['a chunked body on restart', request('POST /process/restart/tiny-0 HTTP/1.1', ['Transfer-Encoding: chunked'], '5\r\nhello\r\n0\r\n\r\n'), '413'],
      ['a lying Content-Length', request('POST /process/start/tiny-0 HTTP/1.1', ['Content-Length: 99999999'], 'short'), '413'],
      ['not HTTP at all', 'hello there\r\n\r\n', '400'],
      ['binary garbage', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 97) % 256)), '400'],
      ['a bad HTTP version', 'GET /live HTTP/9.9\r\n\r\n', '400'],
    ];
    const answers: Record<string, string> = {};
    for (const [what, bytes] of cases) answers[what] = await raw(bytes);
    expect(answers).toEqual(Object.fromEntries(cases.map(([what, , code]) => [what, code])));

    // Slow clients: one that never finishes its headers, many that connect and say nothing.
    const slow = raw('GET /live HTTP/1.1\r\nHost: x\r\n', { keepOpenMs: 8000 });
    const idle = Array.from({ length: 50 }, () => raw('', { keepOpenMs: 1000 }));
    const client = new ControlClient(paths.socket, 2000);
    expect(await client.live()).toEqual({ status: 'alive' });
    expect(['408', 'closed']).toContain(await slow);
    await Promise.all(idle);

    // Still the same supervisor, the same services, all healthy.
    expect(alive(before.supervisor.pid)).toBe(true);
    expect(await client.live()).toEqual({ status: 'alive' });
    const processes = await client.processes();
    for (const name of ['tiny-0', 'tiny-1']) {
      const p = processes.find((q) => q.name === name)!;
      expect(p.pid).toBe(before.processes[name].pid);
      expect(p.is_ready).toBe('Ready');
    }
    const status = await project.core('status');
    expect(status.code, status.stderr).toBe(0);
  }, 40_000);
});

describe('status (item 19)', () => {
  it('cuts a long probe error in the table, and gives it whole in --json', async () => {
    await up();
    const restart = await project.core('restart', 'wordy');
    expect(restart.code, restart.stderr).toBe(0);
    const client = new ControlClient(paths.socket, 2000);
    const error = await waitFor('the long probe error', async () => (await client.process('wordy')).last_probe_error ?? undefined);
    expect(error.length).toBeGreaterThan(300);
    const table = await project.core('status');
    expect(table.code, table.stderr).toBe(0);
    for (const line of table.stdout.trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(180);
    expect(table.stdout).toContain('…');
    const json = JSON.parse((await project.core('status', '--json')).stdout);
    expect(json.processes.find((p: { name: string }) => p.name === 'wordy').last_probe_error).toBe(error);
    await client.stop('wordy');
  }, 30_000);
});

describe('another local user (item 14)', () => {
  it.skipIf(!canUseSecondUser)('is told the stack folder belongs to someone else (exit 2), by status, down and restart', async () => {
    await up();
    fs.chmodSync(project.dir, 0o755);
    expect(fs.statSync(project.stackDir).mode & 0o777).toBe(0o700);
    const supervisor = state().supervisor.pid;
    for (const args of [['status'], ['status', '--json'], ['down'], ['restart', 'tiny-0'], ['logs']]) {
      const result = await runAsOtherUser(process.execPath, [CORE, ...args], { cwd: project.dir, env: { CORE_ROOT: project.dir } });
      expect(result.code, `${args.join(' ')}: ${result.stdout}${result.stderr}`).toBe(2);
      expect(result.stderr).toContain(`${project.stackDir} belongs to user root (uid 0), not to you`);
    }
    expect(alive(supervisor)).toBe(true);
  });
});

describe('a stopped supervisor (item 4)', () => {
  it('status says it is stopped; down --timeout 5 kills it and reaps everything within ~5 s', async () => {
    await up();
    const { supervisor, guardian, processes } = state();
    process.kill(supervisor.pid, 'SIGSTOP');
    const statusStarted = Date.now();
    const status = await project.core('status');
    expect(Date.now() - statusStarted).toBeLessThan(3000);
    expect(status.code).not.toBe(0);
    expect(status.stderr).toContain(`the supervisor (pid ${supervisor.pid}) is stopped (SIGSTOP)`);

    const started = Date.now();
    const down = await project.core('down', '--timeout', '5');
    const took = Date.now() - started;
    expect(down.code, down.stderr).toBe(0);
    expect(took).toBeLessThan(5500);
    expect(down.stderr).toContain('was killed: it was stopped (SIGSTOP)');
    expect(alive(supervisor.pid)).toBe(false);
    expect(alive(guardian)).toBe(false);
    for (const p of Object.values(processes) as { pid: number }[]) expect(alive(p.pid)).toBe(false);
    await expectNothingRuns();
  }, 30_000);
});

describe('down racing up -d (item 5)', () => {
  it('down 50 ms after up -d waits for it, then stops it: nothing runs afterwards, every time', async () => {
    for (let round = 0; round < 3; round++) {
      const upping = project.core('up', '-d', 'tiny-0', 'tiny-1');
      await sleep(50);
      const down = await project.core('down');
      const up = await upping;
      expect(down.code, `round ${round}: ${down.stdout}${down.stderr}`).toBe(0);
      expect(down.stdout, `round ${round}`).not.toContain('not running');
      expect(up.code, `round ${round}: ${up.stderr}`).toBe(0);
      await expectNothingRuns();
      expect(fs.existsSync(path.join(project.stackDir, 'up.lock'))).toBe(false);
    }
  }, 60_000);
});
