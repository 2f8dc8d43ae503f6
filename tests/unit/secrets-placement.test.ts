/**
 * Issue 9 item 12: a secret (`${env.*_TOKEN}`, `${env.*_PASSWORD}`, a service's
 * generated password) may be read in process.env only. Everywhere else it would
 * be on a `ps` listing or in a generated file in clear, so the plan refuses it,
 * and the message names the variable, never its value.
 */
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { generateStack } from '../../src/compose/generate.js';
import { toYaml } from '../../src/compose/yaml.js';
import { childEnv, probeSpecOf } from '../../src/engine/specs.js';
import { realProber } from '../../src/engine/probes.js';
import { IssuesError, formatIssue } from '../../src/support/errors.js';
import { serviceSpec } from '../../src/cli/commands/spec.js';
import { planFor, repoManifestFiles } from '../helpers/stack.js';

type Edit = (m: any) => void;

function withEdits(edits: Record<string, Edit>) {
  return repoManifestFiles().map((file) => {
    const edit = edits[file.dir];
    if (!edit) return file;
    const manifest = JSON.parse(file.text!);
    edit(manifest);
    return { ...file, text: JSON.stringify(manifest) };
  });
}

const SECRET = 'hunter2-s3cr3t-value';
const ENV = { API_TOKEN: SECRET, DB_PASSWORD: SECRET, CORE_POCKETBASE_ADMIN_PASSWORD: 'pb-pass-123' };

function planIssues(edits: Record<string, Edit>): string[] {
  try {
    planFor(withEdits(edits), ENV);
  } catch (error) {
    if (error instanceof IssuesError) return error.issues.map(formatIssue);
    throw error;
  }
  return [];
}

const CASES: ReadonlyArray<{ name: string; edits: Record<string, Edit>; at: string; hint: string }> = [
  {
    name: 'a probe header',
    edits: { caddy: (m) => (m.process.compose.readiness_probe.http_get.headers = { Authorization: 'Bearer ${env.API_TOKEN}' }) },
    at: 'services/caddy/service.json: process.compose.readiness_probe.http_get.headers.Authorization: reads a secret variable (API_TOKEN)',
    hint: 'use an exec probe',
  },
  {
    name: 'an exec probe',
    edits: { nats: (m) => (m.process.compose.liveness_probe = { exec: { command: ['check', '--token', '${env.API_TOKEN}'] } }) },
    at: 'services/nats/service.json: process.compose.liveness_probe.exec.command[2]: reads a secret variable (API_TOKEN)',
    hint: 'read "$API_TOKEN" inside the command',
  },
  {
    name: 'config',
    edits: { caddy: (m) => (m.config.api_key = 'key-${env.API_TOKEN}') },
    at: 'services/caddy/service.json: config.api_key: reads a secret variable (API_TOKEN)',
    hint: 'pass the secret in process.env',
  },
  {
    name: 'nested config',
    edits: { nats: (m) => (m.config.extra = { list: ['${env.DB_PASSWORD}'] }) },
    at: 'services/nats/service.json: config.extra.list[0]: reads a secret variable (DB_PASSWORD)',
    hint: 'process.env',
  },
  {
    name: 'a probe url, whose bad value was echoed',
    edits: { nats: (m) => (m.process.compose.readiness_probe.http_get.url = 'http://127.0.0.1:${env.DB_PASSWORD}/healthz') },
    at: 'services/nats/service.json: process.compose.readiness_probe.http_get.url: reads a secret variable (DB_PASSWORD)',
    hint: 'only process.env may read a secret',
  },
  {
    name: 'a tcp probe host, whose bad value was echoed',
    edits: { nats: (m) => (m.process.compose.readiness_probe = { tcp_socket: { host: '${env.DB_PASSWORD}', port: 4222 } }) },
    at: 'services/nats/service.json: process.compose.readiness_probe.tcp_socket.host: reads a secret variable (DB_PASSWORD)',
    hint: 'only process.env',
  },
  {
    name: 'a port host, whose bad value was echoed',
    edits: { nats: (m) => (m.ports.client.host = '${env.DB_PASSWORD}') },
    at: 'services/nats/service.json: ports.client.host: reads a secret variable (DB_PASSWORD)',
    hint: 'only process.env',
  },
  {
    name: 'a ready_log_line',
    edits: {
      nats: (m) => (delete m.process.compose.readiness_probe, (m.process.compose.ready_log_line = 'ready ${env.API_TOKEN}')),
      pocketbase: (m) => (m.process.compose.depends_on.nats.condition = 'process_log_ready'),
    },
    at: 'services/nats/service.json: process.compose.ready_log_line: reads a secret variable (API_TOKEN)',
    hint: 'only process.env',
  },
  {
    name: 'a working_dir',
    edits: { nats: (m) => (m.process.working_dir = '/tmp/${env.API_TOKEN}') },
    at: 'services/nats/service.json: process.working_dir: reads a secret variable (API_TOKEN)',
    hint: 'only process.env',
  },
  {
    name: 'an argument (as before)',
    edits: { caddy: (m) => m.process.args.push('--key=${env.API_TOKEN}') },
    at: 'services/caddy/service.json: process.args[3]: reads a secret variable (API_TOKEN)',
    hint: 'never on the command line',
  },
  {
    name: "a service's generated password in an argument",
    edits: { nats: (m) => (m.config.auth = 'user-password'), caddy: (m) => m.process.args.push('${svc.nats.auth.password}') },
    at: 'services/caddy/service.json: process.args[3]: reads a secret variable (svc.nats.auth.password)',
    hint: 'never on the command line',
  },
];

describe('a secret outside process.env is refused, naming the variable, never the value', () => {
  it.each(CASES)('$name', ({ edits, at, hint }) => {
    const issues = planIssues(edits);
    expect(issues).toContainEqual(expect.stringContaining(at));
    expect(issues.join('\n')).toContain(hint);
    expect(issues.join('\n')).not.toContain(SECRET);
    // One message per place: no second complaint that could echo the value.
    expect(issues.filter((issue) => issue.startsWith(at.split(': reads')[0]!))).toHaveLength(1);
  });
});

describe('what to do instead works', () => {
  const files = withEdits({
    caddy: (m) => {
      m.process.env.API_TOKEN = '${env.API_TOKEN}';
      m.process.compose.liveness_probe = { exec: { command: ['sh', '-c', 'test "$API_TOKEN" = "$EXPECTED"'] }, period_seconds: 1 };
      m.process.env.EXPECTED = SECRET.toUpperCase();
    },
  });
  const plan = planFor(files, ENV);
  const generated = generateStack(plan);
  const yaml = toYaml(generated.doc);

  it('an exec probe reads the secret from the environment the engine gives it', async () => {
    const caddy = generated.doc.processes.caddy!;
    expect(yaml).not.toContain(SECRET);
    expect(caddy.liveness_probe?.exec?.command).toBe(`sh -c 'test "$API_TOKEN" = "$EXPECTED"'`);
    const secrets = { API_TOKEN: SECRET.toUpperCase() };
    // The planned working folder (/project/.data/caddy) does not exist here.
    const here = { ...caddy, working_dir: os.tmpdir() };
    const spec = probeSpecOf(here, 'liveness', childEnv(here, { PATH: process.env.PATH ?? '/usr/bin:/bin' }, secrets));
    expect(spec).toMatchObject({ kind: 'exec' });
    expect(await realProber.check(spec!, new AbortController().signal)).toEqual({ ok: true });
    const wrong = probeSpecOf(here, 'liveness', childEnv(here, { PATH: process.env.PATH ?? '/usr/bin:/bin' }, { API_TOKEN: 'other' }));
    expect((await realProber.check(wrong!, new AbortController().signal)).ok).toBe(false);
  });

  it('spec redacts it', () => {
    const spec = serviceSpec(plan.services.find((s) => s.name === 'caddy')!) as { env: Record<string, string> };
    expect(spec.env.API_TOKEN).toBe('<redacted>');
    expect(JSON.stringify(spec)).not.toContain(SECRET);
  });
});
