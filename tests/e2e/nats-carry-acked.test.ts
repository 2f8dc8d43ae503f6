/**
 * Issue 12 item 4, "never lose JetStream data", under writes: a publisher
 * writes with acks to the single node THROUGHOUT the `core up -d` that turns
 * it into a 3-node cluster. It sees errors while no server holds the stream
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
  /** How many were acknowledged when the first publish failed: the single node's last ones (it is stopping). */
  let beforeFirstError: number | undefined;
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
        beforeFirstError ??= acked.length;
        // No server holds the stream for a moment: try the next message a little later (not a sync point of the test).
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  })();
  return {
    acked,
    errors: () => errors,
    beforeFirstError: () => beforeFirstError,
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
  const info = await (await jetstreamManager(nc)).streams.info('ORDERS');
  const reader = await jetstream(nc).consumers.get('ORDERS');
  const out: string[] = [];
  const batch = await reader.fetch({ max_messages: info.state.messages, expires: 10_000 });
  for await (const m of batch) out.push(m.string());
  return out;
}

describe('single-node → cluster while a publisher writes throughout', () => {
  it('every acknowledged message is in the cluster stream afterwards, once, in order', async () => {
    const offset = await freeOffset(BASES);
    const dir = makeProject({
      nats: (m) => {
        m.config.deployment = { local: { nodes: 3 } };
        return m;
      },
    });
    dirs.push({ dir, offset });
    for (const other of fs.readdirSync(path.join(dir, 'services'))) if (other !== 'nats') fs.rmSync(path.join(dir, 'services', other), { recursive: true });
    const core = (...args: string[]) => runCore(args, { cwd: dir, env: { CORE_PORT_OFFSET: String(offset) }, timeoutMs: 90_000 });
    expect((await core('up', '-d')).code).toBe(0);

    // Reconnects for as long as it takes: nats-1 of the cluster takes over the single node's client port.
    const nc = await connect({ servers: `127.0.0.1:${4222 + offset}`, maxReconnectAttempts: -1, reconnectTimeWait: 50 });
    try {
      await (await jetstreamManager(nc)).streams.add({ name: 'ORDERS', subjects: ['orders.>'] });
      const pub = publisher(nc);
      await pub.until(200);

      const manifest = path.join(dir, 'services/nats/service.json');
      const m = JSON.parse(fs.readFileSync(manifest, 'utf8'));
      m.config.topology = 'cluster';
      fs.writeFileSync(manifest, JSON.stringify(m, null, 2));
      const beforeChange = pub.acked.length;
      const changed = await core('up', '-d');
      const afterChange = pub.acked.length;
      const carried = /carried 1 stream, (\d+) messages over to nats-1, nats-2, nats-3/.exec(changed.stderr + changed.stdout);
      expect(changed.stderr + changed.stdout).toMatch(/carried 1 stream, \d+ messages over to nats-1, nats-2, nats-3/);
      expect(changed.code).toBe(0);
      // The single node wrote until it stopped (its first failure came during the command), and all of that was carried.
      const lastOfTheNode = pub.beforeFirstError();
      expect(lastOfTheNode).toBeGreaterThan(beforeChange);
      expect(Number(carried?.[1])).toBeGreaterThanOrEqual(lastOfTheNode!);
      // Written to the cluster after the carry-over: the publisher found its way there.
      await pub.until(afterChange + 100);
      await pub.stop();
      expect(afterChange).toBeGreaterThan(beforeChange); // it did write during the change

      // Read through the second and third node: the cluster's stream, not one node's.
      const reader = await connect({ servers: [`127.0.0.1:${4223 + offset}`, `127.0.0.1:${4224 + offset}`] });
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
  }, 180_000);
});
