/**
 * Issue 11 §4: a `working_dir` set in a manifest that does not exist is
 * refused by `core up`, `core <svc> run` and `core apply` as `validate` says it
 * (exit 2, file and field named, nothing started, nothing created), while the
 * default `${data}/<name>` and folders under `.data/` are created as before.
 * A tiny stack (no NATS/PocketBase/Caddy) through the built CLI.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/control/client.js';
import { freeOffset, isListening } from '../helpers/e2e.js';
import { type TinyProject, tinyProject } from '../helpers/tiny-project.js';

const APP = 'services/app/service.json';
const app = (working_dir?: string) => ({ name: 'app', process: { command: 'sleep', args: ['7393'], ...(working_dir ? { working_dir } : {}) } });
const writeApp = (dir: string, working_dir?: string) => fs.writeFileSync(path.join(dir, APP), JSON.stringify(app(working_dir)));

describe('a working_dir that does not exist', () => {
  let project: TinyProject;

  beforeAll(async () => {
    project = tinyProject(await freeOffset([100, 101]), 1, { extra: { app: app('apps/api') } });
  });

  afterAll(async () => {
    await project.core('down');
    project.remove();
  }, 30_000);

  it.each(['up -d', 'up', 'app run', 'generate'])(
    'core %s: exit 2 naming file and field, nothing started or created',
    async (args) => {
      const result = await project.core(...args.split(' '));
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`${APP}: process.working_dir: ${path.join(project.dir, 'apps/api')} does not exist`);
      expect(result.stderr).toContain('leave working_dir out to use ${data}/app');
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(fs.existsSync(path.join(project.dir, 'apps'))).toBe(false);
      expect(fs.existsSync(path.join(project.stackDir, 'core.sock'))).toBe(false);
      expect(await isListening(project.ports[0]!)).toBe(false);
    },
    20_000,
  );

  it('the default ${data}/<name> and a folder under .data/ are still created', async () => {
    writeApp(project.dir, '.data/app-work/deep');
    const up = await project.core('up', '-d');
    expect(up.code, up.stderr).toBe(0);
    expect(fs.statSync(path.join(project.dir, '.data/app-work/deep')).isDirectory()).toBe(true);
    expect(fs.statSync(path.join(project.dir, '.data/tiny-0')).isDirectory()).toBe(true);
  }, 30_000);

  it('core apply, core up, core app run on the running stack: exit 2, the running app untouched', async () => {
    const client = new ControlClient(path.join(project.stackDir, 'core.sock'), 5000);
    const pidOf = async () => (await client.processes()).find((p) => p.name === 'app')!.pid;
    const before = await pidOf();
    writeApp(project.dir, 'apps/api');
    for (const args of [['apply'], ['up', '-d'], ['app', 'run']]) {
      const result = await project.core(...args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toContain(`${APP}: process.working_dir: ${path.join(project.dir, 'apps/api')} does not exist`);
    }
    expect(fs.existsSync(path.join(project.dir, 'apps'))).toBe(false);
    expect(await pidOf()).toBe(before);
  }, 30_000);
});
