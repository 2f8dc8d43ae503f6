/** Issue 15, part 2: which host runs which process (pure), and one host's plan. */
import { describe, expect, it } from 'vitest';
import { generateStack } from '../../src/compose/generate.js';
import { planForHost } from '../../src/hosts/host-plan.js';
import type { Placement } from '../../src/hosts/placement.js';
import type { Host } from '../../src/hosts/schema.js';
import { validateManifests, type ManifestFile } from '../../src/manifest/validate.js';
import { resolvePlan, resolveStack } from '../../src/plan/resolve.js';
import { IssuesError, type Issue } from '../../src/support/errors.js';
import { parseSettings } from '../../src/support/settings.js';
import { planLines, planView } from '../../src/cli/render/plan-view.js';
import { FAKE_ROOT, FAKE_SELF, repoManifestFiles } from '../helpers/stack.js';

type Edit = (manifest: Record<string, any>) => void;

function stack(edits: Record<string, Edit> = {}, extra: Record<string, object> = {}, env: Record<string, string> = {}) {
  const files: ManifestFile[] = [
    ...repoManifestFiles().map((f) => {
      const edit = edits[f.dir];
      if (!edit) return f;
      const json = JSON.parse(f.text!);
      edit(json);
      return { ...f, text: JSON.stringify(json) };
    }),
    ...Object.entries(extra).map(([dir, manifest]) => ({
      file: `services/${dir}/service.json`,
      dir,
      absolute: `/project/services/${dir}/service.json`,
      text: JSON.stringify(manifest),
    })),
  ];
  const { manifests, issues } = validateManifests(files);
  if (issues.length) throw new Error(issues.map((i) => `${i.file}: ${i.path}: ${i.message}`).join('\n'));
  const settings = parseSettings({ root: FAKE_ROOT, processEnv: env, homeDir: '/home/u' });
  return { manifests, settings, plan: resolvePlan({ manifests, settings, self: FAKE_SELF }) };
}

const hubSpoke =
  (deployment: Record<string, unknown>): Edit =>
  (m) => {
    m.config.topology = 'hub-spoke';
    m.config.deployment = { local: deployment };
  };

/** Routes and leaf connections between these hosts leave loopback: they need their passwords (nats-link-security.test.ts). */
const PASSWORDS = { CORE_NATS_CLUSTER_PASSWORD: 'route-pw', CORE_NATS_LEAF_PASSWORD: 'leaf-pw' };

function place(hosts: Record<string, Host>, edits: Record<string, Edit> = {}, extra: Record<string, object> = {}, here?: string) {
  const s = stack(edits, extra, PASSWORDS);
  try {
    const { plan, placement } = resolveStack({
      manifests: s.manifests,
      settings: s.settings,
      self: FAKE_SELF,
      hosts: { file: { file: 'hosts.json', hosts }, ...(here ? { here } : {}) },
    });
    return { plan, placement: placement!, issues: [] as readonly Issue[] };
  } catch (error) {
    if (!(error instanceof IssuesError)) throw error;
    return { plan: s.plan, placement: undefined, issues: error.issues };
  }
}

function placed(
  hosts: Record<string, Host>,
  edits: Record<string, Edit> = {},
  extra: Record<string, object> = {},
  here?: string,
): Placement & { plan: ReturnType<typeof stack>['plan'] } {
  const { placement, plan, issues } = place(hosts, edits, extra, here);
  if (!placement) throw new Error(issues.map((i) => `${i.file}: ${i.path}: ${i.message}`).join('\n'));
  return { ...placement, plan };
}

const byHost = (p: Placement) => Object.fromEntries(p.hosts.map((h) => [h.name, h.processes]));

/** The issue's example: three hub hosts in iad, one leaf host in lhr. */
const FOUR: Record<string, Host> = {
  'lhr-1': { address: '10.0.1.1', region: 'lhr' },
  'iad-2': { address: '10.0.0.2', region: 'iad' },
  'iad-1': { address: '10.0.0.1', region: 'iad' },
  'iad-3': { address: '10.0.0.3', region: 'iad' },
};
const HUB_SPOKE = { nats: hubSpoke({ hub_nodes: 3, hub_region: 'iad', leaf_regions: ['lhr'] }) };

const worker = (placement?: string) => ({
  name: 'worker',
  ...(placement ? { placement } : {}),
  process: { command: 'worker', compose: { depends_on: { pocketbase: { condition: 'process_healthy' } } } },
});

describe('placement', () => {
  it('spreads hubs over the hub region, leaves over theirs; PocketBase on the primary, Caddy everywhere', () => {
    const p = placed(FOUR, HUB_SPOKE);
    expect(p.hubRegion).toBe('iad');
    expect(p.primary).toBe('iad-1');
    expect(byHost(p)).toEqual({
      'iad-1': ['nats-hub-1', 'pocketbase', 'caddy'],
      'iad-2': ['nats-hub-2', 'caddy'],
      'iad-3': ['nats-hub-3', 'caddy'],
      'lhr-1': ['nats-leaf-lhr', 'caddy'],
    });
    expect(p.hosts.map((h) => [h.name, h.address, h.region])).toEqual([
      ['iad-1', '10.0.0.1', 'iad'],
      ['iad-2', '10.0.0.2', 'iad'],
      ['iad-3', '10.0.0.3', 'iad'],
      ['lhr-1', '10.0.1.1', 'lhr'],
    ]);
    expect(p.notes).toEqual([]);
  });

  it('is the same whatever order the hosts file lists them in', () => {
    const reversed = Object.fromEntries(Object.entries(FOUR).reverse());
    expect(byHost(placed(reversed, HUB_SPOKE))).toEqual(byHost(placed(FOUR, HUB_SPOKE)));
  });

  it('round-robin: five hubs on three hosts; two leaves of a region on its two hosts', () => {
    const hosts: Record<string, Host> = {
      a: { address: '10.0.0.1', region: 'iad' },
      b: { address: '10.0.0.2', region: 'iad' },
      c: { address: '10.0.0.3', region: 'iad' },
      x: { address: '10.0.1.1', region: 'nrt' },
      y: { address: '10.0.1.2', region: 'nrt' },
    };
    const p = placed(hosts, { nats: hubSpoke({ hub_nodes: 5, hub_region: 'iad', leaf_regions: ['nrt'], leaf_nodes_per_region: 2 }) });
    expect(byHost(p)).toEqual({
      a: ['nats-hub-1', 'nats-hub-4', 'pocketbase', 'caddy'],
      b: ['nats-hub-2', 'nats-hub-5', 'caddy'],
      c: ['nats-hub-3', 'caddy'],
      x: ['nats-leaf-nrt-1', 'caddy'],
      y: ['nats-leaf-nrt-2', 'caddy'],
    });
  });

  it('growing: without hub_nodes every hub-region host runs a hub (never fewer than min_hub_nodes); a host added under the next number moves nothing', () => {
    const grow = { nats: hubSpoke({ min_hub_nodes: 3, hub_region: 'iad', leaf_regions: ['lhr'] }) };
    const before = byHost(placed(FOUR, grow));
    expect(before['iad-3']).toEqual(['nats-hub-3', 'caddy']);
    const five = { ...FOUR, 'iad-4': { address: '10.0.0.4', region: 'iad' } };
    const after = byHost(placed(five, grow));
    expect(after['iad-4']).toEqual(['nats-hub-4', 'caddy']);
    for (const host of Object.keys(before)) expect(after[host], host).toEqual(before[host]);
    // Explicit counts are kept: hub_nodes 3 on four hub hosts leaves the fourth without a hub.
    expect(byHost(placed(five, HUB_SPOKE))['iad-4']).toEqual(['caddy']);
    // iad-10 comes after iad-9, not between iad-1 and iad-2.
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`iad-${i + 1}`, { address: `10.0.0.${i + 1}`, region: 'iad' }]));
    const p = placed(ten, { nats: hubSpoke({ min_hub_nodes: 3, hub_region: 'iad' }) });
    expect(p.hosts.map((h) => h.name)).toEqual(['iad-1', 'iad-2', 'iad-3', 'iad-4', 'iad-5', 'iad-6', 'iad-7', 'iad-8', 'iad-9', 'iad-10']);
    expect(byHost(p)['iad-10']).toEqual(['nats-hub-10', 'caddy']);
  });

  it('a cluster with one region needs no hub_region; a host holding a quorum is a note', () => {
    const hosts: Record<string, Host> = { a: { address: '10.0.0.1', region: 'home' }, b: { address: '10.0.0.2', region: 'home' } };
    const p = placed(hosts, {
      nats: (m) => {
        m.config.topology = 'cluster';
      },
    });
    expect(p.hubRegion).toBe('home');
    expect(byHost(p)).toEqual({ a: ['nats-1', 'nats-3', 'pocketbase', 'caddy'], b: ['nats-2', 'caddy'] });
    expect(p.notes).toEqual(['nats-1, nats-3 (2 of 3 members of nats\'s cluster) run on a: losing that host loses the quorum; give region "home" 3 hosts']);
  });

  it('a single-node NATS runs on the primary host; a host of no NATS region runs what runs everywhere, and says so', () => {
    const hosts: Record<string, Host> = { a: { address: '10.0.0.1', region: 'iad' }, z: { address: '10.0.9.1', region: 'syd' } };
    const p = placed(hosts, { nats: (m) => void (m.config.deployment = { local: { hub_region: 'iad' } }) });
    expect(byHost(p)).toEqual({ a: ['nats', 'pocketbase', 'caddy'], z: ['caddy'] });
    expect(p.notes).toEqual([
      'z (region syd) runs only what runs on every host: no NATS leaf region is "syd"',
      // Issue 15, part 4: the hosts' view goes over each host's own NATS node.
      'z runs no NATS node: its supervisor cannot report its processes, `core status --all-hosts` shows it unreachable',
    ]);
  });

  it('user services: with PocketBase by default, on every host with "placement": "every"', () => {
    const hosts: Record<string, Host> = { a: { address: '10.0.0.1', region: 'iad' }, b: { address: '10.0.0.2', region: 'iad' } };
    expect(byHost(placed(hosts, {}, { worker: worker() }))).toEqual({ a: ['nats', 'pocketbase', 'caddy', 'worker'], b: ['caddy'] });
    const every = placed(hosts, {}, { worker: worker('every') });
    expect(byHost(every)).toEqual({ a: ['nats', 'pocketbase', 'caddy', 'worker'], b: ['caddy', 'worker'] });
    expect(every.crossHost.filter((d) => d.process === 'worker')).toEqual([{ host: 'b', process: 'worker', dependsOn: 'pocketbase', condition: 'process_healthy', on: ['a'] }]);
  });

  it('lists each dependency on another host', () => {
    const p = placed(FOUR, HUB_SPOKE);
    const of = (host: string) => p.crossHost.filter((d) => d.host === host).map((d) => `${d.process} → ${d.dependsOn} @ ${d.on.join(',')}`);
    expect(of('iad-1')).toEqual(['pocketbase → nats-hub-2 @ iad-2', 'pocketbase → nats-hub-3 @ iad-3', 'pocketbase → nats-leaf-lhr @ lhr-1']);
    expect(of('iad-2')).toEqual(['caddy → pocketbase @ iad-1']);
    expect(of('lhr-1')).toEqual(['nats-leaf-lhr → nats-hub-1 @ iad-1', 'nats-leaf-lhr → nats-hub-2 @ iad-2', 'nats-leaf-lhr → nats-hub-3 @ iad-3', 'caddy → pocketbase @ iad-1']);
  });
});

describe('placement refuses, naming the file and the region', () => {
  const issuesOf = (hosts: Record<string, Host>, edits: Record<string, Edit> = {}, extra: Record<string, object> = {}) => {
    const { placement, issues } = place(hosts, edits, extra);
    if (placement) throw new Error('no issue raised');
    return issues.map((i) => `${i.file}: ${i.path}: ${i.message}`);
  };

  it('a leaf region with nodes and no host', () => {
    expect(issuesOf({ a: { address: '10.0.0.1', region: 'iad' } }, { nats: hubSpoke({ hub_region: 'iad', leaf_regions: ['lhr', 'nrt'] }) })).toEqual([
      'hosts.json: hosts: no host in region "lhr", which runs nats-leaf-lhr (a leaf region of services/nats/service.json): add a host with "region": "lhr"',
      'hosts.json: hosts: no host in region "nrt", which runs nats-leaf-nrt (a leaf region of services/nats/service.json): add a host with "region": "nrt"',
    ]);
  });

  it('a hub region without hosts', () => {
    expect(issuesOf({ a: { address: '10.0.1.1', region: 'lhr' } }, HUB_SPOKE)).toEqual([
      'hosts.json: hosts: no host in region "iad", the hub region (services/nats/service.json: config.deployment.local.hub_region): hosts are in lhr',
    ]);
  });

  it('several regions and no hub region named', () => {
    expect(issuesOf({ a: { address: '10.0.0.1', region: 'iad' }, b: { address: '10.0.1.1', region: 'lhr' } })).toEqual([
      'hosts.json: hosts: hosts are in 2 regions (iad, lhr) and no hub region is named: name it as "hub_region" in the deployment in force of services/nats/service.json (config.deployment.<CORE_DEPLOYMENT>.hub_region)',
    ]);
  });

  it('PocketBase on every host, and a placement on NATS', () => {
    const hosts = { a: { address: '10.0.0.1', region: 'iad' } };
    expect(issuesOf(hosts, { pocketbase: (m) => void (m.placement = 'every'), nats: (m) => void (m.placement = 'primary') })).toEqual([
      'services/nats/service.json: placement: NATS is placed by its topology (hubs in the hub region, leaves in theirs): remove "placement"',
      'services/pocketbase/service.json: placement: PocketBase is one SQLite writer: it runs on one host (the primary), never on "every"',
    ]);
  });
});

describe("one host's plan", () => {
  it('holds its processes only, without dependencies on other hosts, and links NATS to the other hosts', () => {
    const p = placed(FOUR, HUB_SPOKE);
    const lhr = planForHost(p.plan, p.where, 'lhr-1');
    expect(lhr.host).toBe('lhr-1');
    expect(lhr.services.map((s) => s.name)).toEqual(['nats-leaf-lhr', 'caddy']);
    expect(lhr.services.map((s) => s.dependsOn)).toEqual([{}, {}]);
    expect(lhr.all?.map((s) => s.name)).toEqual(p.plan.services.map((s) => s.name));
    const files = generateStack(lhr).files.map((f) => f.path);
    expect(files.some((f) => f.endsWith('nats/nats-leaf-lhr.conf'))).toBe(true);
    expect(files.some((f) => f.includes('nats-hub-'))).toBe(false);
    const leaf = generateStack(lhr).files.find((f) => f.path.endsWith('nats-leaf-lhr.conf'))!.content;
    // Every hub, though none runs here (their addresses are the plan's: docs/hosts.md).
    expect(leaf.match(/nats-leaf:\/\//g)).toHaveLength(3);
    const hub2 = planForHost(p.plan, p.where, 'iad-2');
    const conf = generateStack(hub2).files.find((f) => f.path.endsWith('nats-hub-2.conf'))!.content;
    // Authenticated: the seed routes are in its environment, with their credentials.
    expect(conf).toContain('routes: $CORE_NATS_ROUTES');
    expect(hub2.services.find((s) => s.name === 'nats-hub-2')!.env.CORE_NATS_ROUTES!.match(/nats-route:\/\//g)).toHaveLength(3);
    expect(Object.keys(generateStack(hub2).doc.processes)).toEqual(['nats-hub-2', 'caddy']);
  });

  it('keeps a dependency that runs on the same host too', () => {
    const hosts: Record<string, Host> = { a: { address: '10.0.0.1', region: 'iad' }, b: { address: '10.0.0.2', region: 'iad' } };
    const helper = { name: 'helper', placement: 'every', process: { command: 'helper' } };
    const p = placed(hosts, {}, { helper, worker: { ...worker('every'), process: { command: 'w', compose: { depends_on: { helper: { condition: 'process_started' } } } } } });
    expect(planForHost(p.plan, p.where, 'b').services.find((s) => s.name === 'worker')?.dependsOn).toEqual({ helper: 'process_started' });
  });
});

describe('addresses', () => {
  const conf = (plan: ReturnType<typeof planForHost>, name: string) => generateStack(plan).files.find((f) => f.path.endsWith(`nats/${name}.conf`))!.content;

  it("a node listens on its host's address, its monitoring on loopback; routes and remotes name the other hosts' addresses", () => {
    const p = placed(FOUR, HUB_SPOKE, {}, 'iad-2');
    const hub = conf(planForHost(p.plan, p.where, 'iad-2'), 'nats-hub-2');
    expect(hub).toContain('listen: "10.0.0.2:4223"');
    expect(hub).toContain('http: "127.0.0.1:8223"');
    expect(hub).toContain('listen: "10.0.0.2:6223"');
    expect(hub).toContain('routes: $CORE_NATS_ROUTES');
    expect(p.plan.services.find((s) => s.name === 'nats-hub-2')!.env.CORE_NATS_ROUTES).toBe(
      '["nats-route://core:route-pw@10.0.0.1:6222", "nats-route://core:route-pw@10.0.0.2:6223", "nats-route://core:route-pw@10.0.0.3:6224"]',
    );
    expect(hub).toMatch(/leafnodes \{\n\s+listen: "10\.0\.0\.2:7423"/);
    const l = placed(FOUR, HUB_SPOKE, {}, 'lhr-1');
    const leaf = conf(planForHost(l.plan, l.where, 'lhr-1'), 'nats-leaf-lhr');
    expect(leaf).toContain('listen: "10.0.1.1:4322"');
    expect(leaf).toContain('http: "127.0.0.1:8322"');
    expect(leaf).toContain('urls: ["nats-leaf://10.0.0.1:7422", "nats-leaf://10.0.0.2:7423", "nats-leaf://10.0.0.3:7424"], nkey: $CORE_NATS_LEAF_SEED');
  });

  it("PocketBase listens on the primary's address and every Caddy proxies to it; Caddy's own listener is the manifest's (loopback)", () => {
    const p = placed(FOUR, HUB_SPOKE, {}, 'lhr-1');
    const lhr = planForHost(p.plan, p.where, 'lhr-1');
    const caddy = JSON.parse(generateStack(lhr).files.find((f) => f.path.endsWith('caddy.json'))!.content);
    expect(JSON.stringify(caddy)).toContain('"dial":"10.0.0.1:8090"');
    expect(lhr.services.find((s) => s.name === 'caddy')!.ports.http!.host).toBe('127.0.0.1');
    expect(p.plan.services.find((s) => s.name === 'pocketbase')!.args).toContain('10.0.0.1:8090');
  });

  it('a service on every host listens on the address of the host it runs on', () => {
    const hosts: Record<string, Host> = { a: { address: '10.0.0.1', region: 'iad' }, b: { address: '10.0.0.2', region: 'iad' } };
    const agent = { name: 'agent', placement: 'every', process: { command: 'agent', args: ['${port.http.host}'] }, ports: { http: { port: 9000, protocol: 'http' } } };
    for (const [host, address] of [
      ['a', '10.0.0.1'],
      ['b', '10.0.0.2'],
    ] as const) {
      const p = placed(hosts, {}, { agent }, host);
      expect(planForHost(p.plan, p.where, host).services.find((s) => s.name === 'agent')!.args).toEqual([address]);
    }
  });

  it("${svc.nats.*} in a service on every host names that host's own NATS node (a leaf host's leaf), else the first hub", () => {
    const client = { name: 'client', placement: 'every', process: { command: 'client', args: ['nats://${svc.nats.port.client.host}:${svc.nats.port.client}'] } };
    const url = (host: string | undefined) => {
      const p = placed(FOUR, HUB_SPOKE, { client }, host);
      const plan = host ? planForHost(p.plan, p.where, host) : p.plan;
      return plan.services.find((s) => s.name === 'client')!.args[0];
    };
    expect(url('lhr-1')).toBe('nats://10.0.1.1:4322');
    expect(url('iad-2')).toBe('nats://10.0.0.2:4223');
    // No host named (core plan, spec): the first hub, as on one machine.
    expect(url(undefined)).toBe('nats://10.0.0.1:4222');
  });

  it('without a hosts file nothing moves off CORE_HOST', () => {
    const { plan } = stack(HUB_SPOKE);
    expect(new Set(plan.services.flatMap((s) => Object.values(s.ports).map((port) => port.host)))).toEqual(new Set(['127.0.0.1']));
  });
});

describe('core plan view', () => {
  it('without a hosts file: one implicit host, everything on it', () => {
    const { plan } = stack();
    const view = planView({ services: plan.services, deployment: 'local', address: '127.0.0.1' });
    expect(view.hosts).toEqual([
      {
        name: 'local',
        address: '127.0.0.1',
        region: null,
        primary: true,
        processes: plan.services.map((s) => ({ name: s.name, service: s.service })),
        not_gated: [],
      },
    ]);
    expect(planLines(view)[0]).toBe('one host (CORE_DEPLOYMENT=local)');
  });

  it('with one: each host, the primary marked and why, dependencies not gated grouped per process', () => {
    const p = placed(FOUR, HUB_SPOKE);
    const lines = planLines(planView({ services: p.plan.services, placement: p, deployment: 'local', address: '127.0.0.1' }));
    expect(lines).toEqual([
      'hosts.json: hub region iad (CORE_DEPLOYMENT=local); primary host iad-1 (*): PocketBase runs there only, as it is one SQLite writer',
      'HOST     ADDRESS   REGION  PROCESSES',
      'iad-1 *  10.0.0.1  iad     nats-hub-1, pocketbase, caddy',
      'iad-2    10.0.0.2  iad     nats-hub-2, caddy',
      'iad-3    10.0.0.3  iad     nats-hub-3, caddy',
      'lhr-1    10.0.1.1  lhr     nats-leaf-lhr, caddy',
      "not gated across hosts (a host's engine sees only its own processes; each of these retries until its dependency answers):",
      '  iad-1: pocketbase does not wait for nats-hub-2 (on iad-2), nats-hub-3 (on iad-3), nats-leaf-lhr (on lhr-1)',
      '  iad-2: caddy does not wait for pocketbase (on iad-1)',
      '  iad-3: caddy does not wait for pocketbase (on iad-1)',
      '  lhr-1: nats-leaf-lhr does not wait for nats-hub-1 (on iad-1), nats-hub-2 (on iad-2), nats-hub-3 (on iad-3)',
      '  lhr-1: caddy does not wait for pocketbase (on iad-1)',
    ]);
  });
});
