/** `core validate` takes manifests from the cache a `generate` or `up` left, and only while every file is unchanged. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, runCore } from '../helpers/cli.js';

const project = makeProject();
const cache = path.join(project, '.core-stack/manifests.json');

afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

describe('validate and the manifest cache', () => {
  it('generate leaves the cache; validate reads it (no zod) while the files are unchanged', async () => {
    expect((await runCore(['generate'], { cwd: project })).code).toBe(0);
    const cached = JSON.parse(fs.readFileSync(cache, 'utf8')) as { key: string; manifests: { dir: string }[] };
    expect(cached.manifests.map((m) => m.dir)).toEqual(['caddy', 'nats', 'pocketbase']);
    // A cache entry that says "caddy is not there" under the right key: only a validate that reads the cache believes it.
    fs.writeFileSync(cache, JSON.stringify({ ...cached, manifests: cached.manifests.filter((m) => m.dir !== 'caddy') }));
    const result = await runCore(['validate'], { cwd: project });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('ok: 2 services (nats, pocketbase)\n');
  });

  it('validates an edited manifest afresh, and writes nothing', async () => {
    fs.rmSync(path.join(project, '.core-stack'), { recursive: true });
    expect((await runCore(['generate'], { cwd: project })).code).toBe(0);
    const file = path.join(project, 'services/nats/service.json');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"name": "nats"', '"name": "nats", "colour": "red"'));
    const before = fs.readFileSync(cache, 'utf8');
    const result = await runCore(['validate'], { cwd: project });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('services/nats/service.json: unknown key "colour"');
    expect(fs.readFileSync(cache, 'utf8')).toBe(before);
  });

  it('a bad generate writes no cache', async () => {
    fs.rmSync(path.join(project, '.core-stack'), { recursive: true });
    const result = await runCore(['generate'], { cwd: project });
    expect(result.code).toBe(2);
    expect(fs.existsSync(path.join(project, '.core-stack'))).toBe(false);
  });
});
