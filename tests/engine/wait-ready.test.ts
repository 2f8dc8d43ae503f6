import { describe, expect, it } from 'vitest';
import type { WaitReadyResult } from '../../src/engine/wait-ready.js';
import { CRASHES_BEFORE_UP, RUNNING_SETTLE_MS } from '../../src/engine/policy.js';
import { doc, harness, httpProbe, T0 } from './fakes.js';

const stack = doc({
  init: { 'x-core': { service: 'pb', one_shot: true } },
  nats: { readiness_probe: httpProbe(8222) },
  pb: {
    readiness_probe: httpProbe(8090),
    depends_on: { nats: { condition: 'process_healthy' }, init: { condition: 'process_completed_successfully' } },
  },
  caddy: { readiness_probe: httpProbe(2015), depends_on: { pb: { condition: 'process_healthy' } } },
});

function track(promise: Promise<WaitReadyResult>): { result: WaitReadyResult | undefined } {
  const box: { result: WaitReadyResult | undefined } = { result: undefined };
  void promise.then((r) => (box.result = r));
  return box;
}

describe('waitReady', () => {
  it('resolves once every process and its dependencies are ready (one-shots: completed)', async () => {
    const h = harness(stack);
    h.engine.start(['caddy']);
    const wait = track(h.engine.waitReady(['caddy'], { timeoutMs: 30_000 }));
    h.prober.up('http:8222');
    await h.clock.advance(50);
    h.spawner.last('init').exit(0);
    h.prober.up('http:8090');
    await h.clock.advance(50);
    expect(wait.result).toBeUndefined();
    h.prober.up('http:2015');
    await h.clock.advance(50);
    expect(wait.result).toEqual({
      ok: true,
      names: ['nats', 'init', 'pb', 'caddy'],
      outcomes: [
        { name: 'nats', status: 'healthy', readyMs: 10 },
        // The one-shot is no "ready in 0 ms": it completed, with its code and how long it ran.
        { name: 'init', status: 'completed', exitCode: 0, durationMs: 50 },
        { name: 'pb', status: 'healthy', readyMs: 10 },
        // Probed at 10, 25, 48 ms after its start (the fast cadence); up at the third.
        { name: 'caddy', status: 'healthy', readyMs: 48 },
      ],
    });
    expect(h.engine.processState('caddy')?.ready_time).toMatch(/^2026-01-01T00:00:00\.\d{3}Z$/);
  });

  it('reports the failing process first, with its exit code and last log lines, not the ones it made skip', async () => {
    const h = harness(stack);
    h.engine.start();
    const wait = track(h.engine.waitReady(undefined, { timeoutMs: 30_000, lines: 2 }));
    await h.clock.advance(0);
    const init = h.spawner.last('init');
    init.print('creating superuser');
    init.print('error: invalid email', 'stderr');
    init.print('exiting');
    init.exit(1);
    await h.clock.advance(0);
    expect(wait.result).toEqual({
      ok: false,
      reason: 'failed',
      name: 'init',
      message: 'init failed: exited with code 1',
      exitCode: 1,
      lastProbeError: null,
      lastLines: ['error: invalid email', 'exiting'],
    });
  });

  it('times out on the engine clock, naming a process that is not ready and its last probe error', async () => {
    const h = harness(stack);
    h.prober.up('http:8222');
    h.prober.down('http:8090', 'GET http://127.0.0.1:8090/health: status 503, expected 200');
    h.engine.start();
    const wait = track(h.engine.waitReady(['pb'], { timeoutMs: 2000 }));
    await h.clock.advance(0);
    h.spawner.last('init').exit(0);
    await h.clock.advance(1999);
    expect(wait.result).toBeUndefined();
    await h.clock.advance(1);
    expect(wait.result).toMatchObject({
      ok: false,
      reason: 'timeout',
      name: 'pb',
      message: 'pb not ready after 2000 ms (last probe error: GET http://127.0.0.1:8090/health: status 503, expected 200)',
      lastProbeError: 'GET http://127.0.0.1:8090/health: status 503, expected 200',
    });
    expect(h.clock.now()).toBe(T0 + 2000);
  });

  it('counts a service that exits 0 as not ready (PocketBase exits 0 on failure)', async () => {
    const h = harness(doc({ pb: {} }));
    h.engine.start();
    const wait = track(h.engine.waitReady(['pb'], { timeoutMs: 1000 }));
    await h.clock.advance(RUNNING_SETTLE_MS);
    // No readiness check: running once it has stayed up for the settle window.
    expect(wait.result).toMatchObject({ ok: true, outcomes: [{ name: 'pb', status: 'running' }] });
    h.spawner.last('pb').exit(0);
    const late = track(h.engine.waitReady(['pb'], { timeoutMs: 1000 }));
    await h.clock.advance(0);
    expect(late.result).toMatchObject({ ok: false, reason: 'exited', message: 'pb exited with code 0 instead of staying up' });
  });

  it('answers unknown names and a shutdown with a value', async () => {
    const h = harness(stack);
    expect(await h.engine.waitReady(['nope'], { timeoutMs: 1 })).toMatchObject({ ok: false, reason: 'unknown-process', name: 'nope' });
    h.engine.start(['nats']);
    const wait = track(h.engine.waitReady(['nats'], { timeoutMs: 10_000 }));
    await h.clock.advance(0);
    const stopping = h.engine.stop();
    await h.clock.advance(0);
    await stopping;
    expect(wait.result).toMatchObject({ ok: false });
  });
});

describe('waitReady: a process without a readiness check (issue 9 item 20)', () => {
  it('is not up until it has stayed running for the settle window; then it is running, not healthy', async () => {
    const h = harness(doc({ web: {} }));
    h.engine.start();
    const wait = track(h.engine.waitReady(['web'], { timeoutMs: 10_000 }));
    await h.clock.advance(RUNNING_SETTLE_MS - 1);
    expect(wait.result).toBeUndefined();
    // No event happens at the end of the window: the engine asks again on its own.
    await h.clock.advance(1);
    expect(wait.result).toEqual({ ok: true, names: ['web'], outcomes: [{ name: 'web', status: 'running' }] });
  });

  it('exiting 3 at once is a failure with its exit code and last lines', async () => {
    const h = harness(doc({ web: {} }));
    h.engine.start();
    const wait = track(h.engine.waitReady(['web'], { timeoutMs: 10_000 }));
    await h.clock.advance(0);
    h.spawner.last('web').print('error: no config file');
    h.spawner.last('web').exit(3);
    await h.clock.advance(0);
    expect(wait.result).toEqual({
      ok: false,
      reason: 'failed',
      name: 'web',
      message: 'web failed: exited with code 3',
      exitCode: 3,
      lastProbeError: null,
      lastLines: ['error: no config file'],
    });
  });

  it('a crash loop (restart: always) fails at its third crash before it is up, naming the restart it waits for', async () => {
    const h = harness(doc({ web: { availability: { restart: 'always', backoff_seconds: 1 }, 'x-core': { service: 'web', restart_backoff: 'doubling' } } }));
    h.engine.start();
    const wait = track(h.engine.waitReady(['web'], { timeoutMs: 60_000 }));
    await h.clock.advance(100);
    h.spawner.last('web').exit(3);
    await h.clock.advance(1000); // backoff 1 s, then the second run
    expect(wait.result).toBeUndefined();
    h.spawner.last('web').exit(3);
    await h.clock.advance(2000); // backoff 2 s, then the third run
    expect(wait.result).toBeUndefined();
    h.spawner.last('web').exit(3);
    await h.clock.advance(0);
    expect(CRASHES_BEFORE_UP).toBe(3);
    expect(wait.result).toMatchObject({
      ok: false,
      reason: 'restarting',
      name: 'web',
      message: 'web exited with code 3 before it was up, 3 times in a row (restart 3 scheduled)',
      exitCode: 3,
    });
  });

  it('one crash during start-up is restarted and waited for, not a failure', async () => {
    const h = harness(doc({ web: { availability: { restart: 'on_failure', backoff_seconds: 1 } } }));
    h.engine.start();
    const wait = track(h.engine.waitReady(['web'], { timeoutMs: 60_000 }));
    await h.clock.advance(100);
    h.spawner.last('web').exit(1);
    await h.clock.advance(1000);
    expect(wait.result).toBeUndefined();
    await h.clock.advance(RUNNING_SETTLE_MS);
    expect(wait.result).toMatchObject({ ok: true, outcomes: [{ name: 'web', status: 'running' }] });
  });

  it('a crash loop of a dependency is blamed, not the dependent it keeps waiting', async () => {
    const h = harness(
      doc({ db: { availability: { restart: 'always' }, 'x-core': { service: 'db', restart_backoff: 'doubling' } }, api: { depends_on: { db: { condition: 'process_started' } } } }),
    );
    h.engine.start();
    const wait = track(h.engine.waitReady(['api'], { timeoutMs: 10_000 }));
    for (let crash = 0; crash < CRASHES_BEFORE_UP; crash++) {
      // Crash 10 ms into each run; restarts come after 1 s, then 2 s of backoff.
      await h.clock.advance(crash === 0 ? 10 : 2 ** (crash - 1) * 1000 + 10);
      h.spawner.last('db').exit(1);
    }
    await h.clock.advance(0);
    expect(wait.result).toMatchObject({ ok: false, reason: 'restarting', name: 'db', exitCode: 1 });
  });

  it('a command that cannot be spawned fails with the reason', async () => {
    const h = harness(doc({ web: {} }));
    h.spawner.failWith('web', 'web was not found on PATH');
    h.engine.start();
    const wait = track(h.engine.waitReady(['web'], { timeoutMs: 10_000 }));
    await h.clock.advance(0);
    expect(wait.result).toMatchObject({ ok: false, reason: 'failed', name: 'web', message: 'web failed: could not start: web was not found on PATH' });
  });

  it('a process with a probe is not held back by the settle window', async () => {
    const h = harness(doc({ api: { readiness_probe: httpProbe(8080) } }));
    h.prober.up('http:8080');
    h.engine.start();
    const wait = track(h.engine.waitReady(['api'], { timeoutMs: 10_000 }));
    await h.clock.advance(10);
    expect(wait.result).toEqual({ ok: true, names: ['api'], outcomes: [{ name: 'api', status: 'healthy', readyMs: 10 }] });
  });
});
