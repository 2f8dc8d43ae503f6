/**
 * Issue 10 item 6 through the built CLI: `core events --json -f` shows a
 * `core restart`'s events in order, a follower cut off and started again with
 * `--since` resumes exactly (no gap, no duplicate), and after `core down` the
 * last run's events are read from .core-stack/events.ndjson. A throw-away
 * project with one tiny user service (a Node HTTP server); no NATS needed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/engine/index.js';
import { CORE, runCore } from '../helpers/cli.js';

const OFFSET = '7400';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-events-e2e-'));
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CORE_ROOT: dir, CORE_PORT_OFFSET: OFFSET };
const core = (...args: string[]) => runCore(args, { cwd: dir, env });
const followers: ChildProcess[] = [];

fs.mkdirSync(path.join(dir, 'services', 'api'), { recursive: true });
fs.writeFileSync(
  path.join(dir, 'services', 'api', 'service.json'),
  JSON.stringify({
    name: 'api',
    process: {
      command: process.execPath,
      args: ['-e', "require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1')"],
      env: { PORT: '${port.http}' },
      compose: { readiness_probe: { http_get: { url: 'http://127.0.0.1:${port.http}/' }, period_seconds: 1 } },
    },
    ports: { http: { port: 110, protocol: 'http' } },
  }),
);

beforeAll(async () => {
  const up = await core('up', '-d');
  expect(up.code, up.stdout + up.stderr).toBe(0);
});

afterAll(async () => {
  for (const child of followers) if (child.exitCode === null) child.kill();
  await core('down');
  fs.rmSync(dir, { recursive: true, force: true });
});

/** `core events --json -f …` as a child: its records as they come, and bounded waits on them. */
function follow(...args: string[]) {
  const child = spawn(process.execPath, [CORE, 'events', '--json', '-f', ...args], { cwd: dir, env });
  followers.push(child);
  const records: EventRecord[] = [];
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const waiters: { check: () => boolean; resolve: () => void }[] = [];
  const recheck = () => {
    for (const w of [...waiters]) if (w.check()) waiters.splice(waiters.indexOf(w), 1) && w.resolve();
  };
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    records.push(JSON.parse(line) as EventRecord);
    recheck();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    records,
    stderr: () => stderr,
    exited,
    kill: () => child.kill(),
    /** Resolves once a record matches; fails the test after `ms`. */
    until(what: string, match: (r: EventRecord) => boolean, ms = 10_000) {
      return new Promise<EventRecord>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms; got ${records.map((r) => `${r.seq} ${r.type}`).join(', ')}; stderr: ${stderr}`)), ms);
        const check = () => records.some(match);
        const done = () => {
          clearTimeout(timer);
          resolve(records.find(match)!);
        };
        if (check()) done();
        else waiters.push({ check, resolve: done });
      });
    },
  };
}

const seqs = (records: readonly EventRecord[]) => records.map((r) => r.seq);
const consecutive = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * `core restart` is an apply of the service's current definition (a replace):
 * the apply's own events frame the process's. It returns once the new process
 * is started, so the apply ends before the process is ready.
 */
const RESTART = ['apply-started', 'apply-diff', 'stopping', 'exited', 'stopped', 'waiting', 'starting', 'started', 'apply-finished', 'ready'];

describe('core events', () => {
  let afterFirstRestart = 0;

  it('--json -f shows a `core restart` (an apply) in order: the apply, stopping, exited, stopped, waiting, starting, started, ready', async () => {
    const history = await core('events', '--json');
    expect(history.code, history.stderr).toBe(0);
    const before = history.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as EventRecord);
    expect(before.map((r) => r.type)).toEqual(['waiting', 'starting', 'started', 'ready']);
    expect(seqs(before)).toEqual([1, 2, 3, 4]);
    const oldPid = before.find((r) => r.type === 'started')!.pid;

    const follower = follow();
    await follower.until('the history', (r) => r.seq === 4);
    const restart = await core('restart', 'api');
    expect(restart.code, restart.stderr).toBe(0);
    const ready = await follower.until('api ready again', (r) => r.seq > 4 && r.type === 'ready');
    follower.kill();

    const restartEvents = follower.records.filter((r) => r.seq > 4 && r.seq <= ready.seq);
    expect(restartEvents.map((r) => `${r.type} ${r.from}→${r.to}`)).toEqual([
      'apply-started null→null',
      'apply-diff null→null',
      'stopping ready→stopping',
      'exited stopping→stopped',
      'stopped stopping→stopped',
      'waiting pending→waiting',
      'starting waiting→starting',
      'started starting→probing',
      'apply-finished null→null',
      'ready probing→ready',
    ]);
    expect(seqs(follower.records)).toEqual(consecutive(1, ready.seq));
    const ofProcess = restartEvents.filter((r) => !r.type.startsWith('apply-'));
    expect(ofProcess.every((r) => r.v === 1 && r.process === 'api' && r.service === 'api')).toBe(true);
    expect(restartEvents.filter((r) => r.type.startsWith('apply-')).every((r) => r.v === 1 && r.process === null)).toBe(true);
    expect(restartEvents.find((r) => r.type === 'stopping')).toMatchObject({ pid: oldPid });
    expect(restartEvents.find((r) => r.type === 'started')!.pid).not.toBe(oldPid);
    afterFirstRestart = ready.seq;
  });

  it('a follower cut off mid-restart and started again with --since resumes exactly: no gap, no duplicate', async () => {
    const first = follow('--since', String(afterFirstRestart));
    // Following now: the restart below is told to it live.
    const restart = await core('restart', 'api');
    expect(restart.code, restart.stderr).toBe(0);
    const stopping = await first.until('stopping', (r) => r.type === 'stopping');
    first.kill();
    await first.exited;
    const got = first.records;
    const last = got.at(-1)!.seq;
    expect(seqs(got)).toEqual(consecutive(afterFirstRestart + 1, last));
    expect(stopping.seq).toBe(afterFirstRestart + 1 + RESTART.indexOf('stopping'));

    const second = follow('--since', String(last));
    // The first follower may have been sent every record up to `ready` before the kill reached it
    // (a loaded machine): then the second has nothing of this restart left to tell.
    const ready = got.find((r) => r.type === 'ready') ?? (await second.until('api ready again', (r) => r.type === 'ready'));
    expect(seqs(second.records.filter((r) => r.seq <= ready.seq))).toEqual(consecutive(last + 1, ready.seq));
    expect([...got, ...second.records.filter((r) => r.seq <= ready.seq)].map((r) => `${r.seq} ${r.type}`)).toEqual(
      RESTART.map((type, i) => `${afterFirstRestart + 1 + i} ${type}`),
    );

    // Without -f, the same --since gives the same records.
    const page = await core('events', '--json', '--since', String(last));
    expect(
      page.stdout
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line).seq),
    ).toEqual(consecutive(last + 1, ready.seq));

    // The follower ends by itself when the stack stops, after the stop's own events.
    const down = await core('down');
    expect(down.code, down.stderr).toBe(0);
    expect(await second.exited).toBe(0);
    expect(second.stderr()).toContain('the supervisor stopped');
    expect(second.records.at(-1)).toMatchObject({ type: 'stopped', process: 'api', from: 'stopping', to: 'stopped' });
    expect(seqs(second.records)).toEqual(consecutive(last + 1, second.records.at(-1)!.seq));
  });

  it('with the stack down: the last run from events.ndjson, saying it is not running', async () => {
    const result = await core('events');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('the stack is not running: these are the events of its last run');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} +1 +api +waiting +pending → waiting$/);
    expect(lines.at(-1)).toMatch(/ api +stopped +stopping → stopped$/);
    const json = await core('events', '--json', '--since', '3');
    const records = json.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as EventRecord);
    expect(seqs(records)).toEqual(consecutive(4, lines.length));
  });

  it('a bad --since: exit 2, naming the flag', async () => {
    const result = await core('events', '--since', 'yesterday');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--since: "yesterday" is not a whole number');
  });
});
