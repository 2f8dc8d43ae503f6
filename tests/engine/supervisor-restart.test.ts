import { describe, expect, it } from 'vitest';
import { doc, harness } from './fakes.js';

type Availability = NonNullable<Parameters<typeof doc>[0][string]['availability']>;
const single = (availability: Availability) => harness(doc({ svc: { availability } }));
/** A process of core's own manifests: its restart delays double (x-core.restart_backoff). */
const coreOwn = (availability: Availability) => harness(doc({ svc: { availability, 'x-core': { service: 'svc', restart_backoff: 'doubling' } } }));

describe('restart policies', () => {
  it('no: an exit is final', async () => {
    const h = single({ restart: 'no' });
    h.engine.start();
    await h.clock.advance(0);
    h.spawner.last('svc').exit(1);
    await h.clock.advance(60_000);
    expect(h.spawner.count('svc')).toBe(1);
    expect(h.engine.processState('svc')).toMatchObject({ status: 'Error', exit_code: 1, restarts: 0 });
  });

  it('on_failure: restarts after a failing exit, not after a success', async () => {
    const h = single({ restart: 'on_failure', backoff_seconds: 1 });
    h.engine.start();
    await h.clock.advance(0);
    h.spawner.last('svc').exit(1);
    await h.clock.advance(0);
    expect(h.engine.processState('svc')?.status).toBe('Restarting');
    await h.clock.advance(1000);
    expect(h.spawner.count('svc')).toBe(2);
    h.spawner.last('svc').exit(0);
    await h.clock.advance(60_000);
    expect(h.spawner.count('svc')).toBe(2);
    expect(h.engine.processState('svc')).toMatchObject({ status: 'Completed', exit_code: 0, restarts: 1 });
  });

  it('always: restarts after any exit, with the restart counted', async () => {
    const h = single({ restart: 'always', backoff_seconds: 1 });
    h.engine.start();
    await h.clock.advance(0);
    h.spawner.last('svc').exit(0);
    await h.clock.advance(1000);
    expect(h.spawner.count('svc')).toBe(2);
    expect(h.engine.processState('svc')?.restarts).toBe(1);
    expect(h.of('restart-scheduled', 'svc')[0]).toMatchObject({ delayMs: 1000, restarts: 1, reason: 'exited with code 0' });
  });

  it('max_restarts: gives up after that many restarts, and says so', async () => {
    const h = single({ restart: 'always', backoff_seconds: 1, max_restarts: 2 });
    h.engine.start();
    for (let i = 0; i < 3; i++) {
      await h.clock.advance(0);
      h.spawner.last('svc').exit(3);
      await h.clock.advance(10_000);
    }
    expect(h.spawner.count('svc')).toBe(3);
    expect(h.engine.processState('svc')).toMatchObject({ status: 'Error', restarts: 2, reason: 'exited with code 3 (gave up after 2 restarts)' });
  });

  it('exit_on_failure: does not restart and stops the whole stack with the exit code', async () => {
    const h = harness(doc({ svc: { availability: { restart: 'exit_on_failure' } }, other: {} }));
    h.engine.start();
    await h.clock.advance(0);
    h.spawner.last('svc').exit(7);
    await h.clock.advance(0);
    expect(h.of('project-exit')).toEqual([expect.objectContaining({ name: 'svc', exitCode: 7 })]);
    expect(h.engine.projectExit).toEqual({ name: 'svc', exitCode: 7, reason: 'exit_on_failure: exited with code 7' });
    expect(h.spawner.last('other').kills).toEqual([{ signal: 15, group: true }]);
    expect(h.engine.processState('other')?.status).toBe('Completed');
  });

  it('exit_on_end: any end of the process stops the stack', async () => {
    const h = harness(doc({ job: { availability: { restart: 'no', exit_on_end: true } }, other: {} }));
    h.engine.start();
    await h.clock.advance(0);
    h.spawner.last('job').exit(0);
    await h.clock.advance(0);
    expect(h.of('project-exit')[0]).toMatchObject({ exitCode: 0 });
    expect(h.spawner.last('other').exited).toBe(true);
  });
});

describe("process-compose's fixed backoff (a document without x-core.restart_backoff)", () => {
  it('waits backoff_seconds before every restart, however quick the crashes', async () => {
    const h = single({ restart: 'always', backoff_seconds: 2 });
    h.engine.start();
    await h.clock.advance(0);
    for (let i = 0; i < 6; i++) {
      h.spawner.last('svc').exit(1);
      await h.clock.advance(1999);
      expect(h.spawner.count('svc')).toBe(i + 1);
      await h.clock.advance(1);
      expect(h.spawner.count('svc')).toBe(i + 2);
    }
    expect(h.of('restart-scheduled').map((e) => e.delayMs)).toEqual([2000, 2000, 2000, 2000, 2000, 2000]);
  });

  it('waits 1 s without backoff_seconds (app/process.go getBackoff: at least 1 s)', async () => {
    const h = single({ restart: 'on_failure' });
    h.engine.start();
    await h.clock.advance(0);
    for (let i = 0; i < 3; i++) {
      h.spawner.last('svc').exit(1);
      await h.clock.advance(999);
      expect(h.spawner.count('svc')).toBe(i + 1);
      await h.clock.advance(1);
      expect(h.spawner.count('svc')).toBe(i + 2);
    }
    expect(h.of('restart-scheduled').map((e) => e.delayMs)).toEqual([1000, 1000, 1000]);
  });
});

describe("core's exponential backoff (x-core.restart_backoff: doubling)", () => {
  it('doubles the delay on each quick crash, capped at 30 s', async () => {
    const h = coreOwn({ restart: 'always', backoff_seconds: 2 });
    h.engine.start();
    await h.clock.advance(0);
    for (let i = 0; i < 6; i++) {
      h.spawner.last('svc').exit(1);
      await h.clock.advance(0);
      const delay = h.of('restart-scheduled').at(-1)?.delayMs ?? 0;
      await h.clock.advance(delay - 1);
      expect(h.spawner.count('svc')).toBe(i + 1);
      await h.clock.advance(1);
      expect(h.spawner.count('svc')).toBe(i + 2);
    }
    expect(h.of('restart-scheduled').map((e) => e.delayMs)).toEqual([2000, 4000, 8000, 16000, 30000, 30000]);
  });

  it('resets to backoff_seconds after a run of 10 s or more', async () => {
    const h = coreOwn({ restart: 'always', backoff_seconds: 1 });
    h.engine.start();
    await h.clock.advance(0);
    for (const runMs of [100, 100, 100, 10_000, 100]) {
      await h.clock.advance(runMs);
      h.spawner.last('svc').exit(1);
      await h.clock.advance(0);
      await h.clock.advance(h.of('restart-scheduled').at(-1)?.delayMs ?? 0);
    }
    expect(h.of('restart-scheduled').map((e) => e.delayMs)).toEqual([1000, 2000, 4000, 1000, 2000]);
  });

  it('stop() during a backoff cancels the pending restart', async () => {
    const h = single({ restart: 'always', backoff_seconds: 5 });
    h.engine.start();
    await h.clock.advance(0);
    h.spawner.last('svc').exit(1);
    await h.clock.advance(0);
    await h.engine.stop();
    await h.clock.advance(60_000);
    expect(h.spawner.count('svc')).toBe(1);
    expect(h.engine.processState('svc')?.status).toBe('Completed');
    expect(h.clock.pendingDelays()).toEqual([]);
  });
});

describe('restart(name)', () => {
  it('stops a running process and starts it again at once, counting the restart', async () => {
    const h = single({ restart: 'no' });
    h.engine.start();
    await h.clock.advance(0);
    const first = h.spawner.last('svc');
    expect(h.engine.restart('svc')).toEqual({ ok: true, names: ['svc'] });
    await h.clock.advance(0);
    expect(first.kills).toEqual([{ signal: 15, group: true }]);
    expect(h.spawner.count('svc')).toBe(2);
    expect(h.engine.processState('svc')).toMatchObject({ status: 'Running', restarts: 1 });
  });

  it('starts a process that has ended, and skips the wait of a backoff', async () => {
    const h = single({ restart: 'on_failure', backoff_seconds: 30 });
    h.engine.start();
    await h.clock.advance(0);
    h.spawner.last('svc').exit(1);
    await h.clock.advance(0);
    h.engine.restart('svc');
    await h.clock.advance(0);
    expect(h.spawner.count('svc')).toBe(2);
    h.spawner.last('svc').exit(0);
    await h.clock.advance(0);
    expect(h.phase('svc')).toBe('completed');
    h.engine.restart('svc');
    await h.clock.advance(0);
    expect(h.spawner.count('svc')).toBe(3);
  });
});
