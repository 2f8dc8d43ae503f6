import { describe, expect, it } from 'vitest';
import type { ChildExit, SpawnSpec, Stream } from '../../src/engine/interfaces.js';
import { preflight, realSpawner } from '../../src/engine/real-spawner.js';

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
const bash = (script: string): SpawnSpec => ({ command: 'bash', args: ['-c', script], cwd: '/', env });

function run(spec: SpawnSpec): Promise<{ lines: [Stream, string][]; exit: ChildExit; pid: number | undefined }> {
  const result = realSpawner.spawn(spec);
  if (!result.ok) throw new Error(result.error);
  const lines: [Stream, string][] = [];
  result.child.onOutput((line, stream) => lines.push([stream, line]));
  return new Promise((resolve) => result.child.onExit((exit) => resolve({ lines, exit, pid: result.child.pid })));
}

describe('real spawner', () => {
  it('splits output into lines per stream, CRLF and a last unterminated line included', async () => {
    const { lines, exit } = await run(bash('printf "a\\r\\nb\\n"; printf "err\\n" >&2; printf "tail"; exit 4'));
    expect(lines.filter(([s]) => s === 'stdout').map(([, l]) => l)).toEqual(['a', 'b', 'tail']);
    expect(lines.filter(([s]) => s === 'stderr').map(([, l]) => l)).toEqual(['err']);
    expect(exit).toEqual({ code: 4, signal: null });
  });

  it('runs the child as the leader of its own process group, with exactly the given env', async () => {
    const { lines, pid } = await run(bash('ps -o pgid= -p $$; echo "HOME=${HOME:-unset}"'));
    expect(lines.map(([, l]) => l.trim())).toEqual([String(pid), 'HOME=unset']);
  });

  it('reports what would make exec fail before trying', () => {
    expect(preflight({ ...bash(''), cwd: '/no/such/dir' })).toBe('working_dir /no/such/dir does not exist');
    expect(preflight({ ...bash(''), command: 'no-such-command-xyz' })).toBe('no-such-command-xyz was not found on PATH');
    expect(preflight({ ...bash(''), command: '/etc' })).toBe('/etc is not an executable file');
    expect(realSpawner.spawn({ ...bash(''), cwd: '/no/such/dir' })).toEqual({ ok: false, error: 'working_dir /no/such/dir does not exist' });
  });
});
