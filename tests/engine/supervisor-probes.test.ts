import { describe, expect, it } from 'vitest';
import { doc, harness, httpProbe, T0 } from './fakes.js';

describe('readiness', () => {
  it('checks fast until the first success (10 ms, ×1.5, capped at 50 ms), then every period_seconds', async () => {
    const h = harness(doc({ db: { readiness_probe: httpProbe(5432, { period_seconds: 2 }) } }));
    h.engine.start();
    await h.clock.advance(300);
    // Gaps: 15, 23, 35, 50, 50…
    expect(h.prober.times('http:5432')).toEqual([10, 25, 48, 83, 133, 183, 233, 283]);
    h.prober.up('http:5432');
    await h.clock.advance(100);
    expect(h.of('ready', 'db')).toEqual([expect.objectContaining({ afterMs: 333 })]);
    await h.clock.advance(4000);
    // Then on the clock's 2 s grid (runner.ts onGrid), as every check of that period: T0 is a multiple of 2 s.
    expect(h.prober.times('http:5432').slice(8)).toEqual([333, 2000, 4000]);
  });

  it('runs the periodic checks of processes ready at different moments together, on the period grid', async () => {
    const h = harness(doc({ a: { readiness_probe: httpProbe(1001) }, b: { readiness_probe: httpProbe(1002) } }));
    h.engine.start();
    h.prober.up('http:1001');
    await h.clock.advance(370);
    h.prober.up('http:1002');
    await h.clock.advance(2700);
    const since = (key: string, from: number) => h.prober.times(key).filter((t) => t > from);
    expect(h.of('ready').map((e) => e.name)).toEqual(['a', 'b']);
    expect(since('http:1001', 500)).toEqual([1000, 2000, 3000]);
    expect(since('http:1002', 500)).toEqual([1000, 2000, 3000]);
  });

  it('sees a service ready within 50 ms of it being ready, however long it takes', async () => {
    const h = harness(doc({ db: { readiness_probe: httpProbe(5432) } }));
    h.engine.start();
    for (const upAt of [90, 1_234, 2_900]) {
      // (Each round runs a fresh process: restart it, then let it come up at `upAt`.)
      h.prober.down('http:5432');
      h.engine.restart('db');
      const startedAt = h.clock.elapsed;
      await h.clock.advance(upAt);
      h.prober.up('http:5432');
      await h.clock.advance(100);
      const ready = h.of('ready', 'db').at(-1);
      expect((ready?.at ?? 0) - T0).toBeGreaterThan(startedAt);
      expect(ready?.afterMs).toBeGreaterThanOrEqual(upAt);
      expect(ready?.afterMs).toBeLessThanOrEqual(upAt + 50);
    }
  });

  it('checks at once when the process prints while not ready: ready seen at the line, not at the next tick', async () => {
    const h = harness(doc({ db: { readiness_probe: httpProbe(5432) } }));
    h.engine.start();
    await h.clock.advance(60); // checks at 10, 25, 48: refused
    h.prober.up('http:5432');
    h.spawner.last('db').print('listening on :5432');
    await h.clock.advance(0);
    // Ready at 60 ms, not at the next tick of the cadence (83 ms).
    expect(h.of('ready', 'db')).toEqual([expect.objectContaining({ afterMs: 60, by: 'probe' })]);
    expect(h.prober.times('http:5432')).toEqual([10, 25, 48, 60]);
  });

  it('a check prompted by output that fails leaves the cadence as it was, records nothing, and runs one at a time', async () => {
    const h = harness(doc({ db: { readiness_probe: httpProbe(5432) } }));
    h.engine.start();
    await h.clock.advance(12); // the check at 10 ms
    const events = h.events.length;
    const db = h.spawner.last('db');
    // One burst of lines in one turn: one check (the next line waits for its answer).
    for (let i = 0; i < 50; i++) db.print(`starting ${i}`);
    await h.clock.advance(0);
    expect(h.prober.times('http:5432')).toEqual([10, 12]);
    expect(h.events.slice(events).filter((e) => e.type === 'probe')).toEqual([]);
    await h.clock.advance(100);
    // The cadence goes on untouched: 25, 48, 83.
    expect(h.prober.times('http:5432')).toEqual([10, 12, 25, 48, 83]);
  });

  it('no check prompted by output before initial_delay_seconds, nor once ready', async () => {
    const h = harness(doc({ db: { readiness_probe: httpProbe(5432, { initial_delay_seconds: 1, period_seconds: 5 }) } }));
    h.engine.start();
    await h.clock.advance(500);
    h.spawner.last('db').print('early line');
    await h.clock.advance(0);
    expect(h.prober.times('http:5432')).toEqual([]);
    h.prober.up('http:5432');
    await h.clock.advance(600); // the first check at 1000 ms: ready
    h.spawner.last('db').print('a line once ready');
    await h.clock.advance(0);
    expect(h.prober.times('http:5432')).toEqual([1000]);
  });

  it('waits initial_delay_seconds before the first check', async () => {
    const h = harness(doc({ db: { readiness_probe: httpProbe(5432, { initial_delay_seconds: 2 }) } }));
    h.engine.start();
    await h.clock.advance(2100);
    expect(h.prober.times('http:5432')[0]).toBe(2000);
  });

  it('fails a process that is not ready after initial delay + failure_threshold periods, keeping the probe error', async () => {
    const h = harness(doc({ db: { readiness_probe: httpProbe(5432, { period_seconds: 1, failure_threshold: 3 }) } }));
    h.prober.down('http:5432', 'connect ECONNREFUSED 127.0.0.1:5432');
    h.engine.start();
    await h.clock.advance(2900);
    expect(h.phase('db')).toBe('probing');
    expect(h.engine.processState('db')).toMatchObject({ is_ready: 'Not Ready', last_probe_error: 'connect ECONNREFUSED 127.0.0.1:5432' });
    await h.clock.advance(200);
    expect(h.spawner.last('db').kills).toEqual([{ signal: 15, group: true }]);
    expect(h.engine.processState('db')).toMatchObject({ status: 'Error', reason: 'not ready after 3s: connect ECONNREFUSED 127.0.0.1:5432' });
  });

  it('after ready: failure_threshold consecutive failures stop the process for a restart per availability', async () => {
    const h = harness(doc({ db: { readiness_probe: httpProbe(5432, { period_seconds: 1, failure_threshold: 2 }), availability: { restart: 'on_failure', backoff_seconds: 1 } } }));
    h.prober.up('http:5432');
    h.engine.start();
    await h.clock.advance(10);
    expect(h.phase('db')).toBe('ready');
    h.prober.down('http:5432');
    await h.clock.advance(1000);
    // One failure under the threshold: still running, shown Not Ready (as process-compose does).
    expect(h.engine.processState('db')).toMatchObject({ status: 'Running', is_ready: 'Not Ready', last_probe_error: 'connection refused' });
    expect(h.of('probe', 'db').at(-1)).toMatchObject({ ok: false, failures: 1 });
    await h.clock.advance(1000);
    // SIGTERM → the fake exits 0 on it; a probe-triggered stop still counts as a failure.
    expect(h.spawner.last('db').kills).toEqual([{ signal: 15, group: true }]);
    expect(h.of('restart-scheduled', 'db')[0]).toMatchObject({ reason: 'readiness probe failed 2 times: connection refused' });
    h.prober.up('http:5432');
    await h.clock.advance(1100);
    expect(h.spawner.count('db')).toBe(2);
    expect(h.phase('db')).toBe('ready');
  });

  it('a success resets the failure count', async () => {
    const h = harness(doc({ db: { readiness_probe: httpProbe(5432, { failure_threshold: 2 }) } }));
    h.prober.up('http:5432');
    h.engine.start();
    await h.clock.advance(10);
    for (const up of [false, true, false, true, false]) {
      if (up) h.prober.up('http:5432');
      else h.prober.down('http:5432');
      await h.clock.advance(1000);
    }
    expect(h.phase('db')).toBe('ready');
  });

  it('ready_log_line: ready on the first line containing it', async () => {
    const h = harness(doc({ api: { ready_log_line: 'listening on' } }));
    h.engine.start();
    await h.clock.advance(40);
    h.spawner.last('api').print('booting');
    expect(h.engine.processState('api')?.is_ready).toBe('Not Ready');
    h.spawner.last('api').print('[info] listening on :8080');
    await h.clock.advance(0);
    expect(h.of('ready', 'api')).toEqual([expect.objectContaining({ afterMs: 40 })]);
    expect(h.engine.processState('api')).toMatchObject({ is_ready: 'Ready', has_ready_probe: false });
    expect(h.logs.get('/logs/api.log')).toEqual(['booting', '[info] listening on :8080']);
  });

  it('x-core.readiness_tcp: connects natively instead of running the exec probe', async () => {
    const exec = { ...httpProbe(0), http_get: undefined, exec: { command: 'nc -z 127.0.0.1 4222' } };
    const h = harness(doc({ nats: { readiness_probe: exec, 'x-core': { service: 'nats', readiness_tcp: { host: '127.0.0.1', port: 4222 } } } }));
    h.prober.up('tcp:4222');
    h.engine.start();
    await h.clock.advance(10);
    expect(h.prober.calls.map((c) => c.key)).toEqual(['tcp:4222']);
    expect(h.phase('nats')).toBe('ready');
  });
});

describe('liveness', () => {
  const live = { period_seconds: 5, failure_threshold: 2 };

  it("starts once ready, and failure_threshold failures stop a process of core's manifests for a restart", async () => {
    const h = harness(
      doc({
        api: {
          readiness_probe: httpProbe(80),
          liveness_probe: httpProbe(81, live),
          availability: { restart: 'always', backoff_seconds: 1 },
          'x-core': { service: 'api', liveness_failure: 'restart' },
        },
      }),
    );
    h.engine.start();
    await h.clock.advance(1000);
    expect(h.prober.times('http:81')).toEqual([]);
    h.prober.up('http:80');
    await h.clock.advance(300);
    const readyAt = (h.of('ready', 'api')[0]?.at ?? 0) - T0;
    h.prober.down('http:81', 'status 500');
    await h.clock.advance(10_000);
    // The first check initial-delay (here: one period) after ready, then on the clock's 5 s grid: sooner, never later.
    const first = readyAt + 5000;
    expect(h.prober.times('http:81').slice(0, 2)).toEqual([first, first + 5000 - (first % 5000)]);
    expect(h.of('stopping', 'api')[0]).toMatchObject({ reason: 'liveness probe failed 2 times: status 500' });
    // (Stopped ~1 s earlier than with a cadence from each result: the restart is already done.)
    expect(h.of('restart-scheduled', 'api')).toEqual([expect.objectContaining({ restarts: 1 })]);
  });

  it("only reports the failures of a process-compose file's process, which runs on (process-compose only logs them)", async () => {
    const h = harness(doc({ api: { liveness_probe: httpProbe(81, live), availability: { restart: 'always', backoff_seconds: 1 } } }));
    h.prober.up('http:81');
    h.engine.start();
    await h.clock.advance(5000);
    h.prober.down('http:81', 'status 500');
    await h.clock.advance(20_000);
    const failures = h.of('probe', 'api').filter((e) => e.probe === 'liveness' && !e.ok);
    expect(failures.map((e) => e.failures)).toEqual([1, 2, 3, 4]);
    expect(h.of('stopping', 'api')).toEqual([]);
    expect(h.of('restart-scheduled', 'api')).toEqual([]);
    expect(h.engine.processState('api')).toMatchObject({ status: 'Running', restarts: 0 });
  });

  it('runs for a process without a readiness check too, and passing checks change nothing', async () => {
    const h = harness(doc({ worker: { liveness_probe: httpProbe(9000, { period_seconds: 1 }) } }));
    h.prober.up('http:9000');
    h.engine.start();
    await h.clock.advance(3000);
    expect(h.prober.times('http:9000')).toEqual([1000, 2000, 3000]);
    expect(h.engine.processState('worker')).toMatchObject({ status: 'Running', is_ready: '-' });
  });
});
