import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, runCore } from '../helpers/cli.js';

type Edit = (m: any) => unknown;
interface Case {
  readonly name: string;
  readonly edits: Record<string, Edit>;
  readonly env?: Record<string, string>;
  /** Every string must appear in stderr: the file, the JSON path, the gist. */
  readonly expect: readonly string[];
}

const NATS = 'services/nats/service.json';
const PB = 'services/pocketbase/service.json';
const CADDY = 'services/caddy/service.json';

const CASES: Case[] = [
  { name: 'invalid JSON', edits: { nats: () => '{ "name": "nats", }' }, expect: [NATS, 'not valid JSON', 'line 1'] },
  { name: 'a folder without service.json', edits: {}, expect: ['services/empty/service.json', 'missing'] },
  { name: 'an unknown top-level key', edits: { nats: (m) => ({ ...m, colour: 'blue' }) }, expect: [NATS, 'unknown key "colour"'] },
  { name: 'a name that is not its folder', edits: { nats: (m) => ({ ...m, name: 'natz' }) }, expect: [NATS, 'name', 'must equal its folder name'] },
  { name: 'a name with capitals', edits: { nats: (m) => ({ ...m, name: 'NATS' }) }, expect: [NATS, 'name', 'lower-case'] },
  { name: 'no process', edits: { nats: (m) => ({ ...m, process: undefined }) }, expect: [NATS, 'process'] },
  { name: 'an empty command', edits: { nats: (m) => ((m.process.command = ''), m) }, expect: [NATS, 'process.command'] },
  { name: 'args that are not a list', edits: { nats: (m) => ((m.process.args = '-c x'), m) }, expect: [NATS, 'process.args'] },
  { name: 'a bad env variable name', edits: { nats: (m) => ((m.process.env = { 'BAD-NAME': 'x' }), m) }, expect: [NATS, 'process.env', 'not a valid variable name'] },
  { name: 'a port out of range', edits: { nats: (m) => ((m.ports.client.port = 70000), m) }, expect: [NATS, 'ports.client.port'] },
  { name: 'an unknown protocol', edits: { nats: (m) => ((m.ports.client.protocol = 'carrier-pigeon'), m) }, expect: [NATS, 'ports.client.protocol'] },
  { name: 'a binary name with a path', edits: { nats: (m) => ((m.binaries[0].name = '../evil'), m) }, expect: [NATS, 'binaries[0].name', 'plain file name'] },
  { name: 'a binary without sources', edits: { nats: (m) => ((m.binaries[0].sources = []), m) }, expect: [NATS, 'binaries[0].sources'] },
  { name: 'an unknown source type', edits: { nats: (m) => ((m.binaries[0].sources = [{ type: 'ftp' }]), m) }, expect: [NATS, 'binaries[0].sources[0]', 'type'] },
  {
    name: 'a download without a checksum',
    edits: { nats: (m) => (delete m.binaries[0].sources[2].checksums, m) },
    expect: [NATS, 'binaries[0].sources[2]', 'sha256 or a checksums file'],
  },
  { name: 'two binaries with one name', edits: { nats: (m) => (m.binaries.push(m.binaries[0]), m) }, expect: [NATS, 'binaries[1].name', 'duplicate binary'] },
  {
    name: 'an unknown dependency',
    edits: { caddy: (m) => ((m.process.compose.depends_on = { redis: { condition: 'process_started' } }), m) },
    expect: [CADDY, 'process.compose.depends_on.redis', 'unknown service "redis"'],
  },
  {
    name: 'a self-dependency',
    edits: { caddy: (m) => ((m.process.compose.depends_on.caddy = { condition: 'process_started' }), m) },
    expect: [CADDY, 'process.compose.depends_on.caddy', 'itself'],
  },
  {
    name: 'a dependency cycle',
    edits: { nats: (m) => ((m.process.compose.depends_on = { caddy: { condition: 'process_started' } }), m) },
    expect: ['process.compose.depends_on', 'dependency cycle: caddy -> pocketbase -> nats -> caddy'],
  },
  {
    name: 'two services on one port',
    edits: { caddy: (m) => ((m.ports.http.port = 8090), m) },
    expect: [`${PB}: ports.http.port: port 8090 (declared) is also used by caddy.http`],
  },
  {
    name: 'an unknown condition',
    edits: { caddy: (m) => ((m.process.compose.depends_on.pocketbase.condition = 'process_ready'), m) },
    expect: [CADDY, 'process.compose.depends_on.pocketbase.condition'],
  },
  {
    name: 'fractional probe seconds',
    edits: { nats: (m) => ((m.process.compose.readiness_probe.period_seconds = 0.5), m) },
    expect: [NATS, 'process.compose.readiness_probe.period_seconds'],
  },
  {
    name: 'a probe with two checks',
    edits: { nats: (m) => ((m.process.compose.readiness_probe.exec = { command: ['true'] }), m) },
    expect: [NATS, 'process.compose.readiness_probe', 'exactly one of'],
  },
  {
    name: 'ready_log_line with a readiness probe',
    edits: { nats: (m) => ((m.process.compose.ready_log_line = 'Server is ready'), m) },
    expect: [NATS, 'process.compose.ready_log_line', 'cannot be combined'],
  },
  {
    name: 'process_healthy on a service without a probe',
    edits: { pocketbase: (m) => (delete m.process.compose.readiness_probe, m) },
    expect: [CADDY, 'process.compose.depends_on.pocketbase.condition', 'no readiness_probe'],
  },
  { name: 'an unknown placeholder', edits: { nats: (m) => (m.process.args.push('${home}'), m) }, expect: [NATS, 'process.args[2]', 'unknown placeholder "${home}"'] },
  { name: 'an unterminated placeholder', edits: { nats: (m) => ((m.process.env = { X: '${data' }), m) }, expect: [NATS, 'process.env.X', 'unterminated placeholder'] },
  { name: 'an unset env variable', edits: { nats: (m) => ((m.process.env = { X: '${env.CORE_TEST_UNSET}' }), m) }, expect: [NATS, 'process.env.X', 'CORE_TEST_UNSET is not set'] },
  {
    name: 'a binary the service does not declare',
    edits: { nats: (m) => ((m.process.command = '${dep.caddy}'), m) },
    expect: [NATS, 'process.command', '"caddy" is not a binary of this service'],
  },
  {
    name: 'a port of an unknown service',
    edits: { caddy: (m) => ((m.config.upstream = '127.0.0.1:${svc.pb.port.http}'), m) },
    expect: [CADDY, 'config.upstream', 'no service "pb"'],
  },
  {
    name: 'an unknown port name',
    edits: { nats: (m) => ((m.process.compose.readiness_probe.http_get.url = 'http://127.0.0.1:${port.http}/'), m) },
    expect: [NATS, 'process.compose.readiness_probe.http_get.url', 'has no port "http"'],
  },
  {
    name: 'a probe url that is not a URL',
    edits: { nats: (m) => ((m.process.compose.readiness_probe.http_get.url = 'not a url'), m) },
    expect: [NATS, 'process.compose.readiness_probe.http_get.url', 'is not a URL'],
  },
  { name: 'an unknown NATS topology', edits: { nats: (m) => ((m.config.topology = 'mesh'), m) }, expect: [NATS, 'config.topology', 'cluster'] },
  {
    name: 'a one-node cluster',
    edits: { nats: (m) => ((m.config.deployment = { local: { nodes: 1 } }), m) },
    expect: [NATS, 'config.deployment.local.nodes', 'at least 2'],
  },
  {
    name: 'an upper-case leaf region',
    edits: { nats: (m) => ((m.config.deployment = { local: { leaf_regions: ['LHR'] } }), m) },
    expect: [NATS, 'config.deployment.local.leaf_regions[0]', 'lower-case'],
  },
  {
    name: 'an unknown deployment key',
    edits: { nats: (m) => ((m.config.deployment = { local: { nodez: 3 } }), m) },
    expect: [NATS, 'config.deployment.local', 'nodez'],
  },
  {
    name: 'a deployment CORE_DEPLOYMENT does not name',
    env: { CORE_DEPLOYMENT: 'staging' },
    edits: { nats: (m) => ((m.config.topology = 'cluster'), (m.config.deployment = { local: { nodes: 3 } }), m) },
    expect: [NATS, 'config.deployment', 'CORE_DEPLOYMENT "staging" names no deployment here (deployments: local)'],
  },
  {
    name: 'a cluster whose processes would share one config file',
    edits: { nats: (m) => ((m.config.topology = 'cluster'), (m.process.args = ['-c', '${stack}/nats/nats.conf']), m) },
    expect: [NATS, 'process.args', '${process}'],
  },
  {
    name: 'a cluster without a cluster port',
    edits: { nats: (m) => ((m.config.topology = 'cluster'), delete m.ports.cluster, m) },
    expect: [NATS, 'ports', 'topology "cluster" needs port "cluster"'],
  },
  {
    name: 'a service named like a command',
    edits: { up: () => ({ name: 'up', process: { command: 'true' } }) },
    expect: ['services/up/service.json', 'name', 'is a core command'],
  },
  {
    name: 'a secret on the command line',
    edits: { caddy: (m) => (m.process.args.push('--key=${env.SECRET_KEY}'), m) },
    env: { SECRET_KEY: 's3cr3t' },
    expect: [CADDY, 'process.args[3]', 'reads a secret variable'],
  },
  {
    name: 'a port override clash',
    edits: {},
    env: { CORE_PORT_CADDY_HTTP: '8090' },
    expect: [`${PB}: ports.http.port: port 8090 (declared) is also used by caddy.http (CORE_PORT_CADDY_HTTP)`],
  },
  {
    name: 'a misspelt port override',
    edits: {},
    env: { CORE_PORT_NATS_CLINET: '5000' },
    expect: ['environment: CORE_PORT_NATS_CLINET: names no port of any service', 'CORE_PORT_NATS_CLIENT'],
  },
  { name: 'a port override that is not a number', edits: {}, env: { CORE_PORT_NATS_CLIENT: 'abc' }, expect: ['CORE_PORT_NATS_CLIENT', 'not a whole number'] },
];

describe('bad input: exit 2, a message naming file and path, no stack trace, nothing written', () => {
  it.each(CASES)('$name', async ({ name, edits, env, expect: needles }) => {
    const project = makeProject(edits);
    if (name === 'a folder without service.json') fs.mkdirSync(path.join(project, 'services', 'empty'));
    for (const command of [['validate'], ['generate']]) {
      const result = await runCore(command, { cwd: project, env });
      expect(result.code, result.stderr).toBe(2);
      for (const needle of needles) expect(result.stderr).toContain(needle);
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(result.stdout).toBe('');
    }
    expect(fs.readdirSync(project)).toEqual(['services']);
  });

  it('has at least 20 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(20);
  });

  it('reports every problem at once', async () => {
    const project = makeProject({
      nats: (m) => ((m.ports.client.port = 0), (m.colour = 1), m),
      caddy: (m) => ((m.process.compose.depends_on = { redis: {} }), m),
    });
    const result = await runCore(['validate'], { cwd: project });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${NATS}: ports.client.port`);
    expect(result.stderr).toContain(`${NATS}: unknown key "colour"`);
    expect(result.stderr).toContain(`${CADDY}: process.compose.depends_on.redis: unknown service "redis"`);
  });
});
