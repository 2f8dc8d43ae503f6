import { describe, expect, it } from 'vitest';
import { doc, harness, httpProbe } from './fakes.js';

describe('dependency gating', () => {
  it('process_started: releases the dependent as soon as the dependency is spawned', async () => {
    const h = harness(doc({ app: { depends_on: { db: { condition: 'process_started' } } }, db: { readiness_probe: httpProbe(5432) } }));
    h.engine.start();
    await h.clock.advance(0);
    expect(h.spawner.count('db')).toBe(1);
    expect(h.spawner.count('app')).toBe(1);
    expect(h.phase('db')).toBe('probing');
  });

  it('process_healthy: waits for the readiness probe', async () => {
    const h = harness(doc({ app: { depends_on: { db: { condition: 'process_healthy' } } }, db: { readiness_probe: httpProbe(5432) } }));
    h.engine.start();
    await h.clock.advance(100);
    expect(h.spawner.count('app')).toBe(0);
    expect(h.engine.processState('app')?.status).toBe('Pending');
    h.prober.up('http:5432');
    await h.clock.advance(100);
    expect(h.spawner.count('app')).toBe(1);
  });

  it('process_log_ready: waits for the ready_log_line', async () => {
    const h = harness(doc({ app: { depends_on: { db: { condition: 'process_log_ready' } } }, db: { ready_log_line: 'accepting connections' } }));
    h.engine.start();
    await h.clock.advance(0);
    h.spawner.last('db').print('starting up');
    await h.clock.advance(0);
    expect(h.spawner.count('app')).toBe(0);
    h.spawner.last('db').print('LOG: database system is accepting connections', 'stderr');
    await h.clock.advance(0);
    expect(h.spawner.count('app')).toBe(1);
    expect(h.engine.processState('db')?.is_ready).toBe('Ready');
  });

  it('process_completed: waits for the dependency to end, whatever its code', async () => {
    const h = harness(doc({ app: { depends_on: { init: { condition: 'process_completed' } } }, init: {} }));
    h.engine.start();
    await h.clock.advance(0);
    expect(h.spawner.count('app')).toBe(0);
    h.spawner.last('init').exit(2);
    await h.clock.advance(0);
    expect(h.spawner.count('app')).toBe(1);
  });

  it('process_completed_successfully: starts after exit 0, skips after a failure with the reason', async () => {
    const d = doc({ app: { depends_on: { init: { condition: 'process_completed_successfully' } } }, init: {} });
    const ok = harness(d);
    ok.engine.start();
    await ok.clock.advance(0);
    ok.spawner.last('init').exit(0);
    await ok.clock.advance(0);
    expect(ok.spawner.count('app')).toBe(1);

    const bad = harness(d);
    bad.engine.start();
    await bad.clock.advance(0);
    bad.spawner.last('init').exit(1);
    await bad.clock.advance(0);
    expect(bad.spawner.count('app')).toBe(0);
    expect(bad.engine.processState('app')).toMatchObject({ status: 'Skipped', reason: 'init failed: exited with code 1' });
    expect(bad.of('skipped', 'app')[0]).toMatchObject({ cause: 'init' });
  });

  it('skips every dependent of a failed dependency, down the chain, naming the root cause', async () => {
    const h = harness(
      doc({
        nats: { readiness_probe: httpProbe(8222) },
        pb: { readiness_probe: httpProbe(8090), depends_on: { nats: { condition: 'process_healthy' } } },
        caddy: { depends_on: { pb: { condition: 'process_healthy' } } },
      }),
    );
    h.engine.start();
    await h.clock.advance(50);
    h.spawner.last('nats').exit(1);
    await h.clock.advance(0);
    expect(h.engine.processState('nats')).toMatchObject({ status: 'Error', reason: 'exited with code 1' });
    expect(h.engine.processState('pb')).toMatchObject({ status: 'Skipped', reason: 'nats failed: exited with code 1 before it was healthy' });
    expect(h.engine.processState('caddy')).toMatchObject({
      status: 'Skipped',
      reason: 'pb was skipped: nats failed: exited with code 1 before it was healthy',
    });
    expect(h.of('skipped', 'caddy')[0]).toMatchObject({ cause: 'nats' });
    expect(h.spawner.count('pb') + h.spawner.count('caddy')).toBe(0);
  });

  it('skips a dependent when its dependency cannot be spawned', async () => {
    const h = harness(doc({ app: { depends_on: { db: { condition: 'process_started' } } }, db: {} }));
    h.spawner.failWith('db', 'db was not found on PATH');
    h.engine.start();
    await h.clock.advance(0);
    expect(h.engine.processState('db')).toMatchObject({ status: 'Error', reason: 'could not start: db was not found on PATH' });
    expect(h.engine.processState('app')?.status).toBe('Skipped');
  });

  it('waits through a dependency restart instead of skipping (unlike process-compose)', async () => {
    const h = harness(
      doc({
        app: { depends_on: { db: { condition: 'process_healthy' } } },
        db: { readiness_probe: httpProbe(5432), availability: { restart: 'on_failure', backoff_seconds: 1 } },
      }),
    );
    h.engine.start();
    await h.clock.advance(20);
    h.spawner.last('db').exit(1);
    await h.clock.advance(0);
    expect(h.phase('db')).toBe('backing-off');
    expect(h.phase('app')).toBe('waiting');
    h.prober.up('http:5432');
    await h.clock.advance(1100);
    expect(h.spawner.count('db')).toBe(2);
    expect(h.spawner.count('app')).toBe(1);
  });
});

describe('subset start', () => {
  const d = doc({
    nats: {},
    pb: { depends_on: { nats: { condition: 'process_started' } } },
    caddy: { depends_on: { pb: { condition: 'process_started' } } },
    extra: {},
    off: { disabled: true },
  });

  it('starts the named processes and their transitive dependencies only', async () => {
    const h = harness(d);
    expect(h.engine.start(['pb'])).toEqual({ ok: true, names: ['nats', 'pb'] });
    await h.clock.advance(0);
    expect(h.spawner.children.map((c) => c.spec.command)).toEqual(['nats', 'pb']);
    expect(h.engine.processState('caddy')?.status).toBe('Disabled');
    expect(h.engine.processState('extra')?.status).toBe('Disabled');
  });

  it('starts everything but disabled processes by default, and rejects unknown names', async () => {
    const h = harness(d);
    expect(h.engine.start(['nope'])).toEqual({ ok: false, reason: 'unknown-process', names: ['nope'] });
    h.engine.start();
    await h.clock.advance(0);
    expect(h.spawner.children.map((c) => c.spec.command).sort()).toEqual(['caddy', 'extra', 'nats', 'pb']);
    expect(h.engine.processState('off')?.status).toBe('Disabled');
  });

  it('does not rerun a completed one-shot dependency when a dependent is started later', async () => {
    const h = harness(doc({ init: { 'x-core': { service: 'pb', one_shot: true } }, pb: { depends_on: { init: { condition: 'process_completed_successfully' } } } }));
    h.engine.start(['init']);
    await h.clock.advance(0);
    h.spawner.last('init').exit(0);
    await h.clock.advance(0);
    h.engine.start(['pb']);
    await h.clock.advance(0);
    expect(h.spawner.count('init')).toBe(1);
    expect(h.spawner.count('pb')).toBe(1);
  });

  it('gives each child the base environment with its own environment on top', async () => {
    const h = harness(doc({ app: { environment: ['PORT=8080', 'EQ=a=b', 'PATH=/opt/bin'] } }), { baseEnv: { PATH: '/usr/bin', HOME: '/home/u' } });
    h.engine.start();
    await h.clock.advance(0);
    expect(h.spawner.last('app').spec.env).toEqual({ PATH: '/opt/bin', HOME: '/home/u', PORT: '8080', EQ: 'a=b', PC_PROC_NAME: 'app', CORE_STACK_PROCESS: 'app' });
  });
});
