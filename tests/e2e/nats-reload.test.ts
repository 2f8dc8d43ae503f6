/**
 * A config reload in place, end to end with the real nats-server 2.14.5: three
 * clustered JetStream nodes run by the built-in engine (real spawner, probes
 * and logs) from a hand-written document; the nats.conf files are written here
 * (the generator's side is the lead's). Node 1 routes only to node 2 at first.
 *
 * - node 1 gains a route to node 3 (file rewritten, `x-core.reload.sha256`
 *   changed): same pid, `/varz` config_digest = `nats-server -t`'s digest,
 *   `/routez` shows nats-3; the `POST /project` answer says "reloaded".
 * - a changed `server_name` passed off as reloadable, and an invalid file: the
 *   apply fails naming the process; it runs on with its old config (pid,
 *   digest and server_name unchanged).
 *
 * The files read `$NATS_PASSWORD`, a secret: `nats-server -t` only passes when
 * it runs with the process's own environment.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComposeDoc, ComposeProcess } from '../../src/compose/schema.js';
import { ControlClient } from '../../src/control/client.js';
import type { StackHandle } from '../../src/control/connect.js';
import { controlPaths } from '../../src/control/paths.js';
import { postProject } from '../../src/control/project-route.js';
import type { StateFile } from '../../src/control/state-file.js';
import { createSupervisor, type EngineEvent, type Supervisor } from '../../src/engine/index.js';
import type { DesiredStack, StackChange } from '../../src/engines/engine.js';
import { processComposeStack } from '../../src/engines/process-compose/stack.js';
import type { StackPlan } from '../../src/plan/types.js';
import { identify } from '../../src/support/proc.js';
import type { Settings } from '../../src/support/settings.js';
import { sha256Hex } from '../../src/support/sha256.js';
import { alive, freeOffset, waitFor } from '../helpers/e2e.js';

const NATS = process.env.CORE_TEST_NATS_SERVER ?? path.join(os.homedir(), '.cache/core/bin/linux-amd64/nats-server/2.14.5/nats-server');
const present = fs.existsSync(NATS);
const PASSWORD = 'reload-secret-42';
const NODES = [1, 2, 3] as const;
const BASES = { client: 4222, monitor: 8222, cluster: 6222 };

let dir = '';
let offset = 0;
let engine: Supervisor | undefined;
const events: EngineEvent[] = [];

const port = (kind: keyof typeof BASES, node: number) => BASES[kind] + offset + node - 1;
const conf = (node: number) => path.join(dir, `nats-${node}.conf`);
const route = (node: number) => `nats-route://127.0.0.1:${port('cluster', node)}`;
const varzUrl = (node: number) => `http://127.0.0.1:${port('monitor', node)}/varz`;

function natsConf(node: number, routes: readonly number[], serverName = `nats-${node}`): string {
  return [
    `server_name: ${serverName}`,
    `listen: 127.0.0.1:${port('client', node)}`,
    `http: 127.0.0.1:${port('monitor', node)}`,
    'authorization { user: core, password: $NATS_PASSWORD }',
    `jetstream { store_dir: ${JSON.stringify(path.join(dir, 'data', `nats-${node}`))} }`,
    `cluster { name: c, listen: 127.0.0.1:${port('cluster', node)}, routes: [${routes.map(route).join(', ')}] }`,
    '',
  ].join('\n');
}

/** The reloadable part's fingerprint: here simply the whole file (the generator fingerprints routes and remotes). */
function natsProcess(node: number, content: string): ComposeProcess {
  return {
    entrypoint: [NATS, '-c', conf(node)],
    working_dir: dir,
    environment: [],
    readiness_probe: {
      http_get: { host: '127.0.0.1', scheme: 'http', path: '/varz', port: String(port('monitor', node)) },
      initial_delay_seconds: 0,
      period_seconds: 1,
      timeout_seconds: 1,
      success_threshold: 1,
      failure_threshold: 3,
    },
    shutdown: { signal: 2, timeout_seconds: 5 },
    'x-core': {
      service: 'nats',
      secret_env: ['NATS_PASSWORD'],
      config_sha256: 'c'.repeat(64),
      reload: { signal: 1, sha256: sha256Hex(content), verify: { test_argv: [NATS, '-t', '-c', conf(node)], varz_url: varzUrl(node) } },
    },
  };
}

/** Write the files and the document for `routes` per node (and node 1's server_name). */
function stack(routes: Record<number, readonly number[]>, serverName1?: string, raw1?: string): ComposeDoc {
  const processes: Record<string, ComposeProcess> = {};
  for (const node of NODES) {
    const content = node === 1 && raw1 !== undefined ? raw1 : natsConf(node, routes[node]!, node === 1 ? serverName1 : undefined);
    fs.writeFileSync(conf(node), content);
    processes[`nats-${node}`] = natsProcess(node, content);
  }
  return { version: '0.5', name: 'reload', processes };
}
const INITIAL = { 1: [2], 2: [1], 3: [3] };
const WIDER = { 1: [2, 3], 2: [1], 3: [3] };

const secrets = Object.fromEntries(NODES.map((n) => [`nats-${n}`, { NATS_PASSWORD: PASSWORD }]));

async function varz(node: number): Promise<{ config_digest: string; server_name: string }> {
  return (await (await fetch(varzUrl(node))).json()) as { config_digest: string; server_name: string };
}
async function routePeers(node: number): Promise<string[]> {
  const body = (await (await fetch(`http://127.0.0.1:${port('monitor', node)}/routez`)).json()) as { routes?: { remote_name: string }[] };
  return [...new Set((body.routes ?? []).map((r) => r.remote_name))].sort();
}
/** What `nats-server -t` says the file's digest is, run here on its own. */
function testedDigest(node: number): string {
  // It prints on stderr: "nats-server: configuration file … is valid (sha256:<hex>)".
  const run = spawnSync(NATS, ['-t', '-c', conf(node)], { env: { NATS_PASSWORD: PASSWORD }, encoding: 'utf8' });
  const digest = /is valid \((sha256:[0-9a-f]{64})\)/.exec(run.stderr)?.[1];
  if (run.status !== 0 || !digest) throw new Error(`nats-server -t: ${run.stderr}`);
  return digest;
}
const pidOf = (name: string) => engine!.processState(name)?.pid;

describe.skipIf(!present)('config reload in place with the real nats-server 2.14.5', () => {
  beforeAll(async () => {
    offset = await freeOffset(NODES.flatMap((n) => Object.values(BASES).map((b) => b + n - 1)));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-nats-reload-'));
    engine = createSupervisor({ doc: stack(INITIAL), secrets, baseEnv: { PATH: process.env.PATH ?? '/usr/bin' }, logDir: path.join(dir, 'logs') });
    engine.subscribe((e) => events.push(e));
    engine.start();
    const ready = await engine.waitReady(undefined, { timeoutMs: 15_000 });
    expect(ready.ok).toBe(true);
    await waitFor('nats-1 routed to nats-2', async () => (await routePeers(1)).includes('nats-2'), 10_000);
  });

  afterAll(async () => {
    await engine?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('node 1 gains a route: reloaded in place (same pid), /varz digest = nats-server -t digest, /routez shows the new peer', async () => {
    const pids = NODES.map((n) => pidOf(`nats-${n}`));
    expect(await routePeers(1)).toEqual(['nats-2']);
    const before = (await varz(1)).config_digest;
    const t0 = performance.now();
    const answer = await postProject(engine!, { ...stack(WIDER), 'x-core': { secrets, timeout_ms: 10_000 } });
    const ms = performance.now() - t0;
    expect(answer.status).toBe(200);
    const body = answer.body as Record<string, unknown>;
    expect(body['nats-1']).toBe('reloaded');
    expect(body['nats-2']).toBeUndefined();
    expect(NODES.map((n) => pidOf(`nats-${n}`))).toEqual(pids);
    for (const pid of pids) expect(alive(pid!)).toBe(true);
    const expected = testedDigest(1);
    expect(expected).not.toBe(before);
    expect((await varz(1)).config_digest).toBe(expected);
    await waitFor('nats-1 routed to nats-3', async () => (await routePeers(1)).includes('nats-3'), 5000);
    expect(await routePeers(1)).toEqual(['nats-2', 'nats-3']);
    const reloaded = events.find((e) => e.type === 'reloaded' && e.name === 'nats-1');
    expect(reloaded).toMatchObject({ signalled: true, digest: expected });
    // A figure for the report: the apply, from the request to the verified digest.
    console.info(`reload of nats-1 verified in ${reloaded && 'afterMs' in reloaded ? reloaded.afterMs : '?'} ms; the whole apply took ${Math.round(ms)} ms`);
  });

  it('a changed server_name passed off as reloadable: the apply fails naming nats-1; it runs on its old config (pid, digest, name)', async () => {
    const pid = pidOf('nats-1');
    const before = await varz(1);
    const result = await engine!.apply({ doc: stack(WIDER, 'nats-1-renamed'), secrets, timeoutMs: 10_000 });
    expect(result.ok).toBe(false);
    if (result.ok || !('failure' in result)) return;
    expect(result.reason).toBe('reload-failed');
    expect(result.failure.name).toBe('nats-1');
    expect(result.failure.message).toMatch(new RegExp(`^nats-1 \\(pid ${pid}\\): reload refused after \\d+ ms`));
    expect(result.failure.message).toContain(`its config_digest is still ${before.config_digest}, the new file's is ${testedDigest(1)}`);
    expect(result.failure.message).toMatch(/nats-server keeps its old configuration when a reload fails: .*config reload not supported for ServerName/);
    expect(pidOf('nats-1')).toBe(pid);
    expect(alive(pid!)).toBe(true);
    expect(await varz(1)).toMatchObject({ config_digest: before.config_digest, server_name: 'nats-1' });
    expect(events.filter((e) => e.type === 'reload-failed').map((e) => e.name)).toEqual(['nats-1']);
  });

  it('an invalid file: nats-1 is not signalled, the apply says what nats-server -t said; it runs on its old config', async () => {
    const pid = pidOf('nats-1');
    const before = await varz(1);
    const hangups = () => fs.readFileSync(path.join(dir, 'logs', 'nats-1.log'), 'utf8').split('Trapped "hangup" signal').length;
    const seen = hangups();
    const answer = await postProject(engine!, { ...stack(WIDER, undefined, 'cluster {\n'), 'x-core': { secrets, timeout_ms: 10_000 } });
    expect(answer.status).toBe(207);
    const body = answer.body as Record<string, unknown>;
    expect(body['nats-1']).toBe('error');
    const failure = (body['x-core.apply'] as { failure: { name: string; message: string } }).failure;
    expect(failure.name).toBe('nats-1');
    expect(failure.message).toMatch(/^nats-1: its new configuration fails `nats-server -t -c .*nats-1\.conf` \(exit code 1\): nats-server: Parse error/);
    expect(hangups()).toBe(seen);
    expect(pidOf('nats-1')).toBe(pid);
    expect(await varz(1)).toMatchObject({ config_digest: before.config_digest, server_name: 'nats-1' });
  });
});

/**
 * The process-compose adapter's reload, with the real nats-server and a fake of
 * process-compose's REST API (no process-compose binary here): the server is a
 * child of this test process, which the handle names as process-compose, so
 * the adapter's checks (its child, the same start time) are the real ones.
 */
describe.skipIf(!present)('config reload under process-compose (its REST API faked, the real nats-server)', () => {
  let pcDir = '';
  let child: ChildProcess | undefined;
  let server: http.Server | undefined;
  const calls: string[] = [];
  /** nats-server's own log lines, served as process-compose serves a process's log. */
  const log: string[] = [];

  beforeAll(async () => {
    offset = await freeOffset(Object.values(BASES));
    pcDir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-nats-reload-pc-'));
    dir = pcDir;
    fs.writeFileSync(conf(1), natsConf(1, [1])); // clustered JetStream wants a route: its own is ignored
    child = spawn(NATS, ['-c', conf(1)], { env: { PATH: process.env.PATH ?? '', NATS_PASSWORD: PASSWORD }, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => log.push(...chunk.split('\n').filter(Boolean)));
    await waitFor(
      'nats-1 answers /varz',
      () =>
        varz(1)
          .then(Boolean)
          .catch(() => undefined),
      10_000,
    );
    server = http.createServer((request, response) => {
      calls.push(`${request.method} ${request.url}`);
      const reply = (body: unknown) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (request.url === '/processes')
        return reply({ data: [{ name: 'nats-1', status: 'Running', is_running: true, is_ready: 'Ready', pid: child!.pid, restarts: 0, exit_code: 0, age: 1e9 }] });
      if (request.url === '/project/configuration') return reply({}); // it saw no change: the file has no reload keys
      if (request.url?.startsWith('/process/logs/nats-1/0/')) return reply({ logs: log.slice(-Number(request.url.split('/').at(-1))) });
      return response.writeHead(404).end('{}');
    });
    await new Promise<void>((resolve) => server!.listen(path.join(pcDir, 'pc.sock'), resolve));
  });

  afterAll(async () => {
    if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
    if (child?.pid && alive(child.pid)) {
      const gone = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGINT');
      await gone;
    }
    if (pcDir) fs.rmSync(pcDir, { recursive: true, force: true });
  });

  function engineAndChange(routes: readonly number[], serverName?: string) {
    const content = natsConf(1, routes, serverName);
    fs.writeFileSync(conf(1), 'stale: true\n'); // the adapter itself must write the new file before it signals
    const doc: ComposeDoc = { version: '0.5', name: 'reload', processes: { 'nats-1': natsProcess(1, content) } };
    const desired: DesiredStack = {
      settings: { stackDir: pcDir, env: { PATH: process.env.PATH ?? '' } } as unknown as Settings,
      plan: { stackDir: pcDir, services: [{ name: 'nats-1', env: { NATS_PASSWORD: PASSWORD } }] } as unknown as StackPlan,
      generated: { doc, files: [{ path: conf(1), content }] },
    };
    const socket = path.join(pcDir, 'pc.sock');
    const state: StateFile = { version: 1, engine: 'process-compose', supervisor: identify(process.pid), started_at: '', socket, ports: {}, processes: {} };
    const handle: StackHandle = { paths: controlPaths(pcDir), state, stateProblem: undefined, supervisor: identify(process.pid), up: undefined, client: new ControlClient(socket) };
    const change: StackChange = { kind: 'up', names: [], desired: () => Promise.resolve(desired), timeoutMs: 10_000, progress: () => {} };
    return { engine: processComposeStack(handle), change };
  }

  it('a gained route: the compose file has no reload key, nats-1 is signalled by the pid process-compose reports and verified; same pid', async () => {
    const before = (await varz(1)).config_digest;
    const { engine, change } = engineAndChange([1, 2]);
    const applied = await engine.apply(change);
    expect(applied).toMatchObject({ kind: 'reload', status: { 'nats-1': 'reloaded' }, report: { ok: true, reloaded: [{ name: 'nats-1', signalled: true }] } });
    const file = fs.readFileSync(path.join(pcDir, 'process-compose.yaml'), 'utf8');
    expect(file).toMatch(/^ {6}config_sha256: c{64}$/m);
    expect(file).not.toMatch(/^\s+reload:/m);
    const after = await varz(1);
    expect(after.config_digest).not.toBe(before);
    expect(after.config_digest).toBe(testedDigest(1));
    expect(alive(child!.pid!)).toBe(true);
    // Asked again with nothing changed: /varz already shows the digest, so nothing is sent.
    const again = await engine.apply(engineAndChange([1, 2]).change);
    expect(again).toMatchObject({ kind: 'reload', status: {}, report: { ok: true, reloaded: [{ name: 'nats-1', signalled: false }] } });
  });

  it('a changed server_name: reported at once as an error naming nats-1, with the reason from its log; it runs on its old config', async () => {
    const before = await varz(1);
    const { engine, change } = engineAndChange([1, 2], 'renamed');
    const applied = await engine.apply(change);
    expect(applied).toMatchObject({ kind: 'reload', status: { 'nats-1': 'error' }, report: { ok: false, failure: { name: 'nats-1', names: ['nats-1'] } } });
    if (applied.kind !== 'reload') return;
    expect(applied.report.failure!.message).toMatch(/^nats-1 \(pid \d+\): reload refused after \d+ ms: its config_digest is still /);
    expect(applied.report.failure!.message).toContain(before.config_digest);
    expect(applied.report.failure!.message).toContain('config reload not supported for ServerName');
    expect(applied.report.failure!.lastLines.at(-1)).toContain('Failed to reload server configuration');
    expect(await varz(1)).toMatchObject({ config_digest: before.config_digest, server_name: 'nats-1' });
    expect(alive(child!.pid!)).toBe(true);
  });
});
