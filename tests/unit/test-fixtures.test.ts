/**
 * core's tests build their projects from templates/ (what `core init` writes), never
 * from the checkout's services/: a user's own services added there cannot break them.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject } from '../helpers/cli.js';
import { REPO, repoManifestFiles, TEMPLATES } from '../helpers/stack.js';

function sources(dir: string): string[] {
  return (fs.readdirSync(path.join(REPO, dir), { recursive: true }) as string[]).filter((file) => /\.(ts|mjs)$/.test(file)).map((file) => path.join(dir, file));
}

describe("tests never read the checkout's services/", () => {
  it('no test, helper or benchmark joins the repo root with services/', () => {
    // path.join(REPO, 'services' …), `${ROOT}/services`, path.resolve(…'../..', 'services'): the ways a test reached it.
    const pattern = /\b(?:REPO|ROOT|repoRoot)\b\s*,\s*['"`]services\b|\$\{(?:REPO|ROOT)\}\/services\b|['"`]\.\.\/\.\.\/services\//;
    // In bench/, `root` is the checkout (in tests it is often a temporary project).
    const benchPattern = /\broot\b\s*,\s*['"`]services['"`]/;
    const offenders = [
      ...sources('tests').filter((file) => file !== 'tests/unit/test-fixtures.test.ts' && pattern.test(fs.readFileSync(path.join(REPO, file), 'utf8'))),
      ...sources('bench').filter((file) => pattern.test(fs.readFileSync(path.join(REPO, file), 'utf8')) || benchPattern.test(fs.readFileSync(path.join(REPO, file), 'utf8'))),
    ];
    expect(offenders).toEqual([]);
  });

  it('the helpers give the templates, file for file', () => {
    const names = fs.readdirSync(TEMPLATES).sort();
    expect(repoManifestFiles().map((file) => file.dir)).toEqual(names);
    for (const file of repoManifestFiles()) expect(file.absolute.startsWith(`${TEMPLATES}/`)).toBe(true);
    const project = makeProject();
    try {
      expect(fs.readdirSync(path.join(project, 'services')).sort()).toEqual(names);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });

  it("a broken manifest added to a copy of the checkout's services/ changes nothing the helpers give", async () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'core-repo-copy-'));
    try {
      fs.cpSync(path.join(REPO, 'tests/helpers'), path.join(copy, 'tests/helpers'), { recursive: true });
      fs.cpSync(path.join(REPO, 'templates'), path.join(copy, 'templates'), { recursive: true });
      fs.symlinkSync(path.join(REPO, 'src'), path.join(copy, 'src'));
      fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(copy, 'node_modules'));
      fs.mkdirSync(path.join(copy, 'services/broken'), { recursive: true });
      fs.writeFileSync(path.join(copy, 'services/broken/service.json'), '{"name": "broken", "depend_on": [');
      const helpers = (await import(path.join(copy, 'tests/helpers/stack.ts'))) as typeof import('../helpers/stack.js');
      const cli = (await import(path.join(copy, 'tests/helpers/cli.ts'))) as typeof import('../helpers/cli.js');
      expect(helpers.REPO).toBe(copy);
      expect(helpers.repoManifestFiles().map(({ file, text }) => ({ file, text }))).toEqual(repoManifestFiles().map(({ file, text }) => ({ file, text })));
      expect(() => helpers.planFor()).not.toThrow();
      const project = cli.makeProject();
      expect(fs.readdirSync(path.join(project, 'services')).sort()).toEqual(fs.readdirSync(TEMPLATES).sort());
      fs.rmSync(project, { recursive: true, force: true });
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  // The checkout's services/ is the example project of the README (`./core up` there): what
  // `core init` writes. Compared as committed (git), so a user's edits or services in the
  // working tree cannot fail it; only a commit that changes one side and not the other does.
  const committed = (file: string): string | undefined => {
    try {
      return execFileSync('git', ['show', `HEAD:${file}`], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return undefined;
    }
  };
  it.skipIf(committed('package.json') === undefined)("the checkout's committed example project is core init's templates", () => {
    for (const name of fs.readdirSync(TEMPLATES)) {
      expect(committed(`services/${name}/service.json`), `services/${name}/service.json`).toBe(committed(`templates/services/${name}/service.json`));
    }
  });
});
