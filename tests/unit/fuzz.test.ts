/** Property tests: any input gives a result or a domain error, never a crash. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateStack } from '../../src/compose/generate.js';
import { toYaml } from '../../src/compose/yaml.js';
import { MAX_MANIFEST_DEPTH } from '../../src/manifest/json-limits.js';
import { validateManifests } from '../../src/manifest/validate.js';
import { resolvePlan } from '../../src/plan/resolve.js';
import { parsePlaceholders, resolvePlaceholders } from '../../src/plan/placeholders.js';
import { IssuesError, InputError } from '../../src/support/errors.js';
import { parseSettings } from '../../src/support/settings.js';
import { repoManifestFiles } from '../helpers/stack.js';

const settings = parseSettings({ root: '/p', processEnv: { HOME: '/h', X: 'x' }, homeDir: '/h' });
const runs = { numRuns: 300 };

/** Placeholder-ish text: the characters that matter, in any order. */
const placeholderText = fc.stringMatching(/^[${}.:\-a-z_A-Z0-9 ]{0,40}$/);

describe('placeholders', () => {
  it('parse and resolve any text without throwing', () => {
    const scope = { dep: () => '/d', data: '/data', stack: '/s', env: (n: string) => (n === 'X' ? 'x' : undefined), port: () => '1', describe: () => 'unknown' };
    fc.assert(
      fc.property(placeholderText, (text) => {
        const parsed = parsePlaceholders(text);
        const resolved = resolvePlaceholders(text, scope);
        expect(typeof parsed.ok).toBe('boolean');
        if (resolved.ok) expect(typeof resolved.value).toBe('string');
        else expect(resolved.error.length).toBeGreaterThan(0);
      }),
      runs,
    );
  });
});

describe('the manifest loader', () => {
  it('turns any JSON text into manifests or issues', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string()), (text) => {
        const { manifests, issues } = validateManifests([{ file: 'services/x/service.json', dir: 'x', absolute: '/p/services/x/service.json', text }]);
        expect(manifests.length + issues.length).toBeGreaterThan(0);
        for (const issue of issues) expect(issue.file).toBe('services/x/service.json');
      }),
      runs,
    );
  });

  it('survives the real manifests with any value put anywhere, through to the generated file', () => {
    const base = repoManifestFiles();
    const paths = (value: unknown, at: string[] = []): string[][] =>
      value && typeof value === 'object' ? [at, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...at, k]))] : [at];
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.jsonValue(), (which, where, value) => {
        const files = base.map((f) => ({ ...f }));
        const target = files[which % files.length]!;
        const manifest = JSON.parse(target.text!);
        const candidates = paths(manifest).filter((p) => p.length > 0);
        const at = candidates[where % candidates.length]!;
        let node = manifest;
        for (const key of at.slice(0, -1)) node = node[key];
        node[at.at(-1)!] = value;
        target.text = JSON.stringify(manifest);
        const { manifests, issues } = validateManifests(files);
        if (issues.length > 0) return;
        try {
          toYaml(generateStack(resolvePlan({ manifests, settings, self: ['/node', '/core.js'] })).doc);
        } catch (error) {
          expect(error instanceof IssuesError || error instanceof InputError).toBe(true);
        }
      }),
      runs,
    );
  });

  it('survives any nesting depth put anywhere: within the limit it goes through, beyond it is one issue', () => {
    const base = repoManifestFiles();
    const paths = (value: unknown, at: string[] = []): string[][] =>
      value && typeof value === 'object' ? [at, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...at, k]))] : [at];
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 5000 }), fc.boolean(), (which, where, depth, arrays) => {
        const files = base.map((f) => ({ ...f }));
        const target = files[which % files.length]!;
        const manifest = JSON.parse(target.text!);
        const candidates = paths(manifest).filter((p) => p.length > 0);
        const at = candidates[where % candidates.length]!;
        let node = manifest;
        for (const key of at.slice(0, -1)) node = node[key];
        node[at.at(-1)!] = 'DEEP';
        // Built as text: JSON.stringify itself recurses.
        const deep = arrays ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
        target.text = JSON.stringify(manifest).replace('"DEEP"', deep);
        const { manifests, issues } = validateManifests(files);
        const tooDeep = issues.filter((i) => i.message.includes(`nested deeper than ${MAX_MANIFEST_DEPTH} levels`));
        expect(tooDeep.length).toBe(at.length + depth > MAX_MANIFEST_DEPTH ? 1 : 0);
        if (issues.length > 0) return;
        try {
          toYaml(generateStack(resolvePlan({ manifests, settings, self: ['/node', '/core.js'] })).doc);
        } catch (error) {
          expect(error instanceof IssuesError || error instanceof InputError).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});
