/** Build a plan from the default manifests (core init's templates) or given ones, without touching the disk. */
import fs from 'node:fs';
import path from 'node:path';
import { validateManifests, type ManifestFile } from '../../src/manifest/validate.js';
import { resolvePlan } from '../../src/plan/resolve.js';
import { parseSettings } from '../../src/support/settings.js';

export const REPO = path.resolve(import.meta.dirname, '../..');
/**
 * The default manifests, as `core init` writes them. Tests build their projects from
 * these, never from the checkout's services/: a user's own services there cannot break them.
 */
export const TEMPLATES = path.join(REPO, 'templates', 'services');
export const FAKE_ROOT = '/project';
export const FAKE_SELF = ['/usr/bin/node', '/opt/core/dist/cmd/core.js'];

export function repoManifestFiles(): ManifestFile[] {
  return fs
    .readdirSync(TEMPLATES)
    .sort()
    .map((dir) => {
      const absolute = path.join(TEMPLATES, dir, 'service.json');
      return { file: `services/${dir}/service.json`, dir, absolute, text: fs.readFileSync(absolute, 'utf8') };
    });
}

export function planFor(files: ManifestFile[] = repoManifestFiles(), env: Record<string, string> = {}) {
  const { manifests, issues } = validateManifests(files);
  if (issues.length) throw new Error(issues.map((i) => `${i.file}: ${i.path}: ${i.message}`).join('\n'));
  const settings = parseSettings({ root: FAKE_ROOT, processEnv: env, homeDir: '/home/u' });
  return resolvePlan({ manifests, settings, self: FAKE_SELF });
}

/**
 * process-compose's own schema file: CORE_TEST_PC_SCHEMA, else the team's shared
 * reference copy beside the checkout (shared/reference/ in a parent folder). The
 * repo keeps no copy of upstream's file; without one the checks that need it skip.
 */
export function findPcSchema(): string | undefined {
  if (process.env.CORE_TEST_PC_SCHEMA) return process.env.CORE_TEST_PC_SCHEMA;
  for (let dir = REPO; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared/reference/process-compose-schema.json');
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}
