/**
 * core's tests build their projects from templates/ (what `core init` writes), never
 * from the checkout's services/: a user's own services added there cannot break them.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject } from '../helpers/cli.js';
import { REPO, repoManifestFiles, TEMPLATES } from '../helpers/stack.js';

function sources(dir: string): string[] {
  return (fs.readdirSync(path.join(REPO, dir), { recursive: true }) as string[]).filter((file) => /\.(ts|mjs)$/.test(file)).map((file) => path.join(dir, file));
}

describe("tests never read the checkout's services/", () => {
  it('no test file or helper joins the repo root with services/', () => {
    // path.join(REPO, 'services' …), `${ROOT}/services`, path.resolve(…'../..', 'services'): the ways a test reached it.
    const pattern = /\b(?:REPO|ROOT|repoRoot)\b\s*,\s*['"`]services\b|\$\{(?:REPO|ROOT)\}\/services\b|['"`]\.\.\/\.\.\/services\//;
    const offenders = sources('tests').filter((file) => file !== 'tests/unit/test-fixtures.test.ts' && pattern.test(fs.readFileSync(path.join(REPO, file), 'utf8')));
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
