import { describe, expect, it } from 'vitest';
import { describeEvent } from '../../src/cli/render/event-line.js';
import { diffStacks } from '../../src/engine/diff.js';
import { toRecord } from '../../src/engine/event-record.js';
import type { ComposeDoc } from '../../src/compose/schema.js';

const event = { type: 'watch-triggered', name: 'api', at: 0, file: 'services/api/src/a.js', changes: 3 } as const;

describe('a watch trigger', () => {
  it('is a line of the foreground output and core.log naming the file', () => {
    expect(describeEvent(event)).toBe('api restarting: services/api/src/a.js changed (and 2 more changes)');
    expect(describeEvent({ ...event, changes: 1 })).toBe('api restarting: services/api/src/a.js changed');
  });

  it('is a journal record naming the file', () => {
    expect(toRecord(event, 1, { service: 'api', pid: 7, restarts: 0 })).toMatchObject({
      type: 'watch-triggered',
      process: 'api',
      reason: 'file changed',
      message: 'services/api/src/a.js (and 2 more changes)',
    });
  });

  it('a changed watch key is taken in place, with no restart', () => {
    const doc = (debounce: number): ComposeDoc => ({
      version: '0.5',
      name: 't',
      processes: {
        api: { entrypoint: ['node'], working_dir: '/x', environment: [], 'x-core': { service: 'api', watch: { paths: ['/x'], ignore: [], debounce_ms: debounce } } },
      },
    });
    expect(diffStacks({ doc: doc(100) }, { doc: doc(200) }).processes).toEqual([{ name: 'api', action: 'keep', updates: ['x-core.watch'] }]);
  });
});
