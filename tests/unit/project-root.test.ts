/**
 * The project root, through the built CLI: the nearest folder up from cwd holding
 * services/ (as git finds .git), or CORE_ROOT; with none, every command says where
 * it looked, exit 2, instead of using cwd.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, runCore } from '../helpers/cli.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

const asUser = { CORE_ROOT: '' };

describe('the project root', () => {
  it('is found from a nested folder', async () => {
    const project = makeProject();
    made.push(project);
    const nested = path.join(project, 'src/api/handlers');
    fs.mkdirSync(nested, { recursive: true });
    expect(await runCore(['validate'], { cwd: nested, env: asUser })).toMatchObject({ code: 0, stdout: 'ok: 3 services (nats, pocketbase, caddy)\n' });
    // The service commands come from the root's services/, and its paths are the root's.
    const command = await runCore(['nats', 'command'], { cwd: nested, env: asUser });
    expect(command.code).toBe(0);
    expect(command.stdout).toContain(`${project}/.core-stack/nats/nats.conf`);
    const status = await runCore(['status'], { cwd: nested, env: asUser });
    expect(status.code).toBe(0);
    expect(fs.existsSync(path.join(nested, '.core-stack'))).toBe(false);
  });

  it('is CORE_ROOT when set, wherever cwd is', async () => {
    const project = makeProject();
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'core-elsewhere-'));
    made.push(project, elsewhere);
    expect(await runCore(['validate'], { cwd: elsewhere, env: { CORE_ROOT: project } })).toMatchObject({ code: 0 });
  });

  const commands = [
    ['nats', 'spec'],
    ['status'],
    ['status', '--json'],
    ['validate'],
    ['up', '-d'],
    ['down'],
    ['logs'],
    ['apply', '--dry-run'],
    ['deps', 'list'],
    ['generate'],
    ['events'],
  ];
  it.each(commands.map((argv) => [argv.join(' '), argv]))('none: core %s says where it looked, exit 2, and writes nothing', async (_, argv) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-noproject-'));
    made.push(dir);
    const result = await runCore(argv as string[], { cwd: dir, env: asUser });
    expect(result.code).toBe(2);
    expect(`${result.stdout}${result.stderr}`).toContain(
      `no core project here or above (looked for services/ or .core-stack/pc-project.json from ${dir} up to /); run \`core init\``,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
