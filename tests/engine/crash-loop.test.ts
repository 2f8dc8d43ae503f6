/**
 * A service that crashes 200 times in a row: restarted every time, with the
 * backoff growing to its cap, and the supervisor's memory flat (its per-process
 * history is bounded: a ring of lines, counters, no list of past runs).
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/engine/index.js';
import { MAX_BACKOFF_MS } from '../../src/engine/index.js';
import { doc, harness } from './fakes.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('a crash loop', () => {
  it('is restarted 200 times with capped backoff, and memory stays flat', async () => {
    const delays: number[] = [];
    // Keep no event history ourselves: only the delays, to check the backoff.
    // A process of core's own manifests: its delays double (x-core.restart_backoff).
    const h = harness(doc({ svc: { availability: { restart: 'always', backoff_seconds: 1 }, 'x-core': { service: 'svc', restart_backoff: 'doubling' } } }), {
      // The log file is the disk's business (rotated): keep none of it in this test's memory.
      openLog: () => ({ write() {}, close() {} }),
      onEvent: (event: EngineEvent) => {
        if (event.type === 'restart-scheduled') delays.push(event.delayMs);
      },
    });
    h.engine.start();
    await h.clock.advance(0);
    // Each run crashes at once: no stable run ever resets the backoff.
    const crash = async () => {
      const child = h.spawner.last('svc');
      for (let line = 0; line < 20; line++) child.print(`crash log line ${line} ${'x'.repeat(1000)}`);
      child.exit(1);
      await h.clock.advance(0);
      await h.clock.advance(delays.at(-1)!);
    };
    for (let i = 0; i < 50; i++) await crash();
    const early = heapAfterGc();
    for (let i = 0; i < 150; i++) await crash();
    const late = heapAfterGc();

    expect(h.engine.processState('svc')?.restarts).toBe(200);
    expect(delays.slice(0, 6)).toEqual([1000, 2000, 4000, 8000, 16000, 30000]);
    expect(Math.max(...delays)).toBe(MAX_BACKOFF_MS);
    expect(h.engine.logs('svc')?.length).toBeLessThanOrEqual(1000);
    // 150 more crashes, 3,000 more lines (3 MB): the heap may wobble, not grow with them.
    expect(late - early).toBeLessThan(2 * 1024 * 1024);
  });
});
