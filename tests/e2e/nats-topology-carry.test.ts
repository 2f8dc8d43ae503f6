/**
 * Issue 12's Must-show "single-node → cluster with a stream of 1,000
 * messages", through the CLI with the real nats-server and the official
 * clients: `core up -d` single-node, 1,000 messages, the manifest changed to
 * a 3-node cluster, `core up -d` again → all 1,000 are in the cluster's
 * stream, in order, with their headers; and back. And the refusal: a stopped
 * stack whose single node holds streams will not start as a cluster (exit 2),
 * the data untouched and readable.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { CORE, makeProject, runCore } from '../helpers/cli.js';
import { commandOf, environOf } from '../../src/control/marks.js';
import { freeOffset, waitFor } from '../helpers/e2e.js';
import { NEW_STREAM_PUBLISH, streamMessages } from '../helpers/stream-read.js';

const COUNT = 1000;
/** Every port of a 3-node cluster or 3 hubs and one leaf (declared + index; leaves from index 100). */
const BASES = [4222, 8222, 6222, 7422].flatMap((base) => [0, 1, 2, 100].map((i) => base + i));

interface Project {
  readonly dir: string;
  readonly offset: number;
  core(...args: string[]): ReturnType<typeof runCore>;
  topology(value: 'single-node' | 'cluster' | 'hub-spoke'): void;
}

const projects: Project[] = [];

/** A project of NATS alone (JetStream; no auth: a cluster does not take it yet), on ports of its own. */
async function natsProject(): Promise<Project> {
  const offset = await freeOffset(BASES);
  const dir = makeProject({
    nats: (m) => {
      m.config.deployment = { local: { nodes: 3, hub_nodes: 3, leaf_regions: ['lhr'] } };
      return m;
    },
  });
  for (const other of fs.readdirSync(path.join(dir, 'services'))) if (other !== 'nats') fs.rmSync(path.join(dir, 'services', other), { recursive: true });
  const manifest = path.join(dir, 'services/nats/service.json');
  const project: Project = {
    dir,
    offset,
    core: (...args) => runCore(args, { cwd: dir, env: { CORE_PORT_OFFSET: String(offset) }, timeoutMs: 90_000 }),
    topology: (value) => {
      const m = JSON.parse(fs.readFileSync(manifest, 'utf8'));
      m.config.topology = value;
      fs.writeFileSync(manifest, JSON.stringify(m, null, 2));
    },
  };
  projects.push(project);
  return project;
}

afterAll(async () => {
  for (const p of projects) {
    await p.core('down');
    fs.rmSync(p.dir, { recursive: true, force: true });
  }
}, 60_000);

async function withNats<T>(p: Project, clients: readonly number[], use: (nc: NatsConnection) => Promise<T>): Promise<T> {
  const nc = await connect({ servers: clients.map((c) => `127.0.0.1:${c + p.offset}`) });
  try {
    return await use(nc);
  } finally {
    await nc.close();
  }
}

async function publishOrders(nc: NatsConnection): Promise<void> {
  await (await jetstreamManager(nc)).streams.add({ name: 'ORDERS', subjects: ['orders.>'] });
  const js = jetstream(nc);
  for (let i = 0; i < COUNT; i++) {
    const h = headers();
    h.set('X-Index', String(i));
    await js.publish(`orders.${i % 7}`, `order ${i}`, { headers: h, ...NEW_STREAM_PUBLISH });
  }
}

/** Back to single-node on the old store: it comes up and holds all COUNT orders, in order; then down. */
async function backOnSingleNodeWithEveryOrder(p: Project): Promise<void> {
  p.topology('single-node');
  expect((await p.core('up', '-d')).code).toBe(0);
  expect(await withNats(p, [4222], readOrders)).toEqual({ count: COUNT, firstWrong: undefined });
  expect((await p.core('down')).code).toBe(0);
}

/** Every message of ORDERS, in order: each is the i-th order with its header, or the index of the first that is not. */
async function readOrders(nc: NatsConnection): Promise<{ count: number; firstWrong: number | undefined }> {
  const messages = await streamMessages(nc, 'ORDERS');
  const firstWrong = messages.findIndex((m, i) => m.subject !== `orders.${i % 7}` || m.string() !== `order ${i}` || m.header?.get('X-Index') !== String(i));
  return { count: messages.length, firstWrong: firstWrong === -1 ? undefined : firstWrong };
}

describe('single-node → cluster on a running stack carries the streams over', () => {
  it('all 1,000 messages are in the 3-node cluster afterwards, in order, with their headers; the old store is kept in the backup; core nats restore brings a lost stream back; and back to a single node', async () => {
    const p = await natsProject();
    expect((await p.core('up', '-d')).code).toBe(0);
    await withNats(p, [4222], publishOrders);

    p.topology('cluster');
    const dry = await p.core('apply', '--dry-run');
    expect(dry.stdout).toContain('would carry the JetStream streams of nats over to nats-1, nats-2, nats-3');
    expect(fs.existsSync(path.join(p.dir, '.data/nats/migrations'))).toBe(false); // a dry run reads nothing
    const changed = await p.core('up', '-d');
    expect(changed.stderr + changed.stdout, changed.stderr + changed.stdout).toContain(
      'carried 1 stream, 1000 messages over to nats-1, nats-2, nats-3 (backup: .data/nats/migrations/',
    );
    expect(changed.code, `${changed.stderr}${changed.stdout}`).toBe(0);

    // Through the second and third node: the stream is the cluster's, not one node's.
    expect(await withNats(p, [4223, 4224], readOrders)).toEqual({ count: COUNT, firstWrong: undefined });
    const migrations = path.join(p.dir, '.data/nats/migrations');
    const [backup] = fs.readdirSync(migrations);
    expect(fs.existsSync(path.join(migrations, backup!, 'backup.json'))).toBe(true);
    expect(fs.existsSync(path.join(migrations, backup!, 'old-store/nats/$G/streams/ORDERS'))).toBe(true);
    expect(fs.existsSync(path.join(p.dir, '.data/nats/jetstream'))).toBe(false);

    // `core nats restore`: the stream lost on the cluster comes back from the backup; a second restore is refused, not merged.
    await withNats(p, [4222], async (nc) => void (await (await jetstreamManager(nc)).streams.delete('ORDERS')));
    const restored = await p.core('nats', 'restore', `.data/nats/migrations/${backup}`);
    expect([restored.code, restored.stdout.trim()]).toEqual([0, 'restored 1 stream, 1000 messages into nats-1, nats-2, nats-3']);
    expect(await withNats(p, [4224], readOrders)).toEqual({ count: COUNT, firstWrong: undefined });
    const again = await p.core('nats', 'restore', `.data/nats/migrations/${backup}`);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('stream ORDERS: already exists on the new servers; nothing of it was imported');
    expect((await p.core('nats', 'restore', '.data/nats')).code).toBe(2); // not a backup

    // And back to a single node, with --json.
    p.topology('single-node');
    const back = await p.core('up', '-d', '--json');
    expect(back.code, `${back.stderr}${back.stdout}`).toBe(0);
    expect(JSON.parse(back.stdout).nats_carried).toEqual([
      expect.objectContaining({ service: 'nats', from: ['nats-1', 'nats-2', 'nats-3'], to: ['nats'], streams: 1, messages: COUNT }),
    ]);
    expect(await withNats(p, [4222], readOrders)).toEqual({ count: COUNT, firstWrong: undefined });
    expect((await p.core('down')).code).toBe(0);
  }, 180_000);
});

describe('single-node → hub-spoke on a running stack', () => {
  it("carries the streams to the hubs: a hub reads all 1,000, and a leaf client reads them through the hub's domain", async () => {
    const p = await natsProject();
    expect((await p.core('up', '-d')).code).toBe(0);
    await withNats(p, [4222], publishOrders);
    p.topology('hub-spoke');
    const changed = await p.core('up', '-d');
    expect(changed.stdout, changed.stderr).toContain('carried 1 stream, 1000 messages over to nats-hub-1, nats-hub-2, nats-hub-3 (backup: ');
    expect(changed.code, `${changed.stderr}${changed.stdout}`).toBe(0);
    expect(await withNats(p, [4224], readOrders)).toEqual({ count: COUNT, firstWrong: undefined });
    const viaLeaf = await withNats(p, [4322], async (nc) => (await (await jetstreamManager(nc, { domain: 'hub' })).streams.info('ORDERS')).state.messages);
    expect(viaLeaf).toBe(COUNT);
    expect((await p.core('down')).code).toBe(0);
  }, 120_000);
});

describe('a running stack with a stream that cannot be carried (a mirror)', () => {
  it('refuses the change with exit 2, naming the stream and what to do; the single node keeps running with its data', async () => {
    const p = await natsProject();
    expect((await p.core('up', '-d')).code).toBe(0);
    await withNats(p, [4222], async (nc) => {
      await publishOrders(nc);
      await (await jetstreamManager(nc)).streams.add({ name: 'ORDERS_COPY', mirror: { name: 'ORDERS' } });
    });
    const pid = async () => (JSON.parse((await p.core('status', '--json')).stdout).processes as { name: string; pid: number }[]).map((x) => [x.name, x.pid]);
    const before = await pid();

    p.topology('cluster');
    const refused = await p.core('up', '-d');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'nats: cannot carry the JetStream streams of nats over to nats-1, nats-2, nats-3: stream ORDERS_COPY: cannot be carried over: it mirrors another stream',
    );
    expect(refused.stderr).toContain('delete it before the change and create it again afterwards');
    expect(refused.stderr).toContain('nothing was changed');
    expect(await pid()).toEqual(before);
    expect(fs.existsSync(path.join(p.dir, '.data/nats/migrations'))).toBe(false); // refused before a backup was begun
    expect(await withNats(p, [4222], readOrders)).toEqual({ count: COUNT, firstWrong: undefined });
    expect((await p.core('down')).code).toBe(0);
  }, 120_000);
});

describe('a change refused after the streams were checked (a port of nats-2 is taken)', () => {
  it('exits 2 naming the port; the single node keeps running with its data; no backup was written (the store is read only once its server stopped)', async () => {
    const p = await natsProject();
    expect((await p.core('up', '-d')).code).toBe(0);
    await withNats(p, [4222], publishOrders);
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(4223 + p.offset, '127.0.0.1', resolve));
    try {
      p.topology('cluster');
      const refused = await p.core('up', '-d');
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`port ${4223 + p.offset} (nats-2.client on 127.0.0.1) is in use`);
      expect(refused.stderr).not.toContain('spare copy');
      expect(fs.existsSync(path.join(p.dir, '.data/nats/migrations'))).toBe(false);
      const status = JSON.parse((await p.core('status', '--json')).stdout).processes as { name: string; state?: string }[];
      expect(status.map((x) => x.name)).toEqual(['nats']);
      expect(await withNats(p, [4222], readOrders)).toEqual({ count: COUNT, firstWrong: undefined });
    } finally {
      squatter.close();
    }
    expect((await p.core('down')).code).toBe(0);
  }, 120_000);
});

describe('a running stack whose single node was stopped by hand', () => {
  it('refuses the change (its streams cannot be read) with exit 2 and what to do; back on single-node, everything is there', async () => {
    const p = await natsProject();
    expect((await p.core('up', '-d')).code).toBe(0);
    await withNats(p, [4222], publishOrders);
    expect((await p.core('stop', 'nats')).code).toBe(0);
    p.topology('cluster');
    const refused = await p.core('up', '-d');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('nats: cannot carry the JetStream streams of nats over to nats-1, nats-2, nats-3: nats is not running, so its streams cannot be read');
    expect(refused.stderr).toContain('set the topology back and run `core up`; then change the topology again');
    await backOnSingleNodeWithEveryOrder(p);
  }, 120_000);
});

describe('a stopped stack whose single node holds streams', () => {
  it('will not start as a cluster: exit 2 before anything starts, the streams untouched and readable', async () => {
    const p = await natsProject();
    expect((await p.core('up', '-d')).code).toBe(0);
    await withNats(p, [4222], publishOrders);
    expect((await p.core('down')).code).toBe(0);
    const store = path.join(p.dir, '.data/nats/jetstream');
    const before = fs.readdirSync(store, { recursive: true }).sort();

    p.topology('cluster');
    const refused = await p.core('up', '-d');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('nats: .data/nats/jetstream holds JetStream streams that nats-1, nats-2, nats-3 would not have');
    expect(refused.stderr).toContain('then change the topology on the running stack');
    expect(refused.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(fs.readdirSync(store, { recursive: true }).sort()).toEqual(before);
    expect((await p.core('status', '--json')).stdout).not.toContain('"nats-1"');

    await backOnSingleNodeWithEveryOrder(p);
  }, 120_000);
});

describe('an old store that cannot be read whole once its server stopped (a stream folder without its metadata)', () => {
  it('exits 1 saying the old store is untouched and how to go back; nothing moved, no backup, no temporary server left; going back finds every message', async () => {
    const p = await natsProject();
    expect((await p.core('up', '-d')).code).toBe(0);
    await withNats(p, [4222], publishOrders);
    // A folder nats-server warns about and does not serve: the running node does not list it, the stopped store holds it.
    fs.mkdirSync(path.join(p.dir, '.data/nats/jetstream/$G/streams/GHOST'));

    p.topology('cluster');
    const failed = await p.core('up', '-d');
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stderr).toContain('nats: the topology changed, but its streams were not carried over: reading the old store of nats failed: stream GHOST did not answer');
    expect(failed.stderr).toContain('the old store is untouched: .data/nats/jetstream');
    expect(failed.stderr).toContain('to go back: set the topology as it was and run `core up` (the old store is used as it is); then change the topology again');
    expect(fs.existsSync(path.join(p.dir, '.data/nats/jetstream/$G/streams/ORDERS'))).toBe(true);
    const migrations = path.join(p.dir, '.data/nats/migrations');
    expect(fs.existsSync(migrations) ? fs.readdirSync(migrations) : []).toEqual([]);
    const carriers = fs
      .readdirSync('/proc')
      .filter((pid) => /^\d+$/.test(pid))
      .filter((pid) => environOf(Number(pid))?.get('CORE_STACK_PROCESS') === 'nats-carry' && commandOf(Number(pid)).includes(p.dir));
    expect(carriers).toEqual([]);

    await backOnSingleNodeWithEveryOrder(p);
  }, 120_000);
});

describe("core interrupted (SIGINT) while a temporary cluster recovers the old cluster's stores", () => {
  it('the temporary servers go with it; the old stores stay where they were; going back finds every message', async () => {
    const p = await natsProject();
    p.topology('cluster');
    expect((await p.core('up', '-d')).code).toBe(0);
    await withNats(p, [4222, 4223, 4224], publishOrders);

    p.topology('single-node');
    const carriers = () =>
      fs
        .readdirSync('/proc')
        .filter((pid) => /^\d+$/.test(pid) && /^nats-\d-carry$/.test(environOf(Number(pid))?.get('CORE_STACK_PROCESS') ?? '') && commandOf(Number(pid)).includes(p.dir));
    const child = spawn(process.execPath, [CORE, 'up', '-d'], {
      cwd: p.dir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CORE_ROOT: p.dir, CORE_PORT_OFFSET: String(p.offset) },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
    // A temporary cluster needs seconds to elect its leaders again: time enough to interrupt it.
    await waitFor('the temporary cluster', () => carriers().length === 3 || undefined, 60_000);
    child.kill('SIGINT');
    expect(await exited).toBe('SIGINT');
    await waitFor('the temporary servers to be gone', () => carriers().length === 0 || undefined, 5000);
    for (const node of ['nats-1', 'nats-2', 'nats-3']) expect(fs.existsSync(path.join(p.dir, '.data/nats', node, 'jetstream'))).toBe(true);
    const migrations = path.join(p.dir, '.data/nats/migrations');
    expect((fs.existsSync(migrations) ? fs.readdirSync(migrations) : []).filter((f) => !f.startsWith('.'))).toEqual([]);

    // Back to the cluster: the single node holds no streams, so nothing is carried; the nodes start on their stores.
    p.topology('cluster');
    expect((await p.core('up', '-d')).code).toBe(0);
    expect(await withNats(p, [4223, 4224], readOrders)).toEqual({ count: COUNT, firstWrong: undefined });
    expect((await p.core('down')).code).toBe(0);
  }, 150_000);
});
