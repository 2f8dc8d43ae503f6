/**
 * Issue 15, part 3, with real servers on loopback addresses (127.0.0.31–35),
 * one project copy per host, passwords in each host's `.env` (loopback needs
 * none; set, they are used):
 * - four hubs and a leaf, with authenticated routes and leaf connections: the
 *   three seeds (hubs 1–3) with the right cluster password form the cluster
 *   (a fresh cluster elects its meta leader only once every configured route
 *   answers, so the refused one is the fourth); the leaf, whose nkey is
 *   derived from CORE_NATS_LEAF_PASSWORD, connects;
 * - the fourth hub's password is wrong: its routes are refused, it does not
 *   join, and the alert says why (its event log; `core status` on a hub that
 *   refused it).
 * And a hub and a leaf nats-server run by hand: the derived key connects, the
 * key of another password does not; and with addresses off loopback, a
 * missing password is exit 2 (`core validate`, no server started).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leafKeyPair } from '../../src/services/nats-security.js';
import { makeProject, runCore } from '../helpers/cli.js';
import { freeOffset, waitFor } from '../helpers/e2e.js';
import { type HostsProject, hostsProject } from '../helpers/hosts-project.js';
import { REPO } from '../helpers/stack.js';

const HOSTS = {
  'iad-1': { address: '127.0.0.31', region: 'iad' },
  'iad-2': { address: '127.0.0.32', region: 'iad' },
  'iad-3': { address: '127.0.0.33', region: 'iad' },
  'iad-4': { address: '127.0.0.34', region: 'iad' },
  'lhr-1': { address: '127.0.0.35', region: 'lhr' },
} as const;
type HostName = keyof typeof HOSTS;
const NAMES = Object.keys(HOSTS) as HostName[];
const MONITORS = [8222, 8223, 8224, 8225, 8322];
const RIGHT = 'right horse battery 1';
const LEAF = 'leaf staple 2';
const NATS_SERVER = path.join(REPO, '.dep', 'nats-server');

async function getJson(url: string): Promise<any> {
  return (await fetch(url)).json();
}

describe('authenticated routes and leaf connections across hosts', () => {
  let project: HostsProject | undefined;
  let offset: number;
  const dir = (host: HostName) => project!.dir(host);
  const core = (host: HostName, ...args: string[]) => runCore(args, { cwd: dir(host), env: { CORE_PORT_OFFSET: String(offset) }, timeoutMs: 90_000 });

  beforeAll(async () => {
    offset = await freeOffset(MONITORS);
    project = hostsProject(HOSTS, {
      edit: (m) => {
        m.config.deployment = { local: { hub_nodes: 4, hub_region: 'iad', leaf_regions: ['lhr'] } };
      },
      // From `.env`, like every CORE_* setting; iad-4's is wrong.
      dotenv: (host) => `CORE_NATS_CLUSTER_PASSWORD="${host === 'iad-4' ? 'wrong horse' : RIGHT}"\nCORE_NATS_LEAF_PASSWORD="${LEAF}"\n`,
    });
  }, 30_000);

  afterAll(async () => {
    if (!project) return;
    await Promise.all(NAMES.map((host) => core(host, 'down')));
    project.remove();
  }, 90_000);

  it('the hubs with the right password form the cluster, the leaf connects with its derived key, and no file holds a password', async () => {
    const ups = await Promise.all((['iad-1', 'iad-2', 'iad-3', 'lhr-1'] as const).map((host) => core(host, 'up', '-d', '--host', host)));
    expect(ups.map((u) => [u.code, u.code === 0 ? '' : u.stderr])).toEqual([
      [0, ''],
      [0, ''],
      [0, ''],
      [0, ''],
    ]);
    const jsz = await getJson(`http://127.0.0.1:${8222 + offset}/jsz`);
    expect(jsz.meta_cluster.leader).toBeTruthy();
    await waitFor('the leaf connection', async () => ((await getJson(`http://127.0.0.1:${8322 + offset}/leafz`)).leafnodes === 1 ? true : undefined));
    // The fourth hub is not up yet: the three formed the cluster from their seeds.
    expect((await getJson(`http://127.0.0.1:${8222 + offset}/jsz`)).meta_cluster.cluster_size).toBe(3);
    for (const host of ['iad-1', 'lhr-1'] as const) {
      const stack = path.join(dir(host), '.core-stack');
      const files = fs.readdirSync(stack, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
      for (const file of files) {
        const text = fs.readFileSync(path.join(file.parentPath, file.name), 'utf8');
        expect(text, file.name).not.toContain(RIGHT);
        expect(text, file.name).not.toContain(encodeURIComponent(RIGHT));
        expect(text, file.name).not.toContain(LEAF);
        expect(text, file.name).not.toContain(leafKeyPair(LEAF).seed);
      }
    }
    const spec = await core('iad-1', 'nats', 'spec', '--host', 'iad-1');
    expect(spec.code, spec.stderr).toBe(0);
    expect(spec.stdout).toContain(`nats-route://127.0.0.31:${6222 + offset}`);
    expect(spec.stdout).not.toContain(RIGHT);
    expect(spec.stdout).not.toContain(encodeURIComponent(RIGHT));
  }, 120_000);

  it('a hub with a wrong password is refused: it does not join, and the alert says why', async () => {
    const up = await core('iad-4', 'up', '-d', '--host', 'iad-4', '--timeout', '8');
    expect(up.code, up.stdout + up.stderr).toBe(1);
    // Its own event log: the dialling side's alert, once though both its seeds refuse it, again and again.
    const events = (await core('iad-4', 'events', '--json')).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const alerts = events.filter((e) => e.type === 'alert');
    expect(alerts.map((a) => [a.process, a.reason])).toEqual([['nats-hub-4', 'route refused: check CORE_NATS_CLUSTER_PASSWORD on every host']]);
    expect(alerts[0].message).toContain("Route Error 'Authorization Violation'");
    // The hub that refused it says so too, and `core status` shows it.
    const status = await core('iad-1', 'status');
    expect(status.stdout).toContain('alert: nats-hub-1: route refused: check CORE_NATS_CLUSTER_PASSWORD on every host');
    const json = JSON.parse((await core('iad-1', 'status', '--json')).stdout);
    expect(json.processes.find((p: { name: string }) => p.name === 'nats-hub-1').last_alert).toBe('route refused: check CORE_NATS_CLUSTER_PASSWORD on every host');
    // Never joined: the cluster's routes name only the two.
    const routez = await getJson(`http://127.0.0.1:${8222 + offset}/routez`);
    expect(new Set(routez.routes.map((r: { remote_name: string }) => r.remote_name))).toEqual(new Set(['nats-hub-2', 'nats-hub-3']));
  }, 60_000);
});

describe('the derived leaf key, with nats-server run by hand', () => {
  const children: ChildProcess[] = [];
  let folder: string;

  beforeAll(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'core-leaf-key-'));
  });
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    fs.rmSync(folder, { recursive: true, force: true });
  });

  function server(name: string, conf: string, env: Record<string, string> = {}): { log: () => string } {
    const file = path.join(folder, `${name}.conf`);
    fs.writeFileSync(file, conf);
    const child = spawn(NATS_SERVER, ['-c', file], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (chunk) => (out += chunk));
    child.stderr!.on('data', (chunk) => (out += chunk));
    return { log: () => out };
  }

  it('connects with the key of the right password, and is refused with another', async () => {
    const offset = await freeOffset([4400, 8400, 7400, 4401, 4402]);
    const { publicKey, seed } = leafKeyPair(LEAF);
    const hub = server(
      'hub',
      `listen: "127.0.0.1:${4400 + offset}"\nhttp: "127.0.0.1:${8400 + offset}"\nleafnodes {\n  listen: "127.0.0.1:${7400 + offset}"\n  authorization { nkey: "${publicKey}" }\n}\n`,
    );
    const leaf = (port: number) => `listen: "127.0.0.1:${port}"\nleafnodes { remotes: [ { urls: ["nats-leaf://127.0.0.1:${7400 + offset}"], nkey: $CORE_NATS_LEAF_SEED } ] }\n`;
    server('good', leaf(4401 + offset), { CORE_NATS_LEAF_SEED: JSON.stringify(seed) });
    await waitFor('the leaf with the right key', async () => ((await getJson(`http://127.0.0.1:${8400 + offset}/leafz`).catch(() => ({}))).leafnodes === 1 ? true : undefined));
    const bad = server('bad', leaf(4402 + offset), { CORE_NATS_LEAF_SEED: JSON.stringify(leafKeyPair('another').seed) });
    await waitFor('the refusal', () => (bad.log().includes("Leafnode Error 'Authorization Violation'") ? true : undefined));
    expect(hub.log()).toContain('Leafnode connection closed: Authentication Failure');
    expect((await getJson(`http://127.0.0.1:${8400 + offset}/leafz`)).leafnodes).toBe(1);
  }, 30_000);
});

describe('a missing password, off loopback', () => {
  it('is exit 2 naming the variable and the connection that needs it; an empty one is missing too; `core plan` still shows', async () => {
    const project = makeProject({
      nats: (m) => ((m.config.topology = 'hub-spoke'), (m.config.deployment = { local: { hub_nodes: 3, hub_region: 'iad', leaf_regions: ['lhr'] } }), m),
    });
    const hosts = { 'iad-1': { address: '10.0.0.1', region: 'iad' }, 'iad-2': { address: '10.0.0.2', region: 'iad' }, 'lhr-1': { address: '10.0.1.1', region: 'lhr' } };
    fs.writeFileSync(path.join(project, 'hosts.json'), JSON.stringify({ hosts }));
    const core = (...args: string[]) => runCore(args, { cwd: project });
    try {
      fs.writeFileSync(path.join(project, '.env'), 'CORE_NATS_CLUSTER_PASSWORD=\n');
      const none = await core('validate');
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(
        /^core: CORE_NATS_CLUSTER_PASSWORD is not set: the routes of nats-hub-1 \(cluster "iad"\) reach 10\.0\.0\.1:6222, 10\.0\.0\.2:6223, 10\.0\.0\.1:6224, off loopback/,
      );
      fs.writeFileSync(path.join(project, '.env'), 'CORE_NATS_CLUSTER_PASSWORD=route\n');
      const leaf = await core('validate');
      expect(leaf.code).toBe(2);
      expect(leaf.stderr).toContain('CORE_NATS_LEAF_PASSWORD is not set: nats-hub-1 accepts leaf connections on 10.0.0.1:7422');
      expect((await core('plan')).code).toBe(0);
      fs.writeFileSync(path.join(project, '.env'), 'CORE_NATS_CLUSTER_PASSWORD=route\nCORE_NATS_LEAF_PASSWORD=leaf\n');
      const both = await core('validate');
      expect(both.code, both.stderr).toBe(0);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  }, 30_000);
});
