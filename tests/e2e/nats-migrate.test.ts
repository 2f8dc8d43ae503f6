/**
 * Carrying JetStream over from a single node to a cluster, with the real
 * nats-server 2.14.5 and the official clients: a single node with a stream of
 * 1,000 messages (headers, a de-duplication id, a durable consumer halfway
 * through), a KV bucket and an object-store bucket → exportStreams → a 3-node cluster this file
 * configures itself → importStreams → everything is there, in order.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportStreams, importStreams, readBackupIndex } from '../../src/services/nats-migrate/index.js';
import { freeOffset } from '../helpers/e2e.js';
import { streamMessages } from '../helpers/stream-read.js';
import { healthy, type NatsNode, startNode, stopNode } from '../helpers/nats-servers.js';

const PASSWORD = 'pTestOnlyPassword1234';
const auth = { user: 'core', pass: PASSWORD };
const COUNT = 1000;
const BASES = [4222, 8222, 4223, 4224, 4225, 8223, 8224, 8225, 6223, 6224, 6225];

let dir: string;
let offset: number;
const nodes: NatsNode[] = [];
const at = (base: number) => base + offset;
const servers = (base: number) => [`127.0.0.1:${at(base)}`];

async function withConnection<T>(port: number, use: (nc: NatsConnection) => Promise<T>): Promise<T> {
  const nc = await connect({ servers: [`127.0.0.1:${port}`], ...auth });
  try {
    return await use(nc);
  } finally {
    await nc.close();
  }
}

async function seedSingleNode(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  await jsm.streams.add({ name: 'ORDERS', subjects: ['orders.>'] });
  for (let i = 0; i < COUNT; i++) {
    const h = headers();
    h.set('X-Index', String(i));
    await js.publish(`orders.${i % 5}`, `order ${i}`, { headers: h, msgID: `order-${i}` });
  }
  // A worker that had finished the first 100.
  await jsm.consumers.add('ORDERS', { durable_name: 'worker', ack_policy: AckPolicy.Explicit });
  const worker = await js.consumers.get('ORDERS', 'worker');
  const batch = await worker.fetch({ max_messages: 100, expires: 5000 });
  for await (const m of batch) await m.ackAck();
  // A KV bucket as the KV API makes it (stream KV_<bucket>), with history, an update and a delete.
  await jsm.streams.add({
    name: 'KV_settings',
    subjects: ['$KV.settings.>'],
    max_msgs_per_subject: 5,
    discard: 'new' as never,
    allow_rollup_hdrs: true,
    deny_delete: true,
    allow_direct: true,
  });
  await js.publish('$KV.settings.colour', 'red');
  await js.publish('$KV.settings.size', 'large');
  await js.publish('$KV.settings.colour', 'blue');
  const del = headers();
  del.set('KV-Operation', 'DEL');
  await js.publish('$KV.settings.size', '', { headers: del });
  // An object-store bucket as the object-store API makes it (stream OBJ_<bucket>): a chunk, then its meta rolled up.
  await jsm.streams.add({ name: 'OBJ_files', subjects: ['$O.files.C.>', '$O.files.M.>'], allow_rollup_hdrs: true, allow_direct: true, discard: 'new' as never });
  await js.publish('$O.files.C.chunk1', 'hello world');
  const meta = headers();
  meta.set('Nats-Rollup', 'sub');
  await js.publish('$O.files.M.aGVsbG8', JSON.stringify({ name: 'hello', nuid: 'chunk1', size: 11, chunks: 1 }), { headers: meta });
}

beforeAll(async () => {
  offset = await freeOffset(BASES);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-nats-migrate-'));
  const single = startNode(dir, { name: 'nats', client: at(4222), monitor: at(8222), storeDir: path.join(dir, 'data/nats'), password: PASSWORD });
  nodes.push(single);
  await healthy(single);
  await withConnection(single.client, seedSingleNode);
}, 60_000);

afterAll(async () => {
  await Promise.all(nodes.map(stopNode));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('exportStreams → importStreams, single node → 3-node cluster', () => {
  let backup: string;

  it('exports every stream with every message into a private backup folder', async () => {
    const root = path.join(dir, 'data/nats/migrations');
    const result = await exportStreams({ servers: servers(4222), ...auth }, { root, source: ['nats'] });
    expect(result.dir).toBeDefined();
    backup = result.dir!;
    expect(path.dirname(backup)).toBe(root);
    expect(result.streams.map((s) => [s.name, s.messages])).toEqual([
      ['KV_settings', 4],
      ['OBJ_files', 2],
      ['ORDERS', COUNT],
    ]);
    expect(result.messages).toBe(COUNT + 6);
    expect(fs.statSync(backup).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(backup, 'backup.json')).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(root)).toEqual([path.basename(backup)]); // no partial folder left
    const orders = readBackupIndex(backup).streams.find((s) => s.name === 'ORDERS')!;
    expect(orders.consumers.map((c) => [c.config.durable_name, c.ack_floor])).toEqual([['worker', 100]]);
    const lines = fs.readFileSync(path.join(backup, orders.file), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(COUNT);
    expect(JSON.parse(lines[7]!)).toMatchObject({ seq: 8, subject: 'orders.2', headers: { 'X-Index': ['7'], 'Nats-Msg-Id': ['order-7'] } });
    expect(fs.readFileSync(path.join(backup, 'backup.json'), 'utf8')).not.toContain(PASSWORD);
  });

  it('imports them into a fresh 3-node cluster: all 1,000 messages in order with their headers, the consumer, the KV and object-store buckets', async () => {
    const routes = [at(6223), at(6224), at(6225)];
    const cluster = [1, 2, 3].map((i) =>
      startNode(dir, {
        name: `nats-${i}`,
        client: at(4222 + i),
        monitor: at(8222 + i),
        storeDir: path.join(dir, `data/nats/nats-${i}`),
        cluster: { name: 'core', port: at(6222 + i), routes },
        password: PASSWORD,
      }),
    );
    nodes.push(...cluster);
    await Promise.all(cluster.map((node) => healthy(node)));

    const connection = { servers: cluster.map((n) => `127.0.0.1:${n.client}`), ...auth };
    const result = await importStreams(connection, backup, { clusterSize: 3 });
    expect(result.streams).toEqual([
      { name: 'KV_settings', messages: 4 },
      { name: 'OBJ_files', messages: 2 },
      { name: 'ORDERS', messages: COUNT },
    ]);

    // Read back through another node than the one imported through first.
    await withConnection(at(4225), async (nc) => {
      const jsm = await jetstreamManager(nc);
      const js = jetstream(nc);
      const info = await jsm.streams.info('ORDERS');
      expect(info.state.messages).toBe(COUNT);
      expect(info.state.first_seq).toBe(1);
      const seen = await streamMessages(nc, 'ORDERS');
      expect(seen).toHaveLength(COUNT);
      seen.forEach((m, i) => {
        expect([m.subject, m.string(), m.header?.get('X-Index'), m.header?.get('Nats-Msg-Id'), m.seq]).toEqual([`orders.${i % 5}`, `order ${i}`, String(i), `order-${i}`, i + 1]);
      });

      // The worker goes on where it was: the 101st order.
      const worker = await js.consumers.get('ORDERS', 'worker');
      const next = await worker.next({ expires: 5000 });
      expect(next?.string()).toBe('order 100');

      // The KV bucket: its config as the KV API needs it, and its values by direct get (what kv.get does).
      const kv = await jsm.streams.info('KV_settings');
      expect(kv.config).toMatchObject({ subjects: ['$KV.settings.>'], max_msgs_per_subject: 5, allow_rollup_hdrs: true, deny_delete: true, allow_direct: true, discard: 'new' });
      const colour = await jsm.direct.getMessage('KV_settings', { last_by_subj: '$KV.settings.colour' });
      expect(colour?.string()).toBe('blue');
      const size = await jsm.direct.getMessage('KV_settings', { last_by_subj: '$KV.settings.size' });
      expect(size?.header.get('KV-Operation')).toBe('DEL');

      // The object-store bucket: its meta (rolled up) and its chunk, as the object-store API reads them.
      expect((await jsm.streams.info('OBJ_files')).config).toMatchObject({ allow_rollup_hdrs: true, allow_direct: true });
      const meta = await jsm.direct.getMessage('OBJ_files', { last_by_subj: '$O.files.M.aGVsbG8' });
      expect([meta?.header.get('Nats-Rollup'), meta?.json<{ name: string }>().name]).toEqual(['sub', 'hello']);
      expect((await jsm.direct.getMessage('OBJ_files', { last_by_subj: '$O.files.C.chunk1' }))?.string()).toBe('hello world');
    });
  }, 60_000);

  it('refuses to import into servers that have the stream already, naming it, and changes nothing there', async () => {
    const connection = { servers: [`127.0.0.1:${at(4223)}`], ...auth };
    await expect(importStreams(connection, backup, { clusterSize: 3 })).rejects.toThrow('stream KV_settings: already exists on the new servers; nothing of it was imported');
    await withConnection(at(4223), async (nc) => expect((await (await jetstreamManager(nc)).streams.info('ORDERS')).state.messages).toBe(COUNT));
  });

  it('an empty server exports nothing and writes no backup', async () => {
    const root = path.join(dir, 'other-migrations');
    const other = startNode(dir, { name: 'other', client: at(4222) + 50, monitor: at(8222) + 50, storeDir: path.join(dir, 'other') });
    nodes.push(other);
    await healthy(other);
    const result = await exportStreams({ servers: [`127.0.0.1:${other.client}`] }, { root, source: ['other'] });
    expect(result).toEqual({ dir: undefined, streams: [], messages: 0 });
    expect(fs.existsSync(root)).toBe(false);
  });

  it('refuses two stored messages with one Nats-Msg-Id (the second would be dropped), leaving no backup', async () => {
    const root = path.join(dir, 'other-migrations');
    await withConnection(at(4222) + 50, async (nc) => {
      const jsm = await jetstreamManager(nc);
      const js = jetstream(nc);
      await jsm.streams.add({ name: 'DUPS', subjects: ['dups.>'], duplicate_window: 100_000_000 });
      await js.publish('dups.a', 'first', { msgID: 'same' });
      // Stored twice only when published further apart than the window (100 ms, the server's minimum): a wait is the point here.
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect((await js.publish('dups.a', 'second', { msgID: 'same' })).duplicate).toBe(false);
      await expect(exportStreams({ servers: [`127.0.0.1:${at(4222) + 50}`] }, { root, source: ['other'] })).rejects.toThrow(
        'stream DUPS: messages 1 and 2 have the same Nats-Msg-Id "same"; republished, the second would be dropped as a duplicate',
      );
      expect(fs.readdirSync(root)).toEqual([]);
      await jsm.streams.delete('DUPS');
    });
  });

  it('an import that fails part-way removes the streams it created, naming the one that failed; the backup stays', async () => {
    // A copy of the backup whose ORDERS claims the KV bucket's subjects: filled while closed, the server refuses its subjects once KV_settings and OBJ_files were opened.
    const broken = path.join(dir, 'broken-backup');
    fs.cpSync(backup, broken, { recursive: true });
    const index = JSON.parse(fs.readFileSync(path.join(broken, 'backup.json'), 'utf8'));
    index.streams.find((s: { name: string }) => s.name === 'ORDERS').config.subjects = ['$KV.settings.>'];
    fs.writeFileSync(path.join(broken, 'backup.json'), JSON.stringify(index));
    const other = { servers: [`127.0.0.1:${at(4222) + 50}`] };
    await expect(importStreams(other, broken, { clusterSize: 1 })).rejects.toThrow(/^stream ORDERS: cannot be given its subjects on the new servers: .*subjects overlap/);
    await withConnection(at(4222) + 50, async (nc) => {
      const names: string[] = [];
      for await (const info of (await jetstreamManager(nc)).streams.list()) names.push(info.config.name);
      expect(names).toEqual([]);
    });
    expect(readBackupIndex(broken).streams).toHaveLength(3);
  });

  it('a purged stream keeps its sequence numbers, a sealed one is sealed again once its messages are in, a work-queue stream keeps its worker', async () => {
    const root = path.join(dir, 'other-migrations');
    await withConnection(at(4222) + 50, async (nc) => {
      const jsm = await jetstreamManager(nc);
      const js = jetstream(nc);
      await jsm.streams.add({ name: 'ARCHIVE', subjects: ['archive.>'] });
      for (let i = 1; i <= 10; i++) await js.publish('archive.x', `entry ${i}`);
      await jsm.streams.purge('ARCHIVE', { seq: 8 }); // keeps 8, 9, 10
      await jsm.streams.update('ARCHIVE', { sealed: true } as never);
      // A work-queue stream with its worker: reading it through a second consumer would be refused.
      await jsm.streams.add({ name: 'JOBS', subjects: ['jobs.>'], retention: 'workqueue' as never });
      for (let i = 1; i <= 5; i++) await js.publish('jobs.build', `job ${i}`);
      await jsm.consumers.add('JOBS', { durable_name: 'builder', ack_policy: AckPolicy.Explicit });
    });
    const { dir: backup } = await exportStreams({ servers: [`127.0.0.1:${at(4222) + 50}`] }, { root, source: ['other'] });
    await importStreams({ servers: [`127.0.0.1:${at(4223)}`], ...auth }, backup!, { clusterSize: 3 });
    await withConnection(at(4224), async (nc) => {
      const info = await (await jetstreamManager(nc)).streams.info('ARCHIVE');
      expect([info.state.messages, info.state.first_seq, info.state.last_seq, info.config.sealed]).toEqual([3, 8, 10, true]);
      const m = await (await jetstreamManager(nc)).streams.getMessage('ARCHIVE', { seq: 9 });
      expect(m?.string()).toBe('entry 9');
      expect((await (await jetstreamManager(nc)).streams.info('JOBS')).state.messages).toBe(5);
      const builder = await jetstream(nc).consumers.get('JOBS', 'builder');
      expect((await builder.next({ expires: 5000 }))?.string()).toBe('job 1');
    });
  });
});
