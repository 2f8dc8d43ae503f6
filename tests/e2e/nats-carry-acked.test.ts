/**
 * Issue 12 item 4, "never lose JetStream data", under writes: a publisher
 * writes with acks to the single node THROUGHOUT the `core up -d` that turns
 * it into a 3-node cluster (and to a cluster's R3 stream throughout the way
 * back). It sees errors while no server holds the stream
 * (those messages are not acknowledged, and not counted). Asserted afterwards,
 * on the cluster: every message any server acknowledged is in the stream,
 * once, in the order it was sent. That includes those the single node
 * acknowledged after the carry-over began to look at it (core reads the old
 * store only once the old server has stopped), and those the cluster
 * acknowledged after the carry-over (the publisher reconnects to nats-1,
 * which takes over the client port).
 */
import fs from 'node:fs';
import path from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, runCore } from '../helpers/cli.js';
import { freeOffset } from '../helpers/e2e.js';
import { streamMessages } from '../helpers/stream-read.js';

/** Every port of a 3-node cluster (declared + index), as the other topology tests use. */
const BASES = [4222, 8222, 6222, 7422].flatMap((base) => [0, 1, 2, 100].map((i) => base + i));

const dirs: { dir: string; offset: number }[] = [];

afterAll(async () => {
  for (const { dir, offset } of dirs) {
    await runCore(['down'], { cwd: dir, env: { CORE_PORT_OFFSET: String(offset) }, timeoutMs: 60_000 });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);

/** Publishes `m-<i>` one at a time until stopped; keeps the indexes the server acknowledged. */
function publisher(nc: NatsConnection) {
  const js = jetstream(nc);
  const acked: number[] = [];
  let errors = 0;
  let stopped = false;
  const waiters: { n: number; resolve: () => void }[] = [];
  const done = (async () => {
    for (let i = 0; !stopped; i++) {
      try {
        await js.publish(`orders.${i % 7}`, `m-${i}`, { timeout: 1000 });
        acked.push(i);
        for (const w of waiters.filter((w) => acked.length >= w.n)) w.resolve();
      } catch {
        errors++;
        // No server holds the stream for a moment: try the next message a little later (not a sync point of the test).
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  })();
  return {
    acked,
    errors: () => errors,
    /** Resolves once `n` messages in all were acknowledged. */
    until: (n: number) => new Promise<void>((resolve) => (acked.length >= n ? resolve() : waiters.push({ n, resolve }))),
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

/** Every payload of ORDERS, in stream order. */
async function payloads(nc: NatsConnection): Promise<string[]> {
  return (await streamMessages(nc, 'ORDERS')).map((m) => m.string());
}

interface Change {
  readonly from: 'single-node' | 'cluster';
  readonly to: 'single-node' | 'cluster';
  /** The stream's replicas (3 on a cluster: every node's store holds it). */
  readonly replicas: number;
  /** Where the publisher connects (and reconnects): ports before the offset. */
  readonly clients: readonly number[];
  /** Where the stream is read from afterwards. */
  readonly readers: readonly number[];
  readonly carriedTo: string;
}

async function writeThroughout(change: Change): Promise<void> {
  const offset = await freeOffset(BASES);
  const dir = makeProject({
    nats: (m) => {
      m.config.deployment = { local: { nodes: 3 } };
      m.config.topology = change.from;
      return m;
    },
  });
  dirs.push({ dir, offset });
  for (const other of fs.readdirSync(path.join(dir, 'services'))) if (other !== 'nats') fs.rmSync(path.join(dir, 'services', other), { recursive: true });
  const core = (...args: string[]) => runCore(args, { cwd: dir, env: { CORE_PORT_OFFSET: String(offset) }, timeoutMs: 90_000 });
  expect((await core('up', '-d')).code).toBe(0);

  // Reconnects for as long as it takes: the new topology's first process takes over the client port 4222.
  const nc = await connect({ servers: change.clients.map((c) => `127.0.0.1:${c + offset}`), maxReconnectAttempts: -1, reconnectTimeWait: 50 });
  try {
    await (await jetstreamManager(nc)).streams.add({ name: 'ORDERS', subjects: ['orders.>'], num_replicas: change.replicas });
    const pub = publisher(nc);
    await pub.until(200);

    const manifest = path.join(dir, 'services/nats/service.json');
    const m = JSON.parse(fs.readFileSync(manifest, 'utf8'));
    m.config.topology = change.to;
    fs.writeFileSync(manifest, JSON.stringify(m, null, 2));
    const beforeChange = pub.acked.length;
    const changed = await core('up', '-d');
    const afterChange = pub.acked.length;
    const output = changed.stderr + changed.stdout;
    const carried = new RegExp(`carried 1 stream, (\\d+) messages over to ${change.carriedTo}`).exec(output);
    expect(output, output).toMatch(new RegExp(`carried 1 stream, \\d+ messages over to ${change.carriedTo}`));
    expect(changed.code).toBe(0);
    // It wrote during the command, and the carry-over holds more than was there when the command began
    // (a publish the client buffered while no server held the stream may be acknowledged by the new one: no error then).
    expect(afterChange).toBeGreaterThan(beforeChange);
    expect(Number(carried?.[1])).toBeGreaterThan(beforeChange);
    // Written to the new topology after the carry-over: the publisher found its way there.
    await pub.until(afterChange + 100);
    await pub.stop();

    const reader = await connect({ servers: change.readers.map((c) => `127.0.0.1:${c + offset}`) });
    try {
      const stored = await payloads(reader);
      const inStream = new Set(stored);
      expect(inStream.size).toBe(stored.length); // none twice
      const missing = pub.acked.filter((i) => !inStream.has(`m-${i}`));
      expect({ acked: pub.acked.length, missing: missing.slice(0, 10), missingCount: missing.length }).toEqual({ acked: pub.acked.length, missing: [], missingCount: 0 });
      const order = stored.map((s) => Number(s.slice(2)));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    } finally {
      await reader.close();
    }
  } finally {
    await nc.close();
  }
}

describe('a topology change while a publisher writes throughout', () => {
  it('single-node → cluster: every acknowledged message is in the cluster stream afterwards, once, in order', async () => {
    // Read through the second and third node: the cluster's stream, not one node's.
    await writeThroughout({ from: 'single-node', to: 'cluster', replicas: 1, clients: [4222], readers: [4223, 4224], carriedTo: 'nats-1, nats-2, nats-3' });
  }, 180_000);

  it('cluster (an R3 stream) → single-node: every acknowledged message is in the single node’s stream afterwards, once, in order', async () => {
    await writeThroughout({ from: 'cluster', to: 'single-node', replicas: 3, clients: [4222, 4223, 4224], readers: [4222], carriedTo: 'nats' });
  }, 180_000);
});
