/**
 * Issue 12: the built-in engine and the generated process-compose.yaml agree on
 * a 3-node NATS cluster. The same checks run against the stack each engine
 * started: every node healthy (GET /healthz, no query: 503 until the cluster
 * formed), one meta leader in /jsz, an R3 stream that takes writes, and
 * PocketBase started only once all three nodes were ready (its depends_on lists
 * nats-1..3). The real process-compose runs the file `core generate` wrote, as
 * it is, with nothing of core in between; then `core up --engine
 * process-compose` runs it too. Skipped without a process-compose binary (see
 * tests/helpers/process-compose.ts); the built-in engine always runs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ControlClient } from '../../src/control/client.js';
import { identify, isSameProcess, type ProcessIdentity } from '../../src/support/proc.js';
import { runCore } from '../helpers/cli.js';
import { ADMIN, type E2eProject, e2eProject, freeOffset, isListening, waitFor } from '../helpers/e2e.js';
import { PROCESS_COMPOSE, pathWithProcessCompose } from '../helpers/process-compose.js';
import { NEW_STREAM_PUBLISH } from '../helpers/stream-read.js';

const NODES = ['nats-1', 'nats-2', 'nats-3'];
const SERVICES = [...NODES, 'pocketbase', 'caddy'];
/** Every port of the stack: three NATS nodes (client, monitor, cluster), PocketBase, Caddy and its admin. */
const BASES = [...[4222, 8222, 6222].flatMap((base) => [base, base + 1, base + 2]), 8090, 2015, 2019];

/** The fields of a GET /processes entry these checks read; the time fields are process-compose's (v1.122.0). */
interface Proc {
  readonly name: string;
  readonly status: string;
  readonly is_ready: string;
  readonly pid: number;
  readonly process_start_time?: string;
  readonly process_ready_time?: string;
}

/** What /jsz says of the JetStream meta group (nats-server 2.14). */
interface Jsz {
  readonly meta_cluster?: { readonly leader?: string; readonly cluster_size?: number };
}

let project: E2eProject;
let offset: number;
/** Every process seen (pid and start time), for a last-resort kill in afterAll: process-compose orphans its children when it dies. */
const seen = new Map<number, ProcessIdentity>();
const remember = (pid: number) => {
  if (pid <= 1 || seen.has(pid)) return;
  const identity = identify(pid);
  if (identity.start_time !== undefined) seen.set(pid, identity); // gone already (or no /proc): nothing to kill later
};
const core = (...args: string[]) => runCore(args, { cwd: project.dir, env: { ...project.env, PATH: pathWithProcessCompose() }, timeoutMs: 90_000 });
const monitor = (i: number) => project.port(8222 + i);

beforeAll(async () => {
  offset = await freeOffset(BASES);
  project = e2eProject(offset, {
    nats: (manifest) => {
      manifest.config.topology = 'cluster';
      manifest.config.deployment.local.nodes = 3;
    },
  });
  const deps = await core('deps', 'install');
  expect(deps.code, deps.stderr).toBe(0);
});

afterAll(async () => {
  await core('down');
  for (const identity of seen.values()) if (isSameProcess(identity)) process.kill(identity.pid, 'SIGKILL');
  fs.rmSync(project.dir, { recursive: true, force: true });
});

/** Every process Running and Ready, as the engine reports it (bounded: process-compose probes every 5 s). */
async function allReady(client: ControlClient): Promise<Map<string, Proc>> {
  const states = await waitFor(
    `${SERVICES.join(', ')} ready`,
    async () => {
      const list = (await client.processes().catch(() => [])) as unknown as Proc[];
      for (const p of list) remember(p.pid);
      const ready = SERVICES.every((name) => list.some((p) => p.name === name && p.status === 'Running' && p.is_ready === 'Ready'));
      return ready ? new Map(list.map((p) => [p.name, p])) : undefined;
    },
    60_000,
    100,
  );
  return states;
}

/** What both engines must show of a formed cluster, through NATS itself and its official clients. */
async function expectFormedCluster(stream: string): Promise<void> {
  for (const i of [0, 1, 2]) expect((await fetch(`http://127.0.0.1:${monitor(i)}/healthz`)).status, `nats-${i + 1} /healthz`).toBe(200);
  const jsz = await Promise.all([0, 1, 2].map(async (i) => (await (await fetch(`http://127.0.0.1:${monitor(i)}/jsz`)).json()) as Jsz));
  const leaders = new Set(jsz.map((j) => j.meta_cluster?.leader));
  expect(leaders.size, JSON.stringify(jsz.map((j) => j.meta_cluster))).toBe(1);
  expect(NODES).toContain([...leaders][0]);
  for (const j of jsz) expect(j.meta_cluster?.cluster_size).toBe(3);

  const nc = await connect({ servers: [0, 1, 2].map((i) => `nats://127.0.0.1:${project.port(4222 + i)}`), timeout: 5000 });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: stream, subjects: [`${stream.toLowerCase()}.>`], num_replicas: 3 });
    const ack = await jetstream(nc).publish(`${stream.toLowerCase()}.one`, 'hello', NEW_STREAM_PUBLISH);
    expect(ack.seq).toBe(1);
    const info = await jsm.streams.info(stream);
    expect(info.state.messages).toBe(1);
    expect(info.cluster?.replicas?.length).toBe(2); // the leader plus two replicas
  } finally {
    await nc.close();
  }
}

async function expectNothingListening(): Promise<void> {
  for (const base of BASES) expect(await isListening(project.port(base)), `port ${project.port(base)}`).toBe(false);
}

it('the generated process-compose.yaml has PocketBase wait for every node to be healthy', async () => {
  const generated = await core('generate');
  expect(generated.code, generated.stderr).toBe(0);
  const doc = parse(fs.readFileSync(path.join(project.dir, '.core-stack/process-compose.yaml'), 'utf8'));
  expect(Object.keys(doc.processes)).toEqual(SERVICES);
  expect(doc.processes.pocketbase.depends_on).toEqual(Object.fromEntries(NODES.map((n) => [n, { condition: 'process_healthy' }])));
  for (const [i, name] of NODES.entries()) expect(doc.processes[name].readiness_probe.http_get).toMatchObject({ path: '/healthz', port: String(monitor(i)) });
});

describe('built-in engine', () => {
  it('starts the 3-node cluster: all healthy, one meta leader, an R3 stream; PocketBase after all three', async () => {
    fs.rmSync(path.join(project.dir, '.data/nats'), { recursive: true, force: true });
    const up = await core('up', '-d');
    expect(up.code, up.stderr).toBe(0);
    await allReady(new ControlClient(path.join(project.dir, '.core-stack/core.sock')));
    await expectFormedCluster('BUILTIN');
    // The event log orders every transition (seq): PocketBase's start comes after each node's ready.
    const events = fs
      .readFileSync(path.join(project.dir, '.core-stack/events.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const seq = (process: string, type: string) => events.find((e) => e.process === process && e.type === type)?.seq;
    for (const node of NODES) expect(seq('pocketbase', 'starting'), `pocketbase starting after ${node} ready`).toBeGreaterThan(seq(node, 'ready'));
    const down = await core('down');
    expect(down.code, down.stderr).toBe(0);
    await expectNothingListening();
  }, 60_000);
});

describe.skipIf(!PROCESS_COMPOSE)(`process-compose (${PROCESS_COMPOSE ?? 'not found: set CORE_TEST_PROCESS_COMPOSE'})`, () => {
  let pc: ChildProcess | undefined;

  afterAll(async () => {
    if (pc?.pid && pc.exitCode === null && pc.signalCode === null) {
      const exited = new Promise((resolve) => pc!.once('exit', resolve));
      pc.kill('SIGTERM'); // process-compose shuts its project down on SIGTERM
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
    }
  });

  it('runs the generated file as it is: all healthy, one meta leader, an R3 stream; PocketBase after all three', async () => {
    fs.rmSync(path.join(project.dir, '.data/nats'), { recursive: true, force: true });
    expect((await core('generate')).code).toBe(0);
    const socket = path.join(project.dir, '.core-stack/pc-interop.sock');
    // Only what the file leaves to the environment: the PocketBase superuser's password (x-core.secret_env).
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CORE_POCKETBASE_ADMIN_PASSWORD: ADMIN.password };
    const file = path.join(project.dir, '.core-stack/process-compose.yaml');
    const log = path.join(project.dir, '.core-stack/logs/pc-interop.log');
    pc = spawn(PROCESS_COMPOSE!, ['up', '-f', file, '-t=false', '-U', '-u', socket, '-L', log, '--keep-project'], { cwd: project.dir, env, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => pc!.once('exit', resolve));
    if (pc.pid) remember(pc.pid);
    const client = new ControlClient(socket);
    const states = await allReady(client);
    await expectFormedCluster('PROCESSCOMPOSE');
    // process-compose records when each process started and became ready (ProcessState, v1.122.0).
    const started = Date.parse(states.get('pocketbase')!.process_start_time ?? '');
    for (const node of NODES) expect(started, `pocketbase started after ${node} ready`).toBeGreaterThanOrEqual(Date.parse(states.get(node)!.process_ready_time ?? ''));

    // It may close the connection as it exits, before answering: its exit is the answer that counts.
    await client.stopProject().catch(() => {});
    await Promise.race([exited, new Promise((_, reject) => setTimeout(() => reject(new Error('process-compose still running 30 s after POST /project/stop')), 30_000))]);
    await expectNothingListening();
  }, 120_000);

  it('`core up --engine process-compose` lists each node under the service nats, with its own ports, and `core down` stops them', async () => {
    // Fresh stores: a restart on kept state costs a Raft election (4-9 s), near the 3 x 5 s process-compose allows a probe.
    fs.rmSync(path.join(project.dir, '.data/nats'), { recursive: true, force: true });
    const up = await core('up', '-d', '--engine', 'process-compose');
    expect(up.code, up.stderr).toBe(0);
    const status = JSON.parse((await core('status', '--json')).stdout);
    expect(status.engine).toBe('process-compose');
    for (const [i, name] of NODES.entries()) {
      const p = status.processes.find((q: { name: string }) => q.name === name);
      if (p?.pid) remember(p.pid);
      expect(p).toMatchObject({ service: 'nats', status: 'Running', health: 'healthy', ports: { monitor: monitor(i) } });
    }
    for (const i of [0, 1, 2]) expect((await fetch(`http://127.0.0.1:${monitor(i)}/healthz`)).status).toBe(200);
    const down = await core('down');
    expect(down.code, down.stderr).toBe(0);
    await expectNothingListening();
  }, 120_000);
});
