/**
 * Issue 11's process.watch, seen flaky under load: a change that lands while an
 * apply replaces the process (its new run is `pending` for a moment) must not be
 * dropped as "pending: not restarted"; it is judged once the apply is over.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Supervisor } from '../../src/engine/supervisor.js';
import { startWatching } from '../../src/engines/builtin/watch.js';
import { waitFor } from '../helpers/e2e.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('a watched change during an apply', () => {
  it('waits for the apply to finish, then restarts the process', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'core-watch-'));
    dirs.push(root);
    const watched = path.join(root, 'src');
    fs.mkdirSync(watched);
    const applies: unknown[] = [];
    const notes: string[] = [];
    const fake = {
      isShuttingDown: false,
      applying: { id: 1, since: 0 } as { id: number; since: number } | undefined,
      document: { version: '0.5', name: 'p', processes: { app: { entrypoint: ['x'], 'x-core': { service: 'app', watch: { paths: [watched], ignore: [], debounce_ms: 10 } } } } },
      phaseOf: () => (fake.applying ? 'pending' : 'ready'),
      emit: () => {},
      subscribe: () => () => {},
      clock: { now: () => Date.now() },
      apply: async (request: unknown) => {
        applies.push(request);
        return { ok: true };
      },
    };
    const watching = startWatching({ engine: fake as unknown as Supervisor, root, ownDirs: [], note: (line) => notes.push(line) });
    try {
      fs.writeFileSync(path.join(watched, 'a.ts'), 'x');
      // The debounce passes while the apply runs: nothing yet, and nothing dropped.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(applies).toEqual([]);
      fake.applying = undefined;
      await waitFor('the restart', () => (applies.length ? true : undefined), 5000);
      expect(applies[0]).toMatchObject({ only: ['app'], restart: ['app'] });
      expect(notes.filter((n) => n.includes('not restarted'))).toEqual([]);
    } finally {
      watching.close();
    }
  });
});
