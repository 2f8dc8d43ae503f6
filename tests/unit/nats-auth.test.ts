/**
 * Issue 9 item 11, the plan's part: NATS `config.auth: "user-password"` gives
 * per-stack credentials that reach dependents through placeholders, and the
 * password is in clear nowhere: not in nats.conf, not in the compose file, not
 * in `spec`. The password file is 0600 in a 0700 folder and kept across runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateStack } from '../../src/compose/generate.js';
import { toYaml } from '../../src/compose/yaml.js';
import { serviceSpec } from '../../src/cli/commands/spec.js';
import { validateManifests } from '../../src/manifest/validate.js';
import { parsePlaceholders } from '../../src/plan/placeholders.js';
import { secretsRead } from '../../src/plan/secrets.js';
import { resolvePlan } from '../../src/plan/resolve.js';
import type { StackCredentials } from '../../src/plan/auth.js';
import { credentialsFile, loadCredentials } from '../../src/services/credentials-file.js';
import { IssuesError, formatIssue, InputError } from '../../src/support/errors.js';
import { parseSettings } from '../../src/support/settings.js';
import { makeProject, runCore } from '../helpers/cli.js';
import { FAKE_ROOT, FAKE_SELF, repoManifestFiles } from '../helpers/stack.js';

type Edit = (m: any) => void;
const PASSWORD = 'pSecretPassword0123456789abcdef';
const CREDENTIALS: StackCredentials = { nats: { user: 'core', password: PASSWORD } };

const withAuth: Edit = (m) => (m.config.auth = 'user-password');
const dependent: Edit = (m) => {
  m.process.env.NATS_URL = '${svc.nats.auth.url}';
  m.process.env.NATS_USER = '${svc.nats.auth.user}';
  m.process.env.NATS_PASSWORD = '${svc.nats.auth.password}';
};

function plan(edits: Record<string, Edit>, credentials: StackCredentials = CREDENTIALS, env: Record<string, string> = {}) {
  const files = repoManifestFiles().map((file) => {
    const edit = edits[file.dir];
    if (!edit) return file;
    const manifest = JSON.parse(file.text!);
    edit(manifest);
    return { ...file, text: JSON.stringify(manifest) };
  });
  const { manifests, issues } = validateManifests(files);
  if (issues.length) throw new IssuesError(issues);
  const settings = parseSettings({ root: FAKE_ROOT, processEnv: env, homeDir: '/home/u' });
  return resolvePlan({ manifests, settings, self: FAKE_SELF, credentials });
}

function issuesOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof IssuesError) return error.issues.map(formatIssue);
    throw error;
  }
  return [];
}

describe('the ${svc.<name>.auth.*} placeholders', () => {
  it('parse, and password and url count as secrets while user does not', () => {
    expect(parsePlaceholders('${svc.nats.auth.password}')).toEqual({
      ok: true,
      segments: [{ raw: '${svc.nats.auth.password}', placeholder: { kind: 'auth', service: 'nats', field: 'password' } }],
    });
    expect(secretsRead('${svc.nats.auth.user}')).toEqual([]);
    expect(secretsRead('x ${svc.nats.auth.password} ${svc.nats.auth.url} ${env.API_TOKEN}')).toEqual(['svc.nats.auth.password', 'svc.nats.auth.url', 'API_TOKEN']);
  });

  it('name the known forms for a typo', () => {
    const parsed = parsePlaceholders('${svc.nats.auth.token}');
    expect(parsed).toEqual({ ok: false, error: expect.stringContaining('${svc.<service>.auth.user|password|url}') });
  });
});

describe('NATS with config.auth "user-password"', () => {
  const planned = plan({ nats: withAuth, pocketbase: dependent });
  const generated = generateStack(planned);
  const yaml = toYaml(generated.doc);
  const natsConf = generated.files.find((f) => f.path.endsWith('nats/nats.conf'))!.content;

  it('hands dependents the user, the password and a ready URL', () => {
    const pb = planned.services.find((s) => s.name === 'pocketbase')!;
    expect(pb.env.NATS_USER).toBe('core');
    expect(pb.env.NATS_PASSWORD).toBe(PASSWORD);
    expect(pb.env.NATS_URL).toBe(`nats://core:${PASSWORD}@127.0.0.1:4222`);
    expect(pb.secretEnv).toEqual(expect.arrayContaining(['NATS_PASSWORD', 'NATS_URL']));
    expect(pb.secretEnv).not.toContain('NATS_USER');
  });

  it('gives the server its password through its own environment, as a secret', () => {
    const nats = planned.services.find((s) => s.name === 'nats')!;
    expect(nats.env.CORE_NATS_AUTH_PASSWORD).toBe(PASSWORD);
    expect(generated.doc.processes.nats?.['x-core']?.secret_env).toEqual(['CORE_NATS_AUTH_PASSWORD']);
    expect(natsConf).toContain('authorization {\n  user: "core"\n  password: $CORE_NATS_AUTH_PASSWORD\n}');
  });

  it('writes the password in clear nowhere: nats.conf, the compose file, spec', () => {
    expect(natsConf).not.toContain(PASSWORD);
    expect(yaml).not.toContain(PASSWORD);
    for (const file of generated.files) expect(file.content).not.toContain(PASSWORD);
    for (const service of planned.services) expect(JSON.stringify(serviceSpec(service))).not.toContain(PASSWORD);
    const pbSpec = serviceSpec(planned.services.find((s) => s.name === 'pocketbase')!) as { env: Record<string, string> };
    expect(pbSpec.env).toMatchObject({ NATS_USER: 'core', NATS_PASSWORD: '<redacted>', NATS_URL: '<redacted>' });
  });

  it('keeps the monitoring probe (healthz) as it was', () => {
    expect(generated.doc.processes.nats?.readiness_probe?.http_get).toEqual({ host: '127.0.0.1', scheme: 'http', path: '/healthz?js-enabled-only=true', port: '8222' });
  });

  it('refuses the password anywhere but process.env', () => {
    const issues = issuesOf(() => plan({ nats: withAuth, caddy: (m) => (m.config.nats = '${svc.nats.auth.url}') }));
    expect(issues).toEqual([expect.stringContaining('services/caddy/service.json: config.nats: reads a secret variable (svc.nats.auth.url)')]);
  });
});

describe('NATS with auth off (the default)', () => {
  it('writes no authorization block and needs no credentials', () => {
    const generated = generateStack(plan({}, {}));
    expect(generated.files.find((f) => f.path.endsWith('nats.conf'))!.content).not.toContain('authorization');
  });

  it('gives a URL without credentials, so a dependent works either way', () => {
    const planned = plan({ pocketbase: (m) => (m.process.env.NATS_URL = '${svc.nats.auth.url}') }, {}, { CORE_PORT_OFFSET: '100' });
    expect(planned.services.find((s) => s.name === 'pocketbase')!.env.NATS_URL).toBe('nats://127.0.0.1:4322');
  });

  it('says how to turn auth on when a dependent asks for the password', () => {
    const issues = issuesOf(() => plan({ pocketbase: dependent }, {}));
    expect(issues).toContainEqual(
      expect.stringContaining(
        'process.env.NATS_PASSWORD: cannot resolve "${svc.nats.auth.password}": service "nats" has no credentials: set "auth": "user-password" in its config',
      ),
    );
  });

  it('rejects an unknown auth mode at config.auth', () => {
    const issues = issuesOf(() => plan({ nats: (m) => (m.config.auth = 'token') }, {}));
    expect(issues).toEqual([expect.stringMatching(/^services\/nats\/service\.json: config\.auth: .*"off".*"user-password"/)]);
  });
});

describe('the password file', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });
  const project = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-auth-'));
    dirs.push(dir);
    const settings = parseSettings({ root: dir, processEnv: {}, homeDir: '/home/u' });
    const files = repoManifestFiles().map((f) =>
      f.dir === 'nats' ? { ...f, text: JSON.stringify({ ...JSON.parse(f.text!), config: { ...JSON.parse(f.text!).config, auth: 'user-password' } }) } : f,
    );
    return { settings, manifests: validateManifests(files).manifests, file: credentialsFile(settings.dataDir, 'nats') };
  };

  it('is created once, 0600 in a 0700 folder, and read back unchanged', () => {
    const { settings, manifests, file } = project();
    const first = loadCredentials(manifests, settings);
    expect(first.nats?.password).toMatch(/^p[0-9a-f]{48}$/);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(loadCredentials(manifests, settings)).toEqual(first);
  });

  it('has its mode tightened when it was loosened', () => {
    const { settings, manifests, file } = project();
    loadCredentials(manifests, settings);
    fs.chmodSync(file, 0o644);
    fs.chmodSync(path.dirname(file), 0o755);
    loadCredentials(manifests, settings);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
  });

  it('is refused, by name and without echoing it, when its content is unusable', () => {
    const { settings, manifests, file } = project();
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, 'short secret!\n', { mode: 0o600 });
    expect(() => loadCredentials(manifests, settings)).toThrow(InputError);
    expect(() => loadCredentials(manifests, settings)).toThrow(file);
    try {
      loadCredentials(manifests, settings);
    } catch (error) {
      expect((error as Error).message).not.toContain('short secret');
    }
  });

  it('is not created while auth is off', () => {
    const { settings, file } = project();
    expect(loadCredentials(validateManifests(repoManifestFiles()).manifests, settings)).toEqual({});
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('the CLI', () => {
  it('keeps the generated password out of spec and generated files, and the same across runs', async () => {
    const dir = makeProject({ nats: (m) => ((m.config.auth = 'user-password'), m), pocketbase: (m) => (dependent(m), m) });
    try {
      const spec = await runCore(['pocketbase', 'spec'], { cwd: dir });
      expect(spec.code, spec.stderr).toBe(0);
      const password = fs.readFileSync(credentialsFile(path.join(dir, '.data'), 'nats'), 'utf8').trim();
      expect(JSON.parse(spec.stdout).service.env.NATS_PASSWORD).toBe('<redacted>');
      expect(spec.stdout).not.toContain(password);
      const generate = await runCore(['generate'], { cwd: dir });
      expect(generate.code, generate.stderr).toBe(0);
      for (const file of fs.readdirSync(path.join(dir, '.core-stack'), { recursive: true, withFileTypes: true })) {
        if (file.isFile()) expect(fs.readFileSync(path.join(file.parentPath, file.name), 'utf8')).not.toContain(password);
      }
      expect(fs.readFileSync(credentialsFile(path.join(dir, '.data'), 'nats'), 'utf8').trim()).toBe(password);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
