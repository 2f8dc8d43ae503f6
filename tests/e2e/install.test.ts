/**
 * Installable: `npm pack` of the checkout, `npm install -g` of that tarball into an
 * empty prefix, then the installed `core` runs a project in a folder outside the
 * checkout (`core init` there): validate, up -d nats, status (from a nested folder),
 * down. Slow by nature (~10–40 s: the install fetches the dependencies from the
 * registry or npm's cache); bounded at 90 s.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeOffset } from '../helpers/e2e.js';
import { REPO } from '../helpers/stack.js';

const run = promisify(execFile);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'core-install-'));
const prefix = path.join(work, 'prefix');
const project = path.join(work, 'my-app');
const bin = path.join(prefix, 'bin', 'core');
let env: Record<string, string>;
let started = false;

/** The installed command, as a user's shell runs it: no CORE_ROOT, the root found from cwd. */
async function core(args: string[], cwd = project): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(bin, args, { cwd, env, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

beforeAll(async () => {
  // The suite's `pretest` built dist/; packing must not build again (`--ignore-scripts`
  // skips `prepare`), as other test files run dist/ at the same time.
  if (!fs.existsSync(path.join(REPO, 'dist/core.js'))) throw new Error('dist/ is not built: run `npm run build` first');
  const npmEnv = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: REPO, env: npmEnv, timeout: 30_000 });
  const tarball = path.join(work, JSON.parse(packed.stdout)[0].filename);
  // An empty prefix: nothing of the checkout is reachable from the installed command.
  // A tarball install does not run `prepare` (it would fail: scripts/ is not shipped).
  await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', tarball], { cwd: work, env: npmEnv, timeout: 60_000 });
  fs.mkdirSync(project);
  env = { PATH: `${path.join(prefix, 'bin')}:${process.env.PATH ?? ''}`, HOME: process.env.HOME ?? '/tmp', CORE_PORT_OFFSET: String(await freeOffset()) };
}, 90_000);

afterAll(async () => {
  if (started) await core(['down']);
  fs.rmSync(work, { recursive: true, force: true });
}, 30_000);

describe('core installed from a packed tarball', () => {
  it('is a command of its own, outside the checkout', () => {
    const installed = fs.realpathSync(bin);
    expect(installed.startsWith(`${prefix}/`)).toBe(true);
    expect(fs.existsSync(path.join(prefix, 'lib/node_modules/core/templates/services/nats/service.json'))).toBe(true);
    expect(fs.existsSync(path.join(prefix, 'lib/node_modules/core/src'))).toBe(false);
    expect(project.startsWith(REPO)).toBe(false);
  });

  it('init, validate, up -d nats, status from a nested folder, down', async () => {
    const init = await core(['init']);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('wrote services/nats/service.json');
    expect(fs.existsSync(path.join(project, 'schema/service.schema.json'))).toBe(true);

    expect(await core(['validate'])).toMatchObject({ code: 0, stdout: 'ok: 3 services (nats, pocketbase, caddy)\n' });

    started = true;
    const up = await core(['up', '-d', 'nats']);
    expect(up.code, up.stdout + up.stderr).toBe(0);

    const nested = path.join(project, 'src/api');
    fs.mkdirSync(nested, { recursive: true });
    const status = await core(['status', '--json'], nested);
    expect(status.code, status.stderr).toBe(0);
    const nats = JSON.parse(status.stdout).processes.find((p: { name: string }) => p.name === 'nats');
    expect(nats).toMatchObject({ status: 'Running', health: 'healthy' });

    const down = await core(['down']);
    expect(down.code, down.stderr).toBe(0);
    started = false;
    expect(JSON.parse((await core(['status', '--json'])).stdout).running).toBe(false);
  }, 60_000);
});
