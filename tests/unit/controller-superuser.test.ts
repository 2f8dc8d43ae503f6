import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateStack } from '../../src/compose/generate.js';
import { toYaml } from '../../src/compose/yaml.js';
import { overridesFile, readOverrides, writeOverrides } from '../../src/controller/overrides-file.js';
import { pocketbaseTarget, withSuperuserPassword } from '../../src/controller/superuser.js';
import { validateManifests } from '../../src/manifest/validate.js';
import { resolvePlan } from '../../src/plan/resolve.js';
import { parseSettings } from '../../src/support/settings.js';
import { FAKE_SELF, repoManifestFiles } from '../helpers/stack.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-controller-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function planWith(env: Record<string, string>) {
  const { manifests } = validateManifests(repoManifestFiles());
  const settings = withSuperuserPassword(parseSettings({ root: dir, processEnv: env, homeDir: dir }), manifests);
  return resolvePlan({ manifests, settings, self: FAKE_SELF });
}

describe('CORE_CONTROLLER', () => {
  it('is off by default, on with 1, and a typo is a clear setting error', () => {
    expect(parseSettings({ root: dir, processEnv: {} }).controller).toBe(false);
    expect(parseSettings({ root: dir, processEnv: { CORE_CONTROLLER: '1' } }).controller).toBe(true);
    expect(parseSettings({ root: dir, processEnv: { CORE_CONTROLLER: '0' } }).controller).toBe(false);
    expect(() => parseSettings({ root: dir, processEnv: { CORE_CONTROLLER: 'yes please' } })).toThrow('CORE_CONTROLLER: "yes please" is not 1 or 0');
  });
});

describe('the superuser password of the controller', () => {
  it('off: nothing is generated and PocketBase has no password', () => {
    const plan = planWith({});
    expect(pocketbaseTarget(plan)).toEqual({ problem: expect.stringContaining('CORE_POCKETBASE_ADMIN_PASSWORD is not given') });
    expect(fs.existsSync(path.join(dir, '.data', 'secrets'))).toBe(false);
  });

  it('on without a password: one is generated once (0600), reaches PocketBase only through its environment, never a file in clear', () => {
    const plan = planWith({ CORE_CONTROLLER: '1' });
    const file = path.join(dir, '.data', 'secrets', 'pocketbase.password');
    const password = fs.readFileSync(file, 'utf8').trim();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const target = pocketbaseTarget(plan);
    expect(target).toMatchObject({ email: 'admin@example.com', password, url: 'http://127.0.0.1:8090' });
    const pb = plan.services.find((s) => s.name === 'pocketbase')!;
    expect(pb.secretEnv).toContain('CORE_POCKETBASE_ADMIN_PASSWORD');
    const generated = generateStack(plan);
    expect(toYaml(generated.doc)).not.toContain(password);
    for (const f of generated.files) expect(f.content).not.toContain(password);
    expect(pb.args.join(' ')).not.toContain(password);
    // The next command of the project finds the same one.
    expect(pocketbaseTarget(planWith({ CORE_CONTROLLER: '1' }))).toMatchObject({ password });
  });

  it('on with a password set: that one is used', () => {
    expect(pocketbaseTarget(planWith({ CORE_CONTROLLER: '1', CORE_POCKETBASE_ADMIN_PASSWORD: 'mine-12345678' }))).toMatchObject({ password: 'mine-12345678' });
  });
});

describe('the overrides file', () => {
  it('is written whole, 0600, keys sorted; an empty set removes it; garbage reads as none', () => {
    const file = overridesFile(path.join(dir, '.core-stack'));
    writeOverrides(file, { nats: { topology: 'hub-spoke', deployment: { local: { leaf_regions: ['lhr'], hub_nodes: 1 } } } });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toBe(`${JSON.stringify({ nats: { deployment: { local: { hub_nodes: 1, leaf_regions: ['lhr'] } }, topology: 'hub-spoke' } }, null, 2)}\n`);
    expect(readOverrides(file)).toEqual({ nats: { topology: 'hub-spoke', deployment: { local: { hub_nodes: 1, leaf_regions: ['lhr'] } } } });
    writeOverrides(file, {});
    expect(fs.existsSync(file)).toBe(false);
    fs.writeFileSync(file, '[1,2');
    expect(readOverrides(file)).toEqual({});
  });
});
