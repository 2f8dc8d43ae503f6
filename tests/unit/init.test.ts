/** `core init [dir]` through the built CLI: a project beside the user's code, from the templates. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCore } from '../helpers/cli.js';
import { REPO, TEMPLATES } from '../helpers/stack.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

function emptyDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-init-'));
  made.push(dir);
  return dir;
}

/** Every file under dir, relative, sorted. */
function tree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

// CORE_ROOT '' : find the root as a user's shell would (runCore sets it to cwd otherwise).
const asUser = { CORE_ROOT: '' };

describe('core init', () => {
  it('writes the three manifests, the schema they point to, .env.example and the .gitignore lines, then validates', async () => {
    const dir = emptyDir();
    const result = await runCore(['init'], { cwd: dir, env: asUser });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(tree(dir)).toEqual([
      '.env.example',
      '.gitignore',
      'schema/service.schema.json',
      'services/caddy/service.json',
      'services/nats/service.json',
      'services/pocketbase/service.json',
    ]);
    for (const name of ['caddy', 'nats', 'pocketbase']) {
      const file = path.join(dir, 'services', name, 'service.json');
      expect(fs.readFileSync(file, 'utf8')).toBe(fs.readFileSync(path.join(TEMPLATES, name, 'service.json'), 'utf8'));
      // The `$schema` an editor follows exists from the user's folder and is core's schema.
      const schema = path.resolve(path.dirname(file), JSON.parse(fs.readFileSync(file, 'utf8')).$schema);
      expect(fs.readFileSync(schema, 'utf8')).toBe(fs.readFileSync(path.join(REPO, 'schema/service.schema.json'), 'utf8'));
      expect(result.stdout).toContain(`wrote services/${name}/service.json`);
    }
    expect(fs.readFileSync(path.join(dir, '.env.example'), 'utf8')).toBe(fs.readFileSync(path.join(REPO, '.env.example'), 'utf8'));
    expect(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8')).toBe('.dep/\n.data/\n.core-stack/\n.env\n');
    expect(result.stdout).toMatch(/^next: core up -d/m);
    const validate = await runCore(['validate'], { cwd: dir, env: asUser });
    expect(validate).toMatchObject({ code: 0, stdout: 'ok: 3 services (nats, pocketbase, caddy)\n' });
  });

  it('writes into a named folder, creating it, and says to cd there', async () => {
    const parent = emptyDir();
    const result = await runCore(['init', 'app/backend'], { cwd: parent, env: asUser });
    expect(result.code).toBe(0);
    const dir = path.join(parent, 'app/backend');
    expect(fs.existsSync(path.join(dir, 'services/nats/service.json'))).toBe(true);
    expect(result.stdout).toContain(`next: cd ${dir} && core up -d`);
  });

  it('appends only the .gitignore lines that are missing, keeping what is there', async () => {
    const dir = emptyDir();
    fs.writeFileSync(path.join(dir, '.gitignore'), 'node_modules\n/.data\n.env'); // no newline at the end
    const result = await runCore(['init'], { cwd: dir, env: asUser });
    expect(result.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8')).toBe('node_modules\n/.data\n.env\n.dep/\n.core-stack/\n');
    expect(result.stdout).toContain('added to .gitignore: .dep/ .core-stack/');
  });

  it('keeps an existing .env.example and says so', async () => {
    const dir = emptyDir();
    fs.writeFileSync(path.join(dir, '.env.example'), 'MINE=1\n');
    const result = await runCore(['init'], { cwd: dir, env: asUser });
    expect(result.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, '.env.example'), 'utf8')).toBe('MINE=1\n');
    expect(result.stdout).toContain('kept  .env.example (exists)');
  });

  it('a folder that cannot be written: exit 2 naming the file, no stack trace', async () => {
    const parent = emptyDir();
    fs.writeFileSync(path.join(parent, 'app'), 'a file, not a folder');
    const result = await runCore(['init', 'app'], { cwd: parent, env: asUser });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`core: ${path.join(parent, 'app/services/caddy/service.json')}: cannot write (ENOTDIR)\n`);
  });

  it('refuses to overwrite a manifest: exit 2 naming it, nothing written', async () => {
    const dir = emptyDir();
    fs.mkdirSync(path.join(dir, 'services/nats'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'services/nats/service.json'), '{"name":"nats","mine":true}');
    const before = tree(dir);
    const result = await runCore(['init'], { cwd: dir, env: asUser });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('services/nats/service.json');
    expect(result.stderr).toContain('nothing was written');
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(tree(dir)).toEqual(before);
    expect(fs.readFileSync(path.join(dir, 'services/nats/service.json'), 'utf8')).toBe('{"name":"nats","mine":true}');
  });
});
