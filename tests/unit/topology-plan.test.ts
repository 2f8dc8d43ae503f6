/** Issue 12, item 1: a service expands to processes, each with its own name, ports, files and data. */
import { describe, expect, it } from 'vitest';
import { generateStack } from '../../src/compose/generate.js';
import { validateManifests, type ManifestFile } from '../../src/manifest/validate.js';
import { resolvePlan } from '../../src/plan/resolve.js';
import type { TopologyOverrides } from '../../src/plan/expand.js';
import { IssuesError } from '../../src/support/errors.js';
import { parseSettings } from '../../src/support/settings.js';
import { FAKE_ROOT, FAKE_SELF, repoManifestFiles } from '../helpers/stack.js';

function files(nats: (config: Record<string, unknown>) => void, extra: ManifestFile[] = []): ManifestFile[] {
  return [
    ...repoManifestFiles().map((f) => {
      if (f.dir !== 'nats') return f;
      const json = JSON.parse(f.text!);
      nats(json.config);
      return { ...f, text: JSON.stringify(json) };
    }),
    ...extra,
  ];
}

function plan(config: (c: Record<string, unknown>) => void, env: Record<string, string> = {}, overrides?: TopologyOverrides, extra: ManifestFile[] = []) {
  const { manifests, issues } = validateManifests(files(config, extra));
  if (issues.length) throw new Error(issues.map((i) => `${i.file}: ${i.path}: ${i.message}`).join('\n'));
  const settings = parseSettings({ root: FAKE_ROOT, processEnv: env, homeDir: '/home/u' });
  return resolvePlan({ manifests, settings, self: FAKE_SELF, ...(overrides ? { overrides } : {}) });
}

function issuesOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (error instanceof IssuesError) return error.issues;
    throw error;
  }
  throw new Error('no issue raised');
}

const names = (p: ReturnType<typeof plan>) => p.services.map((s) => s.name);
const nats = (p: ReturnType<typeof plan>) => p.services.filter((s) => s.service === 'nats');

describe('NATS topology → processes', () => {
  it('single-node is one process named after the service, with its data where it always was', () => {
    const p = plan(() => {});
    expect(names(p)).toEqual(['nats', 'pocketbase', 'caddy']);
    const [only] = nats(p);
    expect(only!.ports).toEqual({ client: expect.objectContaining({ port: 4222 }), monitor: expect.objectContaining({ port: 8222 }) });
    const conf = generateStack(p).files.find((f) => f.path.endsWith('/nats.conf'))!;
    expect(conf.path).toBe('/project/.core-stack/nats/nats.conf');
    expect(conf.content).toContain('store_dir: "/project/.data/nats"\n');
    expect(conf.content).not.toContain('cluster');
  });

  it('cluster: nats-1 … nats-N, ports + index, every dependent waits for every node, the probe without js-enabled-only', () => {
    const p = plan((c) => (c.topology = 'cluster'));
    expect(names(p)).toEqual(['nats-1', 'nats-2', 'nats-3', 'pocketbase', 'caddy']);
    expect(nats(p).map((s) => [s.ports.client!.port, s.ports.monitor!.port, s.ports.cluster!.port])).toEqual([
      [4222, 8222, 6222],
      [4223, 8223, 6223],
      [4224, 8224, 6224],
    ]);
    expect(nats(p).every((s) => s.ports.leafnodes === undefined)).toBe(true);
    const pb = p.services.find((s) => s.name === 'pocketbase')!;
    expect(pb.dependsOn).toEqual({ 'nats-1': 'process_healthy', 'nats-2': 'process_healthy', 'nats-3': 'process_healthy' });
    const probe = nats(p)[1]!.readiness!.check;
    expect(probe).toMatchObject({ kind: 'http', port: 8223, path: '/healthz' });
    // 30 s before failures count (a restart on kept state waits for a Raft election); single-node keeps its 3.
    expect(nats(p)[1]!.readiness!.failureThreshold).toBe(6);
    expect(nats(plan(() => {}))[0]!.readiness!.failureThreshold).toBe(3);
    const stack = generateStack(p);
    const conf = stack.files.find((f) => f.path.endsWith('/nats-2.conf'))!.content;
    expect(conf).toContain('server_name: "nats-2"');
    expect(conf).toContain('store_dir: "/project/.data/nats/nats-2"');
    expect(conf).toContain('routes: ["nats-route://127.0.0.1:6222", "nats-route://127.0.0.1:6223", "nats-route://127.0.0.1:6224"]');
    expect(stack.doc.processes['nats-2']!.entrypoint).toEqual(['/project/.dep/nats-server', '-c', '/project/.core-stack/nats/nats-2.conf']);
    expect(stack.doc.processes['nats-2']!.working_dir).toBe('/project/.data/nats/nats-2');
    expect(stack.doc.processes['nats-2']!['x-core']!.service).toBe('nats');
    expect(stack.doc.processes['nats-2']!['x-core']!.reload).toMatchObject({ signal: 1, verify: { varz_url: 'http://127.0.0.1:8223/varz' } });
  });

  it('scaling 3 → 5 changes only the routes of the first three: their config fingerprint stays, the reload one changes', () => {
    const three = generateStack(plan((c) => ((c.topology = 'cluster'), (c.deployment = { local: { nodes: 3 } })))).doc.processes;
    const five = generateStack(plan((c) => ((c.topology = 'cluster'), (c.deployment = { local: { nodes: 5 } })))).doc.processes;
    expect(Object.keys(five).filter((n) => n.startsWith('nats-'))).toEqual(['nats-1', 'nats-2', 'nats-3', 'nats-4', 'nats-5']);
    for (const name of ['nats-1', 'nats-2', 'nats-3']) {
      expect(five[name]!['x-core']!.config_sha256).toBe(three[name]!['x-core']!.config_sha256);
      expect(five[name]!['x-core']!.reload!.sha256).not.toBe(three[name]!['x-core']!.reload!.sha256);
      expect(five[name]!.entrypoint).toEqual(three[name]!.entrypoint);
    }
  });

  it('hub-spoke: hubs in domain "hub" with a leafnodes listener, one leaf per region in its own domain, connected to every hub', () => {
    const p = plan((c) => ((c.topology = 'hub-spoke'), (c.deployment = { local: { hub_nodes: 3, leaf_regions: ['lhr', 'nrt'] } })));
    expect(names(p)).toEqual(['nats-hub-1', 'nats-hub-2', 'nats-hub-3', 'nats-leaf-lhr', 'nats-leaf-nrt', 'pocketbase', 'caddy']);
    const lhr = nats(p).find((s) => s.name === 'nats-leaf-lhr')!;
    expect(lhr.ports).toEqual({ client: expect.objectContaining({ port: 4322 }), monitor: expect.objectContaining({ port: 8322 }) });
    const conf = (name: string) => generateStack(p).files.find((f) => f.path.endsWith(`/${name}.conf`))!.content;
    expect(conf('nats-hub-2')).toContain('domain: "hub"');
    expect(conf('nats-hub-2')).toContain('listen: "127.0.0.1:7423"');
    expect(conf('nats-leaf-lhr')).toContain('domain: "lhr"');
    expect(conf('nats-leaf-lhr')).toContain('urls: ["nats-leaf://127.0.0.1:7422", "nats-leaf://127.0.0.1:7423", "nats-leaf://127.0.0.1:7424"]');
    expect(conf('nats-leaf-lhr')).not.toContain('cluster');
  });

  it('several leaves per region form a cluster named after the region', () => {
    const p = plan((c) => ((c.topology = 'hub-spoke'), (c.deployment = { local: { hub_nodes: 2, leaf_regions: ['lhr'], leaf_nodes_per_region: 2 } })));
    expect(nats(p).map((s) => s.name)).toEqual(['nats-hub-1', 'nats-hub-2', 'nats-leaf-lhr-1', 'nats-leaf-lhr-2']);
    const conf = generateStack(p).files.find((f) => f.path.endsWith('/nats-leaf-lhr-2.conf'))!.content;
    expect(conf).toContain('name: "lhr"');
    expect(conf).toContain('routes: ["nats-route://127.0.0.1:6322", "nats-route://127.0.0.1:6323"]');
  });

  it('ports: CORE_PORT_NATS_CLIENT moves the base, CORE_PORT_NATS_2_CLIENT one process; a clash names both', () => {
    const p = plan((c) => (c.topology = 'cluster'), { CORE_PORT_NATS_CLIENT: '14222', CORE_PORT_NATS_2_MONITOR: '18000' });
    expect(nats(p).map((s) => [s.ports.client!.port, s.ports.monitor!.port])).toEqual([
      [14222, 8222],
      [14223, 18000],
      [14224, 8224],
    ]);
    const clash = () => plan((c) => (c.topology = 'cluster'), { CORE_PORT_POCKETBASE_HTTP: '4223' });
    expect(clash).toThrow(IssuesError);
    expect(issuesOf(clash)).toEqual([expect.objectContaining({ path: 'ports.http.port', message: expect.stringContaining('is also used by nats-2.client') })]);
    expect(issuesOf(() => plan(() => {}, { CORE_PORT_NATS_9_CLIENT: '1' }))).toEqual([
      expect.objectContaining({ path: 'CORE_PORT_NATS_9_CLIENT', message: expect.stringContaining('names no port') }),
    ]);
  });

  it('CORE_DEPLOYMENT picks the deployment; production runs its minimum of hubs and its five regions', () => {
    const p = plan((c) => (c.topology = 'hub-spoke'), { CORE_DEPLOYMENT: 'production' });
    expect(nats(p).map((s) => s.name)).toEqual(['nats-hub-1', 'nats-hub-2', 'nats-hub-3', 'nats-leaf-fra', 'nats-leaf-lhr', 'nats-leaf-nrt', 'nats-leaf-sjc', 'nats-leaf-syd']); // in dependency order, then by name
    expect(generateStack(p).files.find((f) => f.path.endsWith('/nats-hub-1.conf'))!.content).toContain('domain: "iad"');
  });

  it('another service reaches an expanded one through its first process: ${svc.nats.port.client}', () => {
    const client: ManifestFile = {
      file: 'services/app/service.json',
      dir: 'app',
      absolute: '/project/services/app/service.json',
      text: JSON.stringify({
        name: 'app',
        process: {
          command: 'app',
          args: ['--nats', 'nats://${svc.nats.port.client.host}:${svc.nats.port.client}'],
          compose: { depends_on: { nats: { condition: 'process_healthy' } } },
        },
      }),
    };
    const p = plan((c) => (c.topology = 'hub-spoke'), {}, undefined, [client]);
    const app = p.services.find((s) => s.name === 'app')!;
    expect(app.args).toEqual(['--nats', 'nats://127.0.0.1:4222']);
    expect(Object.keys(app.dependsOn)).toEqual(['nats-hub-1', 'nats-hub-2', 'nats-hub-3', 'nats-leaf-lhr', 'nats-leaf-nrt']);
  });

  it('a controller record wins over the manifest; a bad one is an issue naming its file and path', () => {
    const overrides = (value: unknown): TopologyOverrides => ({ file: '.core-stack/controller/topology.json', services: { nats: value as never } });
    const p = plan(() => {}, {}, overrides({ topology: 'hub-spoke', deployment: { local: { hub_nodes: 2, leaf_regions: ['syd'] } } }));
    expect(nats(p).map((s) => s.name)).toEqual(['nats-hub-1', 'nats-hub-2', 'nats-leaf-syd']);
    let error: unknown;
    try {
      plan(() => {}, {}, overrides({ topology: 'cluster', deployment: { local: { nodes: -1 } } }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(IssuesError);
    expect((error as IssuesError).issues).toEqual([
      { file: '.core-stack/controller/topology.json', path: 'nats.deployment.local.nodes', message: expect.stringContaining('at least 2') },
    ]);
    expect(issuesOf(() => plan(() => {}, {}, { file: 'x.json', services: { caddy: { topology: 'cluster' } } }))).toEqual([
      { file: 'x.json', path: 'caddy', message: 'service "caddy" has no topology (only a NATS service has)' },
    ]);
  });

  it('user-password auth is refused with a multi-process topology (the route URLs would carry the password)', () => {
    const { manifests } = validateManifests(files((c) => ((c.topology = 'cluster'), (c.auth = 'user-password'))));
    const settings = parseSettings({ root: FAKE_ROOT, processEnv: {}, homeDir: '/home/u' });
    const p = resolvePlan({ manifests, settings, self: FAKE_SELF, credentials: { nats: { user: 'core', password: 'pw' } } });
    expect(issuesOf(() => generateStack(p))).toEqual([
      { file: 'services/nats/service.json', path: 'config.auth', message: expect.stringContaining('works with topology "single-node" only') },
    ]);
  });
});
