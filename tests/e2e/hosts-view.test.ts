/**
 * Issue 15, part 4 on one machine: three "hosts" (loopback addresses
 * 127.0.0.21–23), each a copy of one project started with `core up -d --host …`:
 * two NATS hubs in iad, a leaf in lhr. Every host's supervisor publishes its
 * processes on its own node; `core status --all-hosts` from one host lists all
 * three (the request and the leaf's answer cross the leaf connection), and once
 * the leaf host's supervisor is SIGKILLed, the next one shows that host
 * unreachable (its guardian stops its NATS node too: control/guardian.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, runCore } from '../helpers/cli.js';
import { alive, freeOffset, waitFor } from '../helpers/e2e.js';
import { type HostsProject, hostsProject } from '../helpers/hosts-project.js';

const HOSTS = {
  a: { address: '127.0.0.21', region: 'iad' },
  b: { address: '127.0.0.22', region: 'iad' },
  c: { address: '127.0.0.23', region: 'lhr' },
} as const;
type HostName = keyof typeof HOSTS;
const NAMES = Object.keys(HOSTS) as HostName[];

interface HostJson {
  host: string;
  region: string;
  reachable: boolean;
  last_seen?: string | null;
  why?: string;
  processes?: { name: string; status: string; ready: boolean; pid: number | null }[];
}

describe('core status --all-hosts: one view of three hosts', () => {
  let project: HostsProject | undefined;
  let offset: number;
  const dir = (host: HostName) => project!.dir(host);
  const core = (host: HostName, ...args: string[]) => runCore(args, { cwd: dir(host), env: { CORE_PORT_OFFSET: String(offset) }, timeoutMs: 90_000 });
  const allHosts = async (from: HostName) => {
    const result = await core(from, 'status', '--all-hosts', '--json');
    return { code: result.code, stderr: result.stderr, hosts: ((result.stdout ? JSON.parse(result.stdout).hosts : undefined) ?? []) as HostJson[] };
  };

  beforeAll(async () => {
    // Hubs: declared ports + 0, 1; the leaf: + 100 (topology.md).
    offset = await freeOffset([4222, 4223, 4322, 6222, 6223, 7422, 7423, 7522, 8222, 8223, 8322]);
    project = hostsProject(HOSTS, {
      edit: (m) => {
        m.config.deployment = { local: { hub_nodes: 2, hub_region: 'iad', leaf_regions: ['lhr'] } };
      },
    });
    // Together: a hub is ready once the cluster has a meta leader, which takes both.
    const ups = await Promise.all(NAMES.map((host) => core(host, 'up', '-d', '--host', host)));
    expect(ups.map((u) => [u.code, u.code === 0 ? '' : u.stderr])).toEqual(NAMES.map(() => [0, '']));
  }, 120_000);

  afterAll(async () => {
    if (!project) return;
    // c's supervisor was killed: `core down` there stops whatever its guardian left.
    await Promise.all(NAMES.map((host) => core(host, 'down')));
    project.remove();
  }, 90_000);

  it('from any host, lists every host and its processes', async () => {
    // Each supervisor connects once its own node is ready: right after `up -d` returns, give it a moment.
    const seen = await waitFor('every host answering', async () => {
      const view = await allHosts('b');
      return view.code === 0 ? view : undefined;
    });
    expect(seen.hosts.map((h) => [h.host, h.region, h.reachable, h.processes?.map((p) => [p.name, p.status, p.ready])])).toEqual([
      ['a', 'iad', true, [['nats-hub-1', 'Running', true]]],
      ['b', 'iad', true, [['nats-hub-2', 'Running', true]]],
      ['c', 'lhr', true, [['nats-leaf-lhr', 'Running', true]]],
    ]);
    const table = await core('a', 'status', '--all-hosts');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^HOST\s+REGION\s+NAME\s+STATUS\s+HEALTH\s+PID/);
    expect(table.stdout).toMatch(/^c\s+lhr\s+nats-leaf-lhr\s+Running\s+healthy\s+\d+/m);
  }, 30_000);

  it('a heartbeat every second on each host subject, carrying no environment and no command line', async () => {
    const nc = await connect({ servers: `nats://${HOSTS.a.address}:${4222 + offset}`, timeout: 3000 });
    try {
      const sub = nc.subscribe('core.hosts.*.status');
      const got: { subject: string; at: number; body: string }[] = [];
      for await (const m of sub) {
        got.push({ subject: m.subject, at: Date.now(), body: m.string() });
        if (got.filter((g) => g.subject === 'core.hosts.c.status').length >= 2) break;
      }
      expect(new Set(got.map((g) => g.subject))).toEqual(new Set(['core.hosts.a.status', 'core.hosts.b.status', 'core.hosts.c.status']));
      const snapshot = JSON.parse(got.find((g) => g.subject === 'core.hosts.c.status')!.body);
      expect(Object.keys(snapshot).sort()).toEqual(['address', 'host', 'processes', 'region', 'seq', 'time', 'version']);
      expect(Object.keys(snapshot.processes[0]).sort()).toEqual(
        ['exit_code', 'health', 'last_probe_error', 'name', 'pid', 'ready', 'reason', 'restarts', 'service', 'status', 'uptime_seconds'].sort(),
      );
      // Nothing of what a process was started with: its config file's path, its arguments, the project's folder.
      for (const g of got) expect(g.body).not.toMatch(/\.conf|nats-server|core-hosts-view|PATH/);
    } finally {
      await nc.close();
    }
  }, 15_000);

  it('marks a host whose supervisor was SIGKILLed unreachable, and says so with exit 1; its guardian stops what it ran', async () => {
    const state = JSON.parse(fs.readFileSync(path.join(dir('c'), '.core-stack', 'state.json'), 'utf8'));
    const nodePid: number = state.processes['nats-leaf-lhr'].pid;
    const killedAt = Date.now();
    process.kill(state.supervisor.pid, 'SIGKILL');
    const view = await waitFor(
      'host c unreachable',
      async () => {
        const v = await allHosts('a');
        return v.hosts.find((h) => h.host === 'c')?.reachable === false ? v : undefined;
      },
      20_000,
    );
    // Measured here: 2.1–2.4 s from the kill to the answer saying so, that is one `--all-hosts`
    // waiting its 2 s for c's answer (a dead supervisor answers nothing: no stale state is shown).
    const tookMs = Date.now() - killedAt;
    console.log(`host c shown unreachable ${tookMs} ms after its supervisor's SIGKILL`);
    expect(tookMs).toBeLessThan(10_000); // the "within a few seconds"
    expect(view.code).toBe(1);
    expect(view.hosts.map((h) => [h.host, h.reachable])).toEqual([
      ['a', true],
      ['b', true],
      ['c', false],
    ]);
    const c = view.hosts.find((h) => h.host === 'c')!;
    expect(c.processes).toBeUndefined();
    expect(c.why).toMatch(/^no answer in \d\.\d s$/);
    const table = await core('a', 'status', '--all-hosts');
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/^c\s+lhr\s+-\s+unreachable \(no answer in \d\.\d s\)/m);
    // The guardian noticed its supervisor's death and stopped the NATS node it ran.
    await waitFor('nats-leaf-lhr stopped by the guardian', () => !alive(nodePid));
  }, 40_000);

  it('exit 2, naming the URL, when this host has no NATS node running to ask through', async () => {
    const down = await core('c', 'down');
    expect(down.code).toBe(0);
    const result = await runCore(['status', '--all-hosts'], { cwd: dir('c'), env: { CORE_PORT_OFFSET: String(offset), CORE_HOST_NAME: 'c' }, timeoutMs: 30_000 });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`core: --all-hosts: cannot reach this host's NATS at nats://127.0.0.23:${4322 + offset}`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 30_000);

  it('exit 2 without a hosts file', async () => {
    const alone = makeProject();
    try {
      const result = await runCore(['status', '--all-hosts', '--json'], { cwd: alone, timeoutMs: 30_000 });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('core: --all-hosts: there is no hosts file (hosts.json)');
    } finally {
      fs.rmSync(alone, { recursive: true, force: true });
    }
  });
});
