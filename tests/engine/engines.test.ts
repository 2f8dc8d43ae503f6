/**
 * Both engines behind the one interface (src/engines/engine.ts). The built-in
 * engine: a supervisor on the fake clock and spawner behind a real control
 * socket, driven only through `StackEngine`. process-compose: a tiny fake of
 * its REST API on a unix socket (the routes and shapes `core` uses), driven
 * through the same interface. Plus type-level checks that each side
 * implements it and that the engine's readiness result is the one result.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { ControlClient } from '../../src/control/client.js';
import type { StackHandle } from '../../src/control/connect.js';
import { controlPaths } from '../../src/control/paths.js';
import { startControlServer } from '../../src/control/server.js';
import type { StateFile } from '../../src/control/state-file.js';
import type { ComposeDoc } from '../../src/compose/schema.js';
import type { EventRecord, ProcessState, WaitReadyResult } from '../../src/engine/index.js';
import { builtinStack } from '../../src/engines/builtin/stack.js';
import { connectEngine, loadLauncher, type DesiredStack, type EngineLauncher, type ReadyResult, type StackChange, type StackEngine } from '../../src/engines/index.js';
import { processComposeStack } from '../../src/engines/process-compose/stack.js';
import type { StackPlan } from '../../src/plan/types.js';
import { ExitCode } from '../../src/support/errors.js';
import { identify } from '../../src/support/proc.js';
import type { Settings } from '../../src/support/settings.js';
import { doc, harness } from './fakes.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-engines-'));
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** What `findStack` would give for a stack run by `engine` whose socket is `socket`. */
function handleFor(dir: string, engine: StateFile['engine'], socket: string): StackHandle {
  const state: StateFile = { version: 1, engine, supervisor: identify(process.pid), started_at: new Date().toISOString(), socket, ports: {}, processes: {} };
  return { paths: controlPaths(dir), state, stateProblem: undefined, supervisor: identify(process.pid), up: undefined, client: new ControlClient(socket) };
}

/** A desired stack with no service of its own to provision: only the document matters here. */
function desiredOf(dir: string, document: ComposeDoc): DesiredStack {
  return { settings: { stackDir: dir } as Settings, plan: { stackDir: dir, services: [] } as unknown as StackPlan, generated: { doc: document, files: [] } };
}

function change(kind: StackChange['kind'], names: string[], desired: DesiredStack, extra: Partial<StackChange> = {}): StackChange {
  return { kind, names, desired: () => Promise.resolve(desired), timeoutMs: 5000, progress: () => {}, ...extra };
}

describe('the built-in engine behind StackEngine (fake clock and spawner, a real control socket)', () => {
  async function running() {
    const dir = tempDir();
    const running = doc({ db: {}, app: { environment: ['A=1'], depends_on: { db: { condition: 'process_started' } } } });
    const h = harness(running);
    const socket = path.join(dir, 'core.sock');
    const server = await startControlServer(socket, h.engine, { onProjectStop: () => {} });
    cleanup.push(() => server.close());
    h.engine.start();
    await h.clock.advance(1000);
    const handle = handleFor(dir, 'builtin', socket);
    return { dir, h, running, engine: connectEngine(handle) };
  }

  /**
   * Let the fake clock run while a request over the socket is pending (it
   * arrives, and is answered, between turns of the event loop); bounded by 5 s
   * of real time, so a hang fails here rather than at the test's timeout.
   */
  async function settle<T>(h: ReturnType<typeof harness>, pending: Promise<T>): Promise<T> {
    let done = false;
    const result = pending.finally(() => (done = true));
    const deadline = Date.now() + 5000;
    while (!done && Date.now() < deadline) {
      await h.clock.advance(50);
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (!done) throw new Error('no answer within 5 s');
    return result;
  }

  it('is the built-in engine, lacks nothing, and shows its processes and their logs', async () => {
    const { h, engine } = await running();
    expect(engine.name).toBe('builtin');
    expect(engine.lacks('events')).toBeUndefined();
    expect(engine.lacks('dry-run')).toBeUndefined();
    const snapshot = await engine.snapshot();
    expect(snapshot.map((p) => [p.name, p.status])).toEqual([
      ['db', 'Running'],
      ['app', 'Running'],
    ]);
    h.spawner.last('app').print('hello from app');
    await h.clock.advance(0);
    expect(await engine.logs('app', 10)).toContain('hello from app');
  });

  it('stops one process, not its dependents', async () => {
    const { h, engine } = await running();
    await settle(h, engine.stop(['db']));
    const states = new Map((await engine.snapshot()).map((p) => [p.name, p]));
    expect(states.get('db')!.is_running).toBe(false);
    expect(states.get('app')!.is_running).toBe(true);
  });

  it('applies a document: a dry run says what would change and changes nothing; then only the changed process is replaced', async () => {
    const { dir, h, running: current, engine } = await running();
    const pids = () => Object.fromEntries(['db', 'app'].map((n) => [n, h.engine.processState(n)?.pid]));
    const before = pids();
    const desired = structuredClone(current);
    desired.processes.app!.environment = ['A=2'];
    const dry = await engine.apply(change('apply', [], desiredOf(dir, desired), { dryRun: true }));
    expect(dry).toMatchObject({ kind: 'diff', dryRun: true, report: { ok: true, started: [], stopped: [] } });
    expect(dry.kind === 'diff' && dry.report.diff.processes.find((p) => p.name === 'app')).toMatchObject({ action: 'replace', reasons: ['environment (A)'] });
    expect(pids()).toEqual(before);

    const applied = await settle(h, engine.apply(change('apply', [], desiredOf(dir, desired))));
    expect(applied).toMatchObject({ kind: 'diff', dryRun: false, report: { ok: true, started: ['app'] } });
    expect(pids().db).toBe(before.db);
    expect(pids().app).not.toBe(before.app);
    expect(h.spawner.last('app').spec.env.A).toBe('2');
  });

  it('restarts one process as the document defines it, even when unchanged', async () => {
    const { dir, h, running: current, engine } = await running();
    const before = h.engine.processState('app')?.pid;
    const applied = await settle(h, engine.apply(change('restart', ['app'], desiredOf(dir, current), { wait: false })));
    expect(applied.kind).toBe('diff');
    expect(h.engine.processState('app')?.pid).not.toBe(before);
  });

  it('gives its numbered events, and follows them', async () => {
    const { h, engine } = await running();
    const page = await engine.events(0);
    expect(page.events.length).toBeGreaterThan(0);
    expect(page.events.map((e) => e.seq)).toEqual(page.events.map((_, i) => i + 1));
    const got: EventRecord[] = [];
    const abort = new AbortController();
    const following = engine.follow(
      page.last_seq,
      (record) => {
        got.push(record);
        if (record.type === 'exited') abort.abort();
      },
      abort.signal,
    );
    h.spawner.last('app').exit(1);
    await h.clock.advance(0);
    expect(await following).toEqual({ kind: 'aborted' });
    expect(got.map((r) => r.seq)[0]).toBe(page.last_seq + 1);
  });
});

/** A fake process-compose: the REST routes `core` uses, on a unix socket. */
async function fakeProcessCompose(dir: string, states: ProcessState[]) {
  const socket = path.join(dir, 'pc.sock');
  const calls: string[] = [];
  const server = http.createServer((request, response) => {
    const route = `${request.method} ${request.url}`;
    calls.push(route);
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const known = (name: string | undefined) => states.some((s) => s.name === decodeURIComponent(name ?? ''));
    const [, , verb, name] = request.url!.split('/');
    if (route === 'GET /processes') return reply(200, { data: states });
    if (request.url!.startsWith('/process/logs/')) return reply(200, { logs: [`a line of ${request.url!.split('/')[3]}`] });
    if (/^(PATCH \/process\/stop|POST \/process\/(start|restart))\//.test(route)) return known(name) ? reply(200, { name }) : reply(404, { error: `no process ${verb}` });
    if (route === 'POST /project/configuration') return reply(200, { app: 'updated' });
    if (route === 'POST /project/stop') return reply(200, {});
    return reply(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { socket, calls };
}

function pcState(name: string, overrides: Partial<ProcessState> = {}): ProcessState {
  return { name, status: 'Running', is_running: true, is_ready: '-', exit_code: 0, restarts: 0, age: 60e9, pid: 4242, ...overrides } as ProcessState;
}

describe('process-compose behind StackEngine (a fake of its REST API on a unix socket)', () => {
  async function running() {
    const dir = tempDir();
    const fake = await fakeProcessCompose(dir, [pcState('db'), pcState('app')]);
    return { dir, fake, engine: connectEngine(handleFor(dir, 'process-compose', fake.socket)) };
  }

  it('lacks the event stream (exit 2) and a dry run (exit 1), each with the error the CLI shows', async () => {
    const { engine } = await running();
    expect(engine.name).toBe('process-compose');
    expect(engine.lacks('events')).toMatchObject({ exitCode: ExitCode.badInput, message: expect.stringMatching(/process-compose keeps no event log/) });
    expect(engine.lacks('dry-run')).toMatchObject({ exitCode: ExitCode.runtime, message: expect.stringMatching(/no dry run/) });
    await expect(engine.events(0)).rejects.toMatchObject({ exitCode: ExitCode.badInput });
  });

  it('shows processes and logs, and stops, starts and restarts through its own routes', async () => {
    const { dir, fake, engine } = await running();
    expect((await engine.snapshot()).map((p) => p.name)).toEqual(['db', 'app']);
    expect(await engine.logs('app', 5)).toEqual(['a line of app']);
    await engine.stop(['db']);
    const unread = () => Promise.reject(new Error('process-compose start/restart must not read the manifests'));
    expect(await engine.apply({ ...change('start', ['db'], desiredOf(dir, doc({}))), desired: unread })).toEqual({ kind: 'asked', verb: 'starting', names: ['db'] });
    expect(await engine.apply({ ...change('restart', ['app'], desiredOf(dir, doc({}))), desired: unread })).toEqual({ kind: 'asked', verb: 'restarting', names: ['app'] });
    await expect(engine.apply({ ...change('restart', ['ghost'], desiredOf(dir, doc({}))), desired: unread })).rejects.toMatchObject({
      exitCode: ExitCode.badInput,
      message: 'no process named "ghost" in the running stack',
    });
    await engine.stopAll();
    expect(fake.calls).toEqual([
      'GET /processes',
      'GET /process/logs/app/0/5',
      'PATCH /process/stop/db',
      'POST /process/start/db',
      'POST /process/restart/app',
      'POST /process/restart/ghost',
      'POST /project/stop',
    ]);
  });

  it('applies by rewriting its compose file and having it reload it, then waits for what it updated', async () => {
    const { dir, fake, engine } = await running();
    const desired = doc({ db: {}, app: { environment: ['A=2'] } });
    const applied = await engine.apply(change('apply', [], desiredOf(dir, desired)));
    expect(applied).toMatchObject({
      kind: 'reload',
      status: { app: 'updated' },
      untouched: 1,
      report: { ok: true, started: ['app'], outcomes: [{ name: 'app', status: 'running' }] },
    });
    expect(fs.readFileSync(path.join(dir, 'process-compose.yaml'), 'utf8')).toContain('A=2');
    expect(fake.calls).toEqual(['POST /project/configuration', 'GET /processes']);
    // A dry run is refused after the manifests were read (their errors come first) and before anything is written or sent.
    await expect(engine.apply(change('apply', [], desiredOf(dir, desired), { dryRun: true }))).rejects.toMatchObject({ exitCode: ExitCode.runtime });
    expect(fake.calls).toHaveLength(2);
  });
});

describe('one interface, one readiness result (type level)', () => {
  it('both sides of both engines implement the interface', async () => {
    expectTypeOf(builtinStack).returns.toEqualTypeOf<StackEngine>();
    expectTypeOf(processComposeStack).returns.toEqualTypeOf<StackEngine>();
    expectTypeOf(loadLauncher).returns.resolves.toEqualTypeOf<EngineLauncher>();
    // The launchers load (lazily) and say how they run detached.
    expect((await loadLauncher('builtin')).usesDaemon).toBe(true);
    expect((await loadLauncher('process-compose')).usesDaemon).toBe(false);
  });

  it("the built-in engine's WaitReadyResult is a ReadyResult", () => {
    expectTypeOf<WaitReadyResult>().toMatchTypeOf<ReadyResult>();
  });
});
