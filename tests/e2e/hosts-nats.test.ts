/**
 * Issue 15 on one machine: four "hosts" (loopback addresses 127.0.0.11–14),
 * each a copy of one project (own .data, .core-stack) started with
 * `core up -d --host …`: three hubs in iad form one cluster across their
 * addresses, the leaf in lhr connects to them, and a message crosses. On hosts
 * made of network namespaces, with links cut and restored:
 * tests/hosts/multi-host.test.ts.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCore } from '../helpers/cli.js';
import { freeOffset, isListening, waitFor } from '../helpers/e2e.js';
import { type HostsProject, hostsProject } from '../helpers/hosts-project.js';
import { agreedMetaLeader, leafConnected, type Monitor } from '../helpers/nats-cluster.js';

const HOSTS = {
  'iad-1': { address: '127.0.0.11', region: 'iad' },
  'iad-2': { address: '127.0.0.12', region: 'iad' },
  'iad-3': { address: '127.0.0.13', region: 'iad' },
  'lhr-1': { address: '127.0.0.14', region: 'lhr' },
} as const;
type HostName = keyof typeof HOSTS;
const NAMES = Object.keys(HOSTS) as HostName[];
/** Monitoring stays on loopback, every process on its own port (declared + index). */
const MONITORS = { 'nats-hub-1': 8222, 'nats-hub-2': 8223, 'nats-hub-3': 8224, 'nats-leaf-lhr': 8322 } as const;

describe('NATS hub-spoke over four hosts, one core each', () => {
  let project: HostsProject | undefined;
  let offset: number;
  const connections: NatsConnection[] = [];
  const core = (host: HostName, ...args: string[]) => runCore(args, { cwd: project!.dir(host), env: { CORE_PORT_OFFSET: String(offset) }, timeoutMs: 90_000 });
  const monitor: Monitor = async (server, path) => {
    const response = await fetch(`http://127.0.0.1:${MONITORS[server as keyof typeof MONITORS] + offset}${path}`);
    return { status: response.status, body: await response.json() };
  };
  const client = async (address: string, port: number) => {
    const nc = await connect({ servers: `nats://${address}:${port + offset}`, timeout: 3000 });
    connections.push(nc);
    return nc;
  };

  beforeAll(async () => {
    offset = await freeOffset(Object.values(MONITORS));
    project = hostsProject(HOSTS);
    // Together: a hub is ready once the cluster has a meta leader, which takes two of the three.
    const ups = await Promise.all(NAMES.map((host) => core(host, 'up', '-d', '--host', host)));
    expect(ups.map((u) => [u.code, u.code === 0 ? '' : u.stderr])).toEqual(NAMES.map(() => [0, '']));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(connections.map((c) => c.close()));
    if (!project) return;
    await Promise.all(NAMES.map((host) => core(host, 'down')));
    project.remove();
  }, 90_000);

  it("each host runs its own process, listening on the host's address only", async () => {
    const own = await Promise.all(NAMES.map(async (host) => JSON.parse((await core(host, 'status', '--json')).stdout).processes.map((p: { name: string }) => p.name)));
    expect(own).toEqual([['nats-hub-1'], ['nats-hub-2'], ['nats-hub-3'], ['nats-leaf-lhr']]);
    expect(await isListening(4223 + offset, '127.0.0.12')).toBe(true);
    expect(await isListening(4223 + offset, '127.0.0.1')).toBe(false);
    expect(await isListening(8223 + offset, '127.0.0.1')).toBe(true); // monitoring: loopback
  });

  it('the three hubs form one cluster with one meta leader, and an R3 stream is writable', async () => {
    const { jsz } = await waitFor('a meta leader known to every hub', () => agreedMetaLeader(monitor, ['nats-hub-1', 'nats-hub-2', 'nats-hub-3']));
    expect(jsz.map((j) => j.meta_cluster.cluster_size)).toEqual([3, 3, 3]);
    const hub = await client(HOSTS['iad-2'].address, 4223);
    const jsm = await jetstreamManager(hub);
    await jsm.streams.add({ name: 'ORDERS', subjects: ['orders.>'], num_replicas: 3 });
    const ack = await jsm.jetstream().publish('orders.1', 'one');
    expect(ack.seq).toBe(1);
    expect((await jsm.streams.info('ORDERS')).cluster?.replicas?.length).toBe(2);
  }, 30_000);

  it('the leaf connects to a hub on another host, and a message published on it reaches a subscriber on a hub host', async () => {
    const leafz = await waitFor('the leaf connection', () => leafConnected(monitor, 'nats-leaf-lhr', 1));
    expect(['127.0.0.11', '127.0.0.12', '127.0.0.13']).toContain(leafz.leafs[0].ip);
    const hub = await client(HOSTS['iad-3'].address, 4224);
    const leaf = await client(HOSTS['lhr-1'].address, 4322);
    const received = hub.subscribe('greet.iad', { max: 1 });
    await hub.flush();
    await waitFor('interest on the leaf', async () => {
      const subsz = (await monitor('nats-leaf-lhr', '/subsz?subs=1&test=greet.iad')).body;
      return subsz.num_subscriptions > 0 ? true : undefined;
    });
    leaf.publish('greet.iad', 'from lhr');
    for await (const m of received) expect(m.string()).toBe('from lhr');
  }, 20_000);
});
