import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateStack } from '../../src/compose/generate.js';
import { toYaml } from '../../src/compose/yaml.js';
import { ComposeDocSchema } from '../../src/compose/schema.js';
import { planFor, repoManifestFiles } from '../helpers/stack.js';

const GOLDEN = path.resolve(import.meta.dirname, '../golden/default-stack.yaml');

/** Undo process-compose's two expansions the way it reads the file. */
function asProcessComposeReadsIt(yaml: string): unknown {
  return parse(yaml.replaceAll('$$', '$'));
}

describe('the default stack', () => {
  const generated = generateStack(planFor());
  const stack = { ...generated, yaml: toYaml(generated.doc) };

  it('matches the golden file', () => {
    if (process.env.UPDATE_GOLDEN) fs.writeFileSync(GOLDEN, stack.yaml);
    expect(stack.yaml).toBe(fs.readFileSync(GOLDEN, 'utf8'));
  });

  it('is identical for identical inputs', () => {
    expect(toYaml(generateStack(planFor()).doc)).toBe(stack.yaml);
  });

  it('is valid against our model of process-compose, with no unknown keys', () => {
    const result = ComposeDocSchema.safeParse(asProcessComposeReadsIt(stack.yaml));
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it('gates nats -> pocketbase -> caddy on process_healthy', () => {
    const { processes } = stack.doc;
    expect(processes.pocketbase?.depends_on?.nats).toEqual({ condition: 'process_healthy' });
    expect(processes.caddy?.depends_on?.pocketbase).toEqual({ condition: 'process_healthy' });
    expect(Object.keys(processes)).toEqual(['nats', 'pocketbase', 'caddy']);
  });

  it('splits http_get urls and writes integer probe seconds >= 1', () => {
    for (const process of Object.values(stack.doc.processes)) {
      const probe = process.readiness_probe;
      if (!probe) continue;
      expect(probe.http_get).not.toHaveProperty('url');
      expect(probe.period_seconds).toBeGreaterThanOrEqual(1);
      expect(Number.isInteger(probe.timeout_seconds)).toBe(true);
    }
    expect(stack.doc.processes.nats?.readiness_probe?.http_get).toEqual({ host: '127.0.0.1', scheme: 'http', path: '/healthz?js-enabled-only=true', port: '8222' });
  });

  it('stops NATS with SIGINT and always sets a shutdown timeout', () => {
    expect(stack.doc.processes.nats?.shutdown).toEqual({ signal: 2, timeout_seconds: 10 });
    for (const process of Object.values(stack.doc.processes)) if (process.shutdown) expect(process.shutdown.timeout_seconds).toBeGreaterThanOrEqual(1);
  });

  it('uses absolute working folders and entrypoints, never a shell command', () => {
    for (const process of Object.values(stack.doc.processes)) {
      expect(path.isAbsolute(process.working_dir)).toBe(true);
      expect(process).not.toHaveProperty('command');
      expect(path.isAbsolute(process.entrypoint[0]!)).toBe(true);
    }
  });

  it('renders a PocketBase hook that upserts the superuser from the environment, naming only variables', () => {
    const hook = stack.files.find((f) => f.path === '/project/.core-stack/pocketbase/pb_hooks/core_superuser.pb.js')!;
    expect(hook.content).toContain('$os.getenv("CORE_POCKETBASE_ADMIN_PASSWORD")');
    expect(hook.content).toContain('$os.getenv("CORE_POCKETBASE_ADMIN_EMAIL")');
    expect(stack.doc.processes.pocketbase?.entrypoint).toEqual(expect.arrayContaining(['--hooksDir', '/project/.core-stack/pocketbase/pb_hooks', '--hooksWatch=false']));
  });

  it('renders the migration of the core_topology collection, superuser-only, passed with --migrationsDir', () => {
    const migration = stack.files.find((f) => f.path === '/project/.core-stack/pocketbase/pb_migrations/1767225600_core_topology.js')!;
    expect(migration.content).toContain('name: "core_topology"');
    for (const rule of ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule']) expect(migration.content).toContain(`${rule}: null`);
    expect(migration.content).toContain('findCollectionByNameOrId("core_topology")'); // skips a collection that is there already
    expect(stack.doc.processes.pocketbase?.entrypoint).toEqual(expect.arrayContaining(['--migrationsDir', '/project/.core-stack/pocketbase/pb_migrations']));
  });

  it('renders the NATS config and the Caddy JSON', () => {
    const nats = stack.files.find((f) => f.path.endsWith('nats/nats.conf'))!;
    expect(nats.content).toContain('listen: "127.0.0.1:4222"');
    expect(nats.content).toContain('http: "127.0.0.1:8222"');
    expect(nats.content).toContain('store_dir: "/project/.data/nats"');
    const caddy = JSON.parse(stack.files.find((f) => f.path.endsWith('caddy/caddy.json'))!.content);
    expect(caddy.admin).toEqual({ listen: 'unix//project/.core-stack/caddy/admin.sock', config: { persist: false } });
    expect(caddy.apps.http.servers.core.listen).toEqual(['127.0.0.1:2015']);
    expect(caddy.apps.http.servers.core.automatic_https).toEqual({ disable: true });
    expect(caddy.apps.http.servers.core.routes[0].handle[0].upstreams).toEqual([{ dial: '127.0.0.1:8090' }]);
  });
});

describe('settings change the plan', () => {
  it('moves ports with CORE_PORT_OFFSET and CORE_PORT_<SVC>_<NAME>', () => {
    const stack = generateStack(planFor(undefined, { CORE_PORT_OFFSET: '10000', CORE_PORT_CADDY_HTTP: '3015' }));
    expect(stack.doc.processes.nats?.readiness_probe?.http_get?.port).toBe('18222');
    expect(stack.doc.processes.pocketbase?.entrypoint).toContain('127.0.0.1:18090');
    expect(stack.doc.processes.caddy?.readiness_probe?.http_get?.port).toBe('3015');
    const caddy = JSON.parse(stack.files.find((f) => f.path.endsWith('caddy.json'))!.content);
    expect(caddy.apps.http.servers.core.routes[0].handle[0].upstreams).toEqual([{ dial: '127.0.0.1:18090' }]);
    expect(caddy.admin.listen).toBe('unix//project/.core-stack/caddy/admin.sock');
  });

  it('binds Caddy to CADDY_HOST and everything else to CORE_HOST, but the admin API stays on a unix socket', () => {
    const stack = generateStack(planFor(undefined, { CADDY_HOST: '0.0.0.0', CORE_HOST: '127.0.0.9' }));
    const caddy = JSON.parse(stack.files.find((f) => f.path.endsWith('caddy.json'))!.content);
    expect(caddy.apps.http.servers.core.listen).toEqual(['0.0.0.0:2015']);
    expect(caddy.admin.listen).toBe('unix//project/.core-stack/caddy/admin.sock');
    expect(caddy.apps.http.servers.core.routes[0].handle[0].upstreams).toEqual([{ dial: '127.0.0.9:8090' }]);
    expect(stack.files.find((f) => f.path.endsWith('nats.conf'))!.content).toContain('listen: "127.0.0.9:4222"');
  });
});

const HOSTILE = ['$(touch /tmp/core-pwned)', '`id`', '{{.}}', '$HOME', '${HOME}', 'line1\nline2', `quote" and 'single'`, '$$', '\\$x'];

describe('hostile values', () => {
  const files = repoManifestFiles().map((file) => {
    if (file.dir !== 'nats') return file;
    const manifest = JSON.parse(file.text!);
    manifest.process.env = Object.fromEntries(HOSTILE.map((_, i) => [`HOSTILE_${i}`, `\${env.HOSTILE_${i}}`]));
    manifest.process.args.push('--hostile', '${env.HOSTILE_0}');
    return { ...file, text: JSON.stringify(manifest) };
  });
  const env = Object.fromEntries(HOSTILE.map((value, i) => [`HOSTILE_${i}`, value]));
  const generated = generateStack(planFor(files, env));
  const stack = { ...generated, yaml: toYaml(generated.doc) };

  it('come out byte for byte once process-compose has expanded $ and templates', () => {
    const doc = ComposeDocSchema.parse(asProcessComposeReadsIt(stack.yaml));
    const environment = doc.processes.nats!.environment.map((entry) => entry.replaceAll('{{"{{"}}', '{{'));
    expect(environment).toEqual(HOSTILE.map((value, i) => `HOSTILE_${i}=${value}`));
    expect(doc.processes.nats!.entrypoint.slice(-2)).toEqual(['--hostile', HOSTILE[0]]);
  });

  it('escape every $ so process-compose expands none', () => {
    const dollars = stack.yaml.replaceAll('$$', '').match(/\$/g);
    expect(dollars).toBeNull();
  });
});

describe('secrets', () => {
  it('keep the PocketBase password out of the generated file', () => {
    const generated = generateStack(planFor(undefined, { CORE_POCKETBASE_ADMIN_PASSWORD: 'pb-secret-123' }));
    expect(toYaml(generated.doc)).not.toContain('pb-secret-123');
    expect(generated.doc.processes.pocketbase?.['x-core']?.secret_env).toEqual(['CORE_POCKETBASE_ADMIN_PASSWORD']);
  });

  it('are left out of the generated file and listed by name only', () => {
    const files = repoManifestFiles().map((file) => {
      if (file.dir !== 'caddy') return file;
      const manifest = JSON.parse(file.text!);
      manifest.process.env.API_TOKEN = '${env.MY_API_TOKEN}';
      manifest.process.env.DB_URL = 'postgres://u:${env.DB_PASSWORD}@h/db';
      return { ...file, text: JSON.stringify(manifest) };
    });
    const stack = generateStack(planFor(files, { MY_API_TOKEN: 'tok-123456', DB_PASSWORD: 'hunter2' }));
    expect(toYaml(stack.doc)).not.toContain('tok-123456');
    expect(toYaml(stack.doc)).not.toContain('hunter2');
    expect(stack.doc.processes.caddy?.['x-core']?.secret_env).toEqual(['API_TOKEN', 'DB_URL']);
  });
});
