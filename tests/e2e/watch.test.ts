/**
 * Issue 11: `process.watch` restarts that process (and only it) when a watched
 * file changes, through an apply of its running definition, and says which file.
 * A tiny stack (no NATS/PocketBase/Caddy): tiny-0 ← app ← client, plus tiny-1;
 * `app` answers the value of src/value.txt as it read it at start.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/control/client.js';
import type { EventRecord } from '../../src/engine/event-record.js';
import { CORE } from '../helpers/cli.js';
import { waitFor } from '../helpers/e2e.js';
import { CLIENT_OF_APP as CLIENT, tinyProject } from '../helpers/tiny-project.js';

const OFFSET = 8300;
const APP_PORT = 110 + OFFSET;
const APP = {
  name: 'app',
  process: {
    command: process.execPath,
    args: ['-e', "const v=require('fs').readFileSync('src/value.txt','utf8');require('http').createServer((q,s)=>s.end(v)).listen(Number(process.env.PORT),'127.0.0.1')"],
    env: { PORT: '${port.http}' },
    working_dir: 'services/app',
    watch: { paths: ['services/app/src'], ignore: ['*.log', 'tmp/**'], debounce_ms: 150 },
    compose: {
      depends_on: { 'tiny-0': { condition: 'process_healthy' } },
      readiness_probe: { http_get: { url: 'http://127.0.0.1:${port.http}/' }, period_seconds: 1 },
    },
  },
  ports: { http: { port: 110, protocol: 'http' } },
};

const project = tinyProject(OFFSET, 2, { extra: { app: APP, client: CLIENT } });
const src = path.join(project.dir, 'services/app/src');
const client = () => new ControlClient(path.join(project.stackDir, 'core.sock'), 5000);
const answer = async () => (await fetch(`http://127.0.0.1:${APP_PORT}/`).catch(() => undefined))?.text();
const pids = async () => Object.fromEntries((await client().processes()).filter((p) => p.is_running).map((p) => [p.name, p.pid]));
const triggers = async (): Promise<EventRecord[]> => (await client().events(0)).events.filter((e) => e.type === 'watch-triggered');

beforeAll(async () => {
  fs.mkdirSync(path.join(src, 'tmp'), { recursive: true });
  fs.writeFileSync(path.join(src, 'value.txt'), 'one');
  const up = await project.core('up', '-d');
  expect(up.code, up.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await project.core('down');
  project.remove();
}, 30_000);

describe('process.watch', () => {
  it('a change to a watched file replaces only that process and names the file (journal, core.log)', async () => {
    expect(await answer()).toBe('one');
    const before = await pids();
    fs.writeFileSync(path.join(src, 'value.txt'), 'two');
    await waitFor('app to answer the new value', async () => (await answer()) === 'two' || undefined);
    const after = await pids();
    expect(after.app).not.toBe(before.app);
    for (const name of ['tiny-0', 'tiny-1', 'client']) expect(after[name], name).toBe(before[name]);
    const [trigger] = await triggers();
    expect(trigger).toMatchObject({ process: 'app', reason: 'file changed' });
    expect(trigger!.message).toMatch(/^services\/app\/src\/value\.txt\b/);
    const log = fs.readFileSync(path.join(project.stackDir, 'logs/core.log'), 'utf8');
    expect(log).toMatch(/app restarting: services\/app\/src\/value\.txt changed/);
  }, 30_000);

  it('ignored files (a glob, a folder glob, node_modules) change nothing', async () => {
    const seen = (await triggers()).length;
    // Written in the same burst as a watched file: had they counted, the one trigger would count them.
    fs.writeFileSync(path.join(src, 'debug.log'), 'x');
    fs.writeFileSync(path.join(src, 'tmp', 'scratch.txt'), 'x');
    fs.mkdirSync(path.join(src, 'node_modules'), { recursive: true });
    fs.writeFileSync(path.join(src, 'node_modules', 'x.js'), 'x');
    fs.writeFileSync(path.join(src, 'value.txt'), 'three');
    await waitFor('app to answer three', async () => (await answer()) === 'three' || undefined);
    const now = await triggers();
    expect(now.length).toBe(seen + 1);
    expect(now.at(-1)!.message).toMatch(/^services\/app\/src\/value\.txt( \(and \d+ more changes\))?$/);
    const more = Number(/and (\d+) more/.exec(now.at(-1)!.message ?? '')?.[1] ?? 0);
    // value.txt alone gives one or two inotify events (truncate, write); the three ignored files would add at least three.
    expect(more).toBeLessThan(2);
  }, 30_000);

  it('a burst of 20 writes gives one restart', async () => {
    const seen = (await triggers()).length;
    const started = (await client().events(0)).events.filter((e) => e.type === 'started' && e.process === 'app').length;
    for (let i = 1; i <= 20; i++) fs.writeFileSync(path.join(src, 'value.txt'), `burst-${i}`);
    await waitFor('app to answer burst-20', async () => (await answer()) === 'burst-20' || undefined);
    const now = await triggers();
    expect(now.length).toBe(seen + 1);
    // Every one of the 20 writes is counted in that one trigger: none is left to trigger another.
    expect(Number(/and (\d+) more/.exec(now.at(-1)!.message ?? '')?.[1])).toBeGreaterThanOrEqual(19);
    const restarts = (await client().events(0)).events.filter((e) => e.type === 'started' && e.process === 'app').length;
    expect(restarts).toBe(started + 1);
  }, 30_000);

  it('a process stopped by hand is not brought back by a change; a crashed one is', async () => {
    const stop = await project.core('stop', 'app');
    expect(stop.code, stop.stderr).toBe(0);
    fs.writeFileSync(path.join(src, 'value.txt'), 'while-stopped');
    const log = path.join(project.stackDir, 'logs/core.log');
    await waitFor('the watcher to say it left app stopped', () => /app is stopped: not restarted/.test(fs.readFileSync(log, 'utf8')) || undefined);
    expect((await client().processes()).find((p) => p.name === 'app')!.is_running).toBe(false);
    const start = await project.core('start', 'app');
    expect(start.code, start.stderr).toBe(0);
    expect(await answer()).toBe('while-stopped');

    // A save that breaks it: it crashes (no restart policy); the fix brings it back.
    const mark = (await client().events(0)).last_seq;
    fs.rmSync(path.join(src, 'value.txt'));
    await waitFor('app to crash', async () => (await client().events(mark)).events.find((e) => e.process === 'app' && e.type === 'exited' && e.exit_code === 1) || undefined);
    expect((await client().processes()).find((p) => p.name === 'app')!.is_running).toBe(false);
    fs.writeFileSync(path.join(src, 'value.txt'), 'fixed');
    await waitFor('app to answer fixed', async () => (await answer()) === 'fixed' || undefined);
  }, 30_000);
});

describe('process.watch under a foreground core up', () => {
  const fg = tinyProject(OFFSET + 300, 1, { extra: { app: APP } });
  const fgSrc = path.join(fg.dir, 'services/app/src');

  afterAll(async () => {
    await fg.core('down');
    fg.remove();
  }, 30_000);

  it('prints which file triggered the restart', async () => {
    fs.mkdirSync(fgSrc, { recursive: true });
    fs.writeFileSync(path.join(fgSrc, 'value.txt'), 'one');
    const child = spawn(process.execPath, [CORE, 'up'], {
      cwd: fg.dir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CORE_ROOT: fg.dir, CORE_PORT_OFFSET: String(OFFSET + 200), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exit = new Promise((resolve) => child.once('exit', resolve));
    try {
      await waitFor('app to answer', async () => (await fetch(`http://127.0.0.1:${APP_PORT + 200}/`).catch(() => undefined))?.ok || undefined);
      fs.writeFileSync(path.join(fgSrc, 'value.txt'), 'two');
      await waitFor('the line', () => /app restarting: services\/app\/src\/value\.txt changed/.test(output) || undefined);
    } finally {
      child.kill('SIGTERM');
      await exit;
    }
  }, 30_000);
});
