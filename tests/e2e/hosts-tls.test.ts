/**
 * Issue 15, part 3: TLS on the routes with the user's certificates (hosts.json
 * `tls`, `{host}` in the paths). Two hosts on loopback addresses, each a
 * project copy running one node of a 2-node cluster; the certificates are made
 * here with openssl (a CA, one certificate per host naming its IP address).
 * The cluster forms (its meta leader needs the route), and the route port
 * starts with a TLS handshake that wants a client certificate of the CA:
 * another CA's is refused.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCore } from '../helpers/cli.js';
import { freeOffset, waitFor } from '../helpers/e2e.js';
import { type HostsProject, hostsProject } from '../helpers/hosts-project.js';

const HOSTS = {
  'iad-1': { address: '127.0.0.41', region: 'iad' },
  'iad-2': { address: '127.0.0.42', region: 'iad' },
} as const;
type HostName = keyof typeof HOSTS;
const NAMES = Object.keys(HOSTS) as HostName[];
const MONITORS = [8222, 8223, 6222, 6223];

function openssl(cwd: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

/** A CA and, per name, a certificate for `ip` signed by it (EC keys: quick to make). */
function makeCerts(dir: string, ca: string, hosts: Record<string, string>): void {
  fs.mkdirSync(dir, { recursive: true });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, 'req', '-x509', ...ec, '-keyout', `${ca}-key.pem`, '-out', `${ca}.pem`, '-days', '1', '-subj', `/CN=${ca}`);
  for (const [name, ip] of Object.entries(hosts)) {
    openssl(dir, 'req', ...ec, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    fs.writeFileSync(path.join(dir, `${name}.ext`), `subjectAltName=IP:${ip}\nextendedKeyUsage=serverAuth,clientAuth\n`);
    openssl(
      dir,
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.pem`,
      '-CAkey',
      `${ca}-key.pem`,
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
    );
  }
}

/** A TLS connection to a route port with a client certificate: the INFO it then sends, or the error. */
function routeHello(route: { host: string; port: number }, files: { ca: string; cert: string; key: string }): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect({ ...route, ca: fs.readFileSync(files.ca), cert: fs.readFileSync(files.cert), key: fs.readFileSync(files.key) });
    const done = (outcome: string) => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(5000, () => done('timeout'));
    socket.once('data', (data) => done(String(data).split('\r\n')[0]!));
    socket.once('error', (error) => done(`error: ${error.message}`));
    socket.once('close', () => done('closed'));
  });
}

describe('TLS on routes, with certificates the user provides', () => {
  let project: HostsProject | undefined;
  let offset: number;
  const dir = (host: HostName) => project!.dir(host);
  const core = (host: HostName, ...args: string[]) => runCore(args, { cwd: dir(host), env: { CORE_PORT_OFFSET: String(offset) }, timeoutMs: 90_000 });

  beforeAll(async () => {
    offset = await freeOffset(MONITORS);
    project = hostsProject(HOSTS, {
      edit: (m) => {
        m.config.topology = 'cluster';
        m.config.deployment = { local: { nodes: 2 } };
      },
      hostsJson: { tls: { ca: 'certs/ca.pem', cert: 'certs/{host}.pem', key: 'certs/{host}-key.pem' } },
      prepare: (dir) => makeCerts(path.join(dir, 'certs'), 'ca', { 'iad-1': HOSTS['iad-1'].address, 'iad-2': HOSTS['iad-2'].address }),
    });
    makeCerts(path.join(project.parent, 'other'), 'other-ca', { stranger: '127.0.0.43' });
  }, 30_000);

  afterAll(async () => {
    if (!project) return;
    await Promise.all(NAMES.map((host) => core(host, 'down')));
    project.remove();
  }, 60_000);

  it('the two nodes form the cluster over TLS routes; the route port refuses a certificate of another CA', async () => {
    const generated = await runCore(['generate'], { cwd: dir('iad-1'), env: { CORE_PORT_OFFSET: String(offset), CORE_HOST_NAME: 'iad-1' } });
    expect(generated.code, generated.stderr).toBe(0);
    const conf = fs.readFileSync(path.join(dir('iad-1'), '.core-stack/nats/nats-1.conf'), 'utf8');
    expect(conf).toContain(`cert_file: ${JSON.stringify(path.join(dir('iad-1'), 'certs/iad-1.pem'))}`);
    expect(conf).toContain('verify: true');
    const ups = await Promise.all(NAMES.map((host) => core(host, 'up', '-d', '--host', host)));
    expect(ups.map((u) => [u.code, u.code === 0 ? '' : u.stderr])).toEqual([
      [0, ''],
      [0, ''],
    ]);
    // Ready means a meta leader, which took the route between the two.
    const jsz: any = await (await fetch(`http://127.0.0.1:${8222 + offset}/jsz`)).json();
    expect(jsz.meta_cluster.cluster_size).toBe(2);
    expect(jsz.meta_cluster.leader).toBeTruthy();
    const routez: any = await (await fetch(`http://127.0.0.1:${8222 + offset}/routez`)).json();
    expect(routez.routes.map((r: { remote_name: string }) => r.remote_name)).toContain('nats-2');
    // The route port starts with the TLS handshake (no plain INFO first): with a certificate of the CA, a route's INFO…
    const route = { host: HOSTS['iad-2'].address, port: 6223 + offset };
    const certs = path.join(dir('iad-1'), 'certs');
    const ours = { ca: path.join(certs, 'ca.pem'), cert: path.join(certs, 'iad-1.pem'), key: path.join(certs, 'iad-1-key.pem') };
    expect(await routeHello(route, ours)).toMatch(/^INFO \{.*"server_name":"nats-2"/);
    // …and with one of another CA, the handshake is refused (verify: true).
    const other = path.join(project!.parent, 'other');
    expect(await routeHello(route, { ...ours, cert: path.join(other, 'stranger.pem'), key: path.join(other, 'stranger-key.pem') })).toMatch(/^error: .*unknown ca/);
    await waitFor('the refusal in the log', () =>
      /TLS route handshake error: .*certificate signed by unknown authority/.test(fs.readFileSync(path.join(dir('iad-2'), '.core-stack/logs/nats-2.log'), 'utf8'))
        ? true
        : undefined,
    );
  }, 120_000);
});
