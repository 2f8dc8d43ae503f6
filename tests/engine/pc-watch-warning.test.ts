/**
 * Issue 11, gaps: process-compose does not honour `process.watch`, and says so.
 * The engine interface tells (`lacks('watch')`, launcher and running stack);
 * `core up --engine process-compose` (the built CLI, a fake process-compose on
 * PATH) and `core apply` on that stack name the services with a watch, once, on
 * stderr; the built-in engine says nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findStack } from '../../src/control/connect.js';
import { connectEngine, loadLauncher } from '../../src/engines/index.js';
import { unhonouredWatch } from '../../src/engines/unhonoured.js';
import { runCore } from '../helpers/cli.js';
import { FAKE_PROCESS_COMPOSE } from '../helpers/fake-process-compose.js';
import { doc } from './fakes.js';

const WATCH = { paths: ['/tmp/x'], ignore: [], debounce_ms: 200 };
const withWatch = (names: string[]) => {
  const d = doc(Object.fromEntries(['app', 'web', 'db'].map((n) => [n, {}])));
  for (const name of names) d.processes[name]!['x-core'] = { service: name, ...d.processes[name]!['x-core'], watch: WATCH };
  return d;
};
const LINE = /warning: (.+) (?:has|have) a process\.watch that this engine will not honour: process-compose does not honour process\.watch/;

describe('lacks("watch")', () => {
  it('process-compose lacks it, the built-in engine does not; the line names each service with a watch', async () => {
    const pc = await loadLauncher('process-compose');
    const builtin = await loadLauncher('builtin');
    expect(builtin.lacks('watch')).toBeUndefined();
    expect(pc.lacks('watch')?.message).toMatch(/process-compose does not honour process\.watch/);
    expect(unhonouredWatch(builtin, withWatch(['app']))).toBeUndefined();
    expect(unhonouredWatch(pc, withWatch([]))).toBeUndefined();
    expect(unhonouredWatch(pc, withWatch(['app']))).toMatch(/^warning: app has a process\.watch that this engine will not honour/);
    expect(unhonouredWatch(pc, withWatch(['app', 'db']))).toMatch(/^warning: app, db have a process\.watch/);
  });
});

describe('core up --engine process-compose, with a fake process-compose on PATH', () => {
  let dir: string;
  let env: Record<string, string>;
  const core = (...args: string[]) => runCore(args, { cwd: dir, env, timeoutMs: 20_000 });

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-pc-watch-'));
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'bin', 'process-compose'), FAKE_PROCESS_COMPOSE, { mode: 0o755 });
    for (const [name, watch] of [
      ['app', { paths: ['src'] }],
      ['other', undefined],
    ] as const) {
      fs.mkdirSync(path.join(dir, 'services', name), { recursive: true });
      const manifest = { name, process: { command: 'sleep', args: ['7394'], ...(watch ? { watch } : {}) } };
      fs.writeFileSync(path.join(dir, 'services', name, 'service.json'), JSON.stringify(manifest));
    }
    env = { PATH: `${path.join(dir, 'bin')}:${process.env.PATH}` };
  });

  afterAll(async () => {
    await core('down');
    fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('says once on stderr which services have a watch it will not honour', async () => {
    const up = await core('up', '-d', '--engine', 'process-compose', 'app');
    expect(up.code, up.stderr).toBe(0);
    const lines = up.stderr.split('\n').filter((line) => LINE.test(line));
    expect(lines).toHaveLength(1);
    expect(LINE.exec(lines[0]!)![1]).toBe('app');
    expect(up.stdout).not.toMatch(LINE);
    expect(connectEngine(findStack(path.join(dir, '.core-stack'))).lacks('watch')).toBeDefined();
  }, 30_000);

  it('core apply on that stack says it too', async () => {
    const apply = await core('apply');
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stderr.split('\n').filter((line) => LINE.test(line))).toHaveLength(1);
  }, 30_000);
});
