/**
 * Issue 11 §2, gaps: a watched path that does not exist when the stack starts
 * (a `dist/` built later) is attached when it appears, and a watched folder
 * deleted and made again is watched again; the missing path is named at start
 * (core.log under `up -d`, stderr in the foreground). A tiny stack through the
 * built CLI; `app` answers services/app/dist/value.txt as it read it at start.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORE } from '../helpers/cli.js';
import { freeOffset, waitFor } from '../helpers/e2e.js';
import { type TinyProject, tinyProject } from '../helpers/tiny-project.js';

const APP = {
  name: 'app',
  process: {
    command: process.execPath,
    args: [
      '-e',
      "let v='none';try{v=require('fs').readFileSync('dist/value.txt','utf8')}catch{};require('http').createServer((q,s)=>s.end(v)).listen(Number(process.env.PORT),'127.0.0.1')",
    ],
    env: { PORT: '${port.http}' },
    working_dir: 'services/app',
    watch: { paths: ['services/app/dist'], debounce_ms: 150 },
    compose: { readiness_probe: { http_get: { url: 'http://127.0.0.1:${port.http}/' }, period_seconds: 1 } },
  },
  ports: { http: { port: 110, protocol: 'http' } },
};
const MISSING = /watch: app: services\/app\/dist does not exist yet; watching services\/app until it does/;

describe('process.watch of a path that comes later, or goes and comes back', () => {
  let project: TinyProject;
  let answer: () => Promise<string | undefined>;
  let dist: string;

  beforeAll(async () => {
    const offset = await freeOffset([100, 110]);
    project = tinyProject(offset, 1, { extra: { app: APP } });
    dist = path.join(project.dir, 'services/app/dist');
    answer = async () => (await fetch(`http://127.0.0.1:${110 + offset}/`).catch(() => undefined))?.text();
    const up = await project.core('up', '-d');
    expect(up.code, up.stderr).toBe(0);
  }, 60_000);

  afterAll(async () => {
    await project.core('down');
    project.remove();
  }, 30_000);

  it('a path missing at start is named in core.log and attached when it appears', async () => {
    const log = () => fs.readFileSync(path.join(project.stackDir, 'logs/core.log'), 'utf8');
    await waitFor('the note of the missing path', () => MISSING.test(log()) || undefined);
    expect(await answer()).toBe('none');
    fs.mkdirSync(dist);
    fs.writeFileSync(path.join(dist, 'value.txt'), 'one');
    await waitFor('app to answer one', async () => (await answer()) === 'one' || undefined);
  }, 30_000);

  it('a watched folder deleted and made again is watched again', async () => {
    fs.rmSync(dist, { recursive: true });
    fs.mkdirSync(dist);
    // Its going and coming is a change: app restarts and finds no value.txt.
    await waitFor('app to answer none', async () => (await answer()) === 'none' || undefined);
    // A file written inside the new folder is seen only by a watch on the new folder.
    fs.writeFileSync(path.join(dist, 'value.txt'), 'two');
    try {
      await waitFor('app to answer two', async () => (await answer()) === 'two' || undefined);
    } catch (error) {
      // Seen once in CI under load (not reproduced since): the supervisor's own account, for the next time.
      const tail = (file: string, lines: number) =>
        fs
          .readFileSync(path.join(project.dir, '.core-stack', file), 'utf8')
          .split('\n')
          .slice(-lines)
          .join('\n');
      throw new Error(`${(error as Error).message}\ncore.log:\n${tail('logs/core.log', 40)}\nevents:\n${tail('events.ndjson', 30)}`);
    }
  }, 30_000);
});

describe('process.watch under a foreground core up', () => {
  it('names the path that does not exist yet on stderr', async () => {
    const offset = await freeOffset([100, 110]);
    const fg = tinyProject(offset, 1, { extra: { app: APP } });
    const child = spawn(process.execPath, [CORE, 'up'], {
      cwd: fg.dir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CORE_ROOT: fg.dir, CORE_PORT_OFFSET: String(offset), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exit = new Promise((resolve) => child.once('exit', resolve));
    try {
      await waitFor('the note on stderr', () => MISSING.test(stderr) || undefined);
    } finally {
      child.kill('SIGTERM');
      await exit;
      await fg.core('down');
      fg.remove();
    }
  }, 30_000);
});
