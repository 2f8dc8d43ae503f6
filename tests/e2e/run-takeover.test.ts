/**
 * Issue 11: `core <svc> run` while the stack runs takes the service over in
 * this terminal (the stack's copy stopped, its dependents and dependencies
 * untouched, the stack's env and ports), `-- <command…>` runs it another way,
 * and on exit the stack takes it back. Without a stack it names the
 * dependencies that are not running, or starts them with `--with-deps`.
 * Through the built CLI, on a tiny stack: tiny-0 ← app ← client.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/control/client.js';
import { CORE } from '../helpers/cli.js';
import { alive, waitFor } from '../helpers/e2e.js';
import { CLIENT_OF_APP as CLIENT, tinyProject } from '../helpers/tiny-project.js';

const OFFSET = 8900;
const APP_PORT = 110 + OFFSET;
const SERVER = "require('http').createServer((q,s)=>s.end(process.env.GREETING+' '+process.pid)).listen(Number(process.env.PORT),'127.0.0.1')";
const APP = {
  name: 'app',
  process: {
    command: process.execPath,
    args: ['-e', SERVER],
    env: { PORT: '${port.http}', GREETING: 'stack-env' },
    compose: {
      depends_on: { 'tiny-0': { condition: 'process_healthy' } },
      readiness_probe: { http_get: { url: 'http://127.0.0.1:${port.http}/' }, period_seconds: 1 },
    },
  },
  ports: { http: { port: 110, protocol: 'http' } },
};

const project = tinyProject(OFFSET, 1, { extra: { app: APP, client: CLIENT } });
const client = () => new ControlClient(path.join(project.stackDir, 'core.sock'), 5000);
const answer = async () => (await fetch(`http://127.0.0.1:${APP_PORT}/`).catch(() => undefined))?.text();
const states = async () => Object.fromEntries((await client().processes()).map((p) => [p.name, p]));

interface Running {
  readonly child: ChildProcess;
  readonly out: () => string;
  readonly err: () => string;
  readonly exit: Promise<number | null>;
}

function coreRun(...args: string[]): Running {
  const child = spawn(process.execPath, [CORE, ...args], {
    cwd: project.dir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CORE_ROOT: project.dir, CORE_PORT_OFFSET: String(OFFSET) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exit };
}

const started: Running[] = [];
function track(run: Running): Running {
  started.push(run);
  return run;
}

afterAll(async () => {
  for (const run of started) if (run.child.exitCode === null) run.child.kill('SIGKILL');
  await project.core('down');
  project.remove();
}, 30_000);

describe('core <svc> run while the stack runs', () => {
  beforeAll(async () => {
    const up = await project.core('up', '-d');
    expect(up.code, up.stderr).toBe(0);
  }, 60_000);

  it('takes the service over with the stack env and ports; Ctrl-C gives it back; the others keep their pids', async () => {
    const before = await states();
    const run = track(coreRun('app', 'run'));
    await waitFor('READY', () => run.out().includes(`READY: app http://127.0.0.1:${APP_PORT}`) || undefined, 15_000);
    const [greeting, pid] = (await answer())!.split(' ');
    expect(greeting).toBe('stack-env');
    expect(Number(pid)).not.toBe(before.app!.pid);
    const during = await states();
    expect(during.app!.is_running).toBe(false);
    for (const name of ['tiny-0', 'client']) expect(during[name]!.pid, name).toBe(before[name]!.pid);
    expect(run.err()).toMatch(/stopping the stack's app/);

    run.child.kill('SIGINT');
    expect(await run.exit).toBe(130);
    expect(alive(Number(pid))).toBe(false);
    const after = await states();
    expect(after.app!.is_running).toBe(true);
    expect(after.app!.pid).not.toBe(Number(pid));
    for (const name of ['tiny-0', 'client']) expect(after[name]!.pid, name).toBe(before[name]!.pid);
    expect((await answer())!.split(' ')[1]).toBe(String(after.app!.pid));
    expect(run.err()).toMatch(/the stack takes app back/);
  }, 40_000);

  it('-- <command…> runs it another way, with the same env and port; SIGTERM ends it with 0', async () => {
    const script = SERVER.replace("process.env.GREETING+' '", "'other:'+process.env.GREETING+' '");
    const run = track(coreRun('app', 'run', '--', process.execPath, '-e', script));
    await waitFor('READY', () => run.out().includes('READY: app') || undefined, 15_000);
    expect((await answer())!).toMatch(/^other:stack-env \d+$/);
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    expect((await states()).app!.is_running).toBe(true);
    expect(await answer()).toMatch(/^stack-env \d+$/);
  }, 40_000);

  it("bad manifests are refused (exit 2) before the stack's copy is stopped", async () => {
    const file = path.join(project.dir, 'services/client/service.json');
    const good = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, '{"name": "client", "process": {}}');
    try {
      const pid = (await states()).app!.pid;
      const result = await project.core('app', 'run');
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/services\/client\/service\.json/);
      expect((await states()).app).toMatchObject({ is_running: true, pid });
    } finally {
      fs.writeFileSync(file, good);
    }
  });
});

describe('core <svc> run without a stack', () => {
  beforeAll(async () => {
    const down = await project.core('down');
    expect(down.code, down.stderr).toBe(0);
  }, 30_000);

  it('names the dependencies that are not running', async () => {
    const run = track(coreRun('client', 'run'));
    await waitFor('READY', () => run.out().includes('READY: client') || undefined, 15_000);
    expect(run.err()).toMatch(/client depends on tiny-0, app, which are not running: start them with `core up -d tiny-0 app`, or run `core client run --with-deps`/);
    expect(await answer()).toBeUndefined();
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  }, 30_000);

  it('--with-deps starts them too, and stops them on exit', async () => {
    const run = track(coreRun('client', 'run', '--with-deps'));
    await waitFor('READY', () => run.out().includes('READY: client') || undefined, 15_000);
    expect(run.err()).not.toMatch(/not running/);
    expect(await answer()).toMatch(/^stack-env \d+$/);
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    expect(await answer()).toBeUndefined();
  }, 30_000);

  it('-- <command…> with --with-deps: the dependencies as defined, the service run another way', async () => {
    const script = SERVER.replace("process.env.GREETING+' '", "'other:'+process.env.GREETING+' '");
    const run = track(coreRun('app', 'run', '--with-deps', '--', process.execPath, '-e', script));
    await waitFor('READY', () => run.out().includes('READY: app') || undefined, 15_000);
    expect(await answer()).toMatch(/^other:stack-env \d+$/);
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(130);
    expect(await answer()).toBeUndefined();
  }, 30_000);
});
