/** Issue 9, item 15: a corrupt state file is reported as such (file named, exit 2), never a stack trace. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadState } from '../../src/control/state-file.js';
import { makeProject, runCore } from '../helpers/cli.js';

const sound = {
  version: 1,
  engine: 'builtin',
  supervisor: { pid: 999_999, start_time: '1' },
  started_at: '2026-01-01T00:00:00.000Z',
  socket: '/nowhere/core.sock',
  ports: { nats: { client: { port: 4222, host: '127.0.0.1', protocol: 'tcp' } } },
  processes: { nats: { pid: 999_998, start_time: '2', pgid: 999_998 } },
};

const CORRUPT: [string, unknown, RegExp][] = [
  ['no processes', { ...sound, processes: undefined }, /processes: missing/],
  ['no ports', { ...sound, ports: undefined }, /ports: missing/],
  ['no supervisor', { ...sound, supervisor: undefined }, /supervisor: not an object/],
  ['a string pid', { ...sound, supervisor: { pid: '12' } }, /supervisor\.pid/],
  ['pgid 0', { ...sound, processes: { a: { pid: 5000, pgid: 0 } } }, /processes\.a\.pgid/],
  ['a process that is null', { ...sound, processes: { a: null } }, /processes\.a: not an object/],
  ['an array', [], /not a JSON object/],
  ['version 2', { ...sound, version: 2 }, /version: 2 is not 1/],
];

function withState(content: string): string {
  const project = makeProject();
  fs.mkdirSync(path.join(project, '.core-stack'), { mode: 0o700 });
  fs.writeFileSync(path.join(project, '.core-stack/state.json'), content);
  return project;
}

describe('loadState', () => {
  it('takes a sound file', () => {
    const project = withState(JSON.stringify(sound));
    expect(loadState(path.join(project, '.core-stack/state.json'))).toEqual({ kind: 'ok', state: sound });
  });

  it.each(CORRUPT)('calls a file with %s corrupt, saying what is wrong', (_, json, problem) => {
    const project = withState(JSON.stringify(json));
    const loaded = loadState(path.join(project, '.core-stack/state.json'));
    expect(loaded.kind).toBe('corrupt');
    expect(loaded.kind === 'corrupt' && loaded.problem).toMatch(problem);
  });

  it('calls a file that is not JSON corrupt, and a missing one missing', () => {
    const project = withState('{"version": 1, "proc');
    expect(loadState(path.join(project, '.core-stack/state.json'))).toEqual({ kind: 'corrupt', problem: 'not JSON' });
    expect(loadState(path.join(project, 'nothing.json'))).toEqual({ kind: 'missing' });
  });
});

describe('status and down with a corrupt state file', () => {
  it('status exits 2 naming the file, with no stack trace', async () => {
    const project = withState(JSON.stringify({ version: 1, engine: 'builtin', supervisor: { pid: 999_999 }, socket: 'x' }));
    for (const args of [['status'], ['status', '--json']]) {
      const result = await runCore(args, { cwd: project });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`${path.join(project, '.core-stack/state.json')}: corrupt state file (ports: missing)`);
      expect(result.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    }
  });

  it('down exits 2 naming the file, and removes it so the next up starts clean', async () => {
    const project = withState('{}');
    const result = await runCore(['down'], { cwd: project });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`${path.join(project, '.core-stack/state.json')}: corrupt state file (version: undefined is not 1)`);
    expect(result.stderr).not.toMatch(/internal error/);
    expect(fs.existsSync(path.join(project, '.core-stack/state.json'))).toBe(false);
    expect((await runCore(['status'], { cwd: project })).stdout).toBe('not running\n');
  });
});
