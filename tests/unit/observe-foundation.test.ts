/**
 * The supervisor's observation parts with a fake host: Resources samples only
 * when asked or watched (no timer otherwise) and reports a window; Timeline
 * keeps first start/ready and a cumulative readiness histogram.
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/engine/index.js';
import { Resources } from '../../src/observe/resources.js';
import { READY_BUCKETS, Timeline } from '../../src/observe/timeline.js';

const children: number[] = [];
afterEach(() => {
  for (const pid of children.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Gone.
    }
  }
});

describe('Resources', () => {
  it('takes a baseline and a second sample a window apart when nothing was sampled lately; the counter only grows', async () => {
    const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    children.push(child.pid!);
    const waits: number[] = [];
    const resources = new Resources({ running: () => new Map([['sleeper', child.pid!]]) }, async (ms) => void waits.push(ms));
    const first = await resources.read(200);
    expect(waits).toEqual([200]);
    expect(first.processes.sleeper).toMatchObject({ processes: 1 });
    expect(first.processes.sleeper!.cpu).not.toBeNull();
    expect(first.processes.sleeper!.rss_bytes).toBeGreaterThan(0);
    expect(first.supervisor.rss_bytes).toBeGreaterThan(0);
    const second = await resources.read(200);
    expect(second.processes.sleeper!.cpu_seconds_total).toBeGreaterThanOrEqual(first.processes.sleeper!.cpu_seconds_total);
    expect(resources.last()).toBe(second);
  });

  it('a process that is gone keeps its counter and shows no CPU', async () => {
    let running = new Map<string, number>([['gone', 999_999_999]]);
    const resources = new Resources({ running: () => running }, async () => {});
    const reading = await resources.read();
    expect(reading.processes.gone).toEqual({ cpu: null, cpu_seconds_total: 0, rss_bytes: 0, processes: 0 });
    running = new Map();
    expect((await resources.read()).processes.gone).toMatchObject({ cpu: null, processes: 0 });
  });

  it('watch samples on its interval only while watched', async () => {
    let reads = 0;
    const resources = new Resources(
      {
        running: () => {
          reads++;
          return new Map();
        },
      },
      async () => {},
    );
    const seen: number[] = [];
    const stop = resources.watch((r) => seen.push(r.at), 20);
    await expect.poll(() => seen.length, { timeout: 2000 }).toBeGreaterThanOrEqual(2);
    stop();
    const after = reads;
    await new Promise((resolve) => setTimeout(resolve, 100)); // Proving a negative: nothing may run for a while.
    expect(reads).toBe(after);
  });
});

describe('Timeline', () => {
  const event = (e: Partial<EngineEvent> & { type: string; name: string; at: number }) => e as EngineEvent;

  it('keeps the first run for the waterfall, the current run, and a cumulative histogram of spawn → ready', () => {
    const t = new Timeline();
    t.observe(event({ type: 'started', name: 'a', at: 1000, pid: 1 } as never));
    t.observe(event({ type: 'ready', name: 'a', at: 1040, afterMs: 40, by: 'probe' } as never));
    t.observe(event({ type: 'started', name: 'a', at: 5000, pid: 2 } as never));
    t.observe(event({ type: 'ready', name: 'a', at: 8000, afterMs: 3000, by: 'probe' } as never));
    const a = t.get('a')!;
    expect([a.firstStartedAt, a.firstReadyAt, a.startedAt, a.readyAt]).toEqual([1000, 1040, 5000, 8000]);
    expect(a.ready.count).toBe(2);
    expect(a.ready.sum).toBeCloseTo(3.04);
    const le = (bound: number) => a.ready.buckets[READY_BUCKETS.indexOf(bound as (typeof READY_BUCKETS)[number])];
    expect([le(0.025), le(0.05), le(2.5), le(5), le(60)]).toEqual([0, 1, 1, 2, 2]);
  });

  it('an apply that replaces a process starts its waterfall anew; one that removes it forgets it', () => {
    const t = new Timeline();
    t.observe(event({ type: 'started', name: 'a', at: 1, pid: 1 } as never));
    t.observe(event({ type: 'started', name: 'b', at: 1, pid: 2 } as never));
    t.observe(
      event({ type: 'apply-diff', name: '', at: 2, id: 1, added: [], removed: ['b'], replaced: [{ name: 'a', reasons: ['command'] }], updated: [], unchanged: 0 } as never),
    );
    expect(t.get('b')).toBeUndefined();
    expect(t.get('a')!.firstStartedAt).toBeUndefined();
    t.observe(event({ type: 'started', name: 'a', at: 3, pid: 3 } as never));
    expect(t.get('a')!.firstStartedAt).toBe(3);
  });
});
