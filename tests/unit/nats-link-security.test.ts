/** Issue 15, part 3: routes and leaf connections that leave loopback authenticate; secrets stay in the environment. */
import { describe, expect, it } from 'vitest';
import { generateStack } from '../../src/compose/generate.js';
import { planForHost } from '../../src/hosts/host-plan.js';
import type { Host } from '../../src/hosts/schema.js';
import { validateManifests, type ManifestFile } from '../../src/manifest/validate.js';
import { resolveStack } from '../../src/plan/resolve.js';
import { leafKeyPair, routesVar } from '../../src/services/nats-security.js';
import { serviceSpec } from '../../src/cli/commands/spec.js';
import { InputError } from '../../src/support/errors.js';
import { parseSettings } from '../../src/support/settings.js';
import { FAKE_ROOT, FAKE_SELF, repoManifestFiles } from '../helpers/stack.js';

const CLUSTER_PW = 'r0ute pässword#1';
const LEAF_PW = 'leaf-secret-2';
const PASSWORDS = { CORE_NATS_CLUSTER_PASSWORD: CLUSTER_PW, CORE_NATS_LEAF_PASSWORD: LEAF_PW };

const hostsOf = (hubs: number, base = '10.0.0'): Record<string, Host> => ({
  ...Object.fromEntries(Array.from({ length: hubs }, (_, i) => [`iad-${i + 1}`, { address: `${base}.${i + 1}`, region: 'iad' }])),
  'lhr-1': { address: `${base}.100`, region: 'lhr' },
});

function hostPlan(here: string, options: { hubs?: number; env?: Record<string, string>; hosts?: Record<string, Host>; tls?: object; perRegion?: number } = {}) {
  const hubs = options.hubs ?? 4;
  const files: ManifestFile[] = repoManifestFiles()
    .filter((f) => f.dir === 'nats')
    .map((f) => {
      const json = JSON.parse(f.text!);
      json.config.topology = 'hub-spoke';
      json.config.deployment = { local: { hub_nodes: hubs, hub_region: 'iad', leaf_regions: ['lhr'], leaf_nodes_per_region: options.perRegion ?? 1 } };
      return { ...f, text: JSON.stringify(json) };
    });
  const { manifests, issues } = validateManifests(files);
  if (issues.length) throw new Error(JSON.stringify(issues));
  const settings = parseSettings({ root: FAKE_ROOT, processEnv: options.env ?? PASSWORDS, homeDir: '/home/u' });
  const hosts = options.hosts ?? hostsOf(hubs);
  const { plan, placement } = resolveStack({
    manifests,
    settings,
    self: FAKE_SELF,
    hosts: { file: { file: 'hosts.json', hosts, ...(options.tls ? { tls: options.tls as never } : {}) }, here },
  });
  const own = planForHost(plan, placement!.where, here);
  const generated = generateStack(own);
  const conf = (name: string) => generated.files.find((f) => f.path.endsWith(`nats/${name}.conf`))!.content;
  return { plan: own, generated, conf, service: (name: string) => own.services.find((s) => s.name === name)! };
}

describe('route authentication across hosts', () => {
  it('names the password and the seed routes by variable; the values are secret env keys, in no file', () => {
    const { conf, generated, service } = hostPlan('iad-4');
    const hub = conf('nats-hub-4');
    expect(hub).toContain('  authorization {\n    user: "core"\n    password: $CORE_NATS_CLUSTER_PASSWORD\n  }\n  routes: $CORE_NATS_ROUTES');
    const hub4 = service('nats-hub-4');
    expect(routesVar(hub4)).toBe('CORE_NATS_ROUTES');
    expect(hub4.secretEnv).toEqual(expect.arrayContaining(['CORE_NATS_CLUSTER_PASSWORD', 'CORE_NATS_ROUTES']));
    // A config-text value: the password quoted, the seeds an array literal with the credentials URL-encoded.
    expect(hub4.env.CORE_NATS_CLUSTER_PASSWORD).toBe(JSON.stringify(CLUSTER_PW));
    const pw = encodeURIComponent(CLUSTER_PW);
    expect(hub4.env.CORE_NATS_ROUTES).toBe(`["nats-route://core:${pw}@10.0.0.1:6222", "nats-route://core:${pw}@10.0.0.2:6223", "nats-route://core:${pw}@10.0.0.3:6224"]`);
    const everything = JSON.stringify(generated.doc) + generated.files.map((f) => f.content).join('');
    for (const secret of [CLUSTER_PW, pw, LEAF_PW, leafKeyPair(LEAF_PW).seed]) expect(everything).not.toContain(secret);
    // `core <svc> spec`: the seeds, without credentials; the variables redacted.
    const spec = JSON.stringify(serviceSpec(hub4, hostPlan('iad-4').plan));
    expect(spec).toContain('"routes":["nats-route://10.0.0.1:6222","nats-route://10.0.0.2:6223","nats-route://10.0.0.3:6224"]');
    for (const secret of [CLUSTER_PW, pw]) expect(spec).not.toContain(secret);
    // The refused route is an alert.
    expect(generated.doc.processes['nats-hub-4']!['x-core']?.alerts?.map((a) => a.match)).toEqual([
      "Route Error 'Authorization Violation'",
      'authentication error - User "core"',
      'Leafnode connection closed: Authentication Failure',
    ]);
  });

  it('growing the cluster past its seeds changes no running node: the same file, environment and fingerprint', () => {
    const before = hostPlan('iad-2', { hubs: 3 });
    const after = hostPlan('iad-2', { hubs: 5 });
    expect(after.conf('nats-hub-2')).toBe(before.conf('nats-hub-2'));
    expect(after.service('nats-hub-2').env).toEqual(before.service('nats-hub-2').env);
    expect(after.generated.doc.processes['nats-hub-2']).toEqual(before.generated.doc.processes['nats-hub-2']);
    // No reloadable part is left on a hub: its routes line never changes.
    expect(after.generated.doc.processes['nats-hub-2']!['x-core']?.reload).toBeUndefined();
  });

  it('without the password: exit 2 naming the variable, the host and the routes that need it', () => {
    const run = () => hostPlan('iad-2', { env: { CORE_NATS_LEAF_PASSWORD: LEAF_PW } });
    expect(run).toThrow(InputError);
    expect(run).toThrow(/^CORE_NATS_CLUSTER_PASSWORD is not set on host iad-2: the routes of nats-hub-2 \(cluster "iad"\) reach 10\.0\.0\.1:6222, .*off loopback/);
    expect(() => hostPlan('iad-2', { env: { CORE_NATS_CLUSTER_PASSWORD: '', CORE_NATS_LEAF_PASSWORD: LEAF_PW } })).toThrow(/CORE_NATS_CLUSTER_PASSWORD is not set/);
    try {
      run();
    } catch (error) {
      expect((error as InputError).exitCode).toBe(2);
    }
  });

  it('on loopback without passwords, the files are as before: every route in the file, no authorization', () => {
    const { conf, service } = hostPlan('iad-2', { hubs: 3, env: {}, hosts: hostsOf(3, '127.0.0') });
    const hub = conf('nats-hub-2');
    expect(hub).not.toContain('authorization');
    expect(hub).toContain('routes: ["nats-route://127.0.0.1:6222", "nats-route://127.0.0.2:6223", "nats-route://127.0.0.3:6224"]');
    expect(service('nats-hub-2').links).toEqual({ routeAuth: false, leafAuth: false, why: {} });
  });
});

describe('a leaf region of several nodes', () => {
  it('has its own cluster routes, in a variable of its own', () => {
    const hosts = { ...hostsOf(3), 'lhr-2': { address: '10.0.0.101', region: 'lhr' } };
    const { conf, service } = hostPlan('lhr-2', { hubs: 3, hosts, perRegion: 2 });
    const leaf = service('nats-leaf-lhr-2');
    expect(routesVar(leaf)).toBe('CORE_NATS_LHR_ROUTES');
    expect(conf('nats-leaf-lhr-2')).toContain('routes: $CORE_NATS_LHR_ROUTES');
    const pw = encodeURIComponent(CLUSTER_PW);
    expect(leaf.env.CORE_NATS_LHR_ROUTES).toBe(`["nats-route://core:${pw}@10.0.0.100:6322", "nats-route://core:${pw}@10.0.0.101:6323"]`);
    expect(leaf.env.CORE_NATS_ROUTES).toBeUndefined();
  });
});

describe('leaf authentication', () => {
  it('derives one nkey pair from the password: stable, a user seed, different for another password', () => {
    const a = leafKeyPair(LEAF_PW);
    expect(leafKeyPair(LEAF_PW)).toEqual(a);
    expect(a.seed).toMatch(/^SU[A-Z2-7]{56}$/);
    expect(a.publicKey).toMatch(/^U[A-Z2-7]{55}$/);
    expect(leafKeyPair('other').publicKey).not.toBe(a.publicKey);
  });

  it('the hub accepts the public key (in its file), the leaf signs with the seed (in its environment)', () => {
    const { publicKey, seed } = leafKeyPair(LEAF_PW);
    expect(hostPlan('iad-1').conf('nats-hub-1')).toContain(`leafnodes {\n  listen: "10.0.0.1:7422"\n  authorization {\n    nkey: "${publicKey}"\n  }\n}`);
    const lhr = hostPlan('lhr-1');
    expect(lhr.conf('nats-leaf-lhr')).toContain('remotes: [ { urls: ["nats-leaf://10.0.0.1:7422", ');
    expect(lhr.conf('nats-leaf-lhr')).toContain('], nkey: $CORE_NATS_LEAF_SEED } ]');
    expect(lhr.service('nats-leaf-lhr').env.CORE_NATS_LEAF_SEED).toBe(JSON.stringify(seed));
    expect(lhr.service('nats-leaf-lhr').secretEnv).toContain('CORE_NATS_LEAF_SEED');
    // The leaf's remotes are still reloadable (a new hub reaches a running leaf by reload).
    expect(lhr.generated.doc.processes['nats-leaf-lhr']!['x-core']?.reload).toBeDefined();
  });

  it('without the leaf password: exit 2 on the leaf host and on a hub host, naming CORE_NATS_LEAF_PASSWORD', () => {
    const env = { CORE_NATS_CLUSTER_PASSWORD: CLUSTER_PW };
    expect(() => hostPlan('lhr-1', { env })).toThrow(/^CORE_NATS_LEAF_PASSWORD is not set on host lhr-1: nats-leaf-lhr connects to the hubs at 10\.0\.0\.1:7422/);
    expect(() => hostPlan('iad-1', { env })).toThrow(/^CORE_NATS_LEAF_PASSWORD is not set on host iad-1: nats-hub-1 accepts leaf connections on 10\.0\.0\.1:7422/);
  });
});

describe('TLS with the user certificates', () => {
  it("renders cluster.tls and leafnodes.tls with verify, and the remotes' tls, with {host} replaced", () => {
    const tls = { ca: 'certs/ca.pem', cert: 'certs/{host}.pem', key: 'certs/{host}-key.pem' };
    const hub = hostPlan('iad-2', { tls }).conf('nats-hub-2');
    const fields = (host: string) =>
      `cert_file: "${FAKE_ROOT}/certs/${host}.pem"\n    key_file: "${FAKE_ROOT}/certs/${host}-key.pem"\n    ca_file: "${FAKE_ROOT}/certs/ca.pem"\n    verify: true`;
    expect(hub).toContain(`  routes: $CORE_NATS_ROUTES\n  tls {\n    ${fields('iad-2')}\n  }\n}`);
    expect(hub).toMatch(/leafnodes \{\n {2}listen: "10\.0\.0\.2:7423"\n {2}authorization \{\n.*\n {2}\}\n {2}tls \{\n/);
    const leaf = hostPlan('lhr-1', { tls }).conf('nats-leaf-lhr');
    expect(leaf).toContain(
      `nkey: $CORE_NATS_LEAF_SEED, tls: { cert_file: "${FAKE_ROOT}/certs/lhr-1.pem", key_file: "${FAKE_ROOT}/certs/lhr-1-key.pem", ca_file: "${FAKE_ROOT}/certs/ca.pem" } } ]`,
    );
  });
});

describe('hosts.json tls', () => {
  it('takes ca, cert and key; a missing one or an unknown key is exit 2 with its path', async () => {
    const { validateHosts } = await import('../../src/hosts/validate.js');
    const hosts = { a: { address: '10.0.0.1', region: 'iad' } };
    const ok = validateHosts('hosts.json', JSON.stringify({ hosts, tls: { ca: 'ca.pem', cert: '{host}.pem', key: '{host}-key.pem' } }));
    expect(ok.ok && ok.hosts.tls).toEqual({ ca: 'ca.pem', cert: '{host}.pem', key: '{host}-key.pem' });
    const bad = validateHosts('hosts.json', JSON.stringify({ hosts, tls: { ca: 'ca.pem', cert: 'c.pem', kee: 'k.pem' } }));
    expect(bad.ok ? [] : bad.issues.map((i) => `${i.path}: ${i.message}`)).toEqual(['tls.key: is required', 'tls: unknown key "kee"; did you mean "key"?']);
  });
});
