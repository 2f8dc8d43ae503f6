import { describe, expect, it } from 'vitest';
import { doc, flush, harness } from './fakes.js';

const stack = doc({
  nats: { shutdown: { signal: 2, timeout_seconds: 5 } },
  pb: { depends_on: { nats: { condition: 'process_started' } } },
  caddy: { depends_on: { pb: { condition: 'process_started' } } },
  solo: {},
});

describe('stop()', () => {
  it('stops dependents before their dependencies, each with its own signal', async () => {
    const h = harness(stack);
    for (const name of ['nats', 'pb', 'caddy']) h.spawner.ignore(name, name === 'nats' ? 2 : 15);
    h.engine.start();
    await h.clock.advance(0);
    let stopped = false;
    const done = h.engine.stop().then(() => (stopped = true));
    await flush();
    // caddy (a leaf) and solo are signalled at once; pb and nats wait for their dependents.
    expect(
      h
        .of('stopping')
        .map((e) => e.name)
        .sort(),
    ).toEqual(['caddy', 'solo']);
    h.spawner.last('caddy').exit(0);
    await flush();
    expect(h.of('stopping').map((e) => e.name)).toContain('pb');
    expect(h.spawner.last('nats').kills).toEqual([]);
    h.spawner.last('pb').exit(0);
    await flush();
    expect(h.spawner.last('nats').kills).toEqual([{ signal: 2, group: true }]);
    expect(stopped).toBe(false);
    h.spawner.last('nats').exit(0);
    await done;
    expect(h.engine.snapshot().every((p) => p.status === 'Completed')).toBe(true);
  });

  it('sends SIGKILL to the group after timeout_seconds, and resolves once the process is gone', async () => {
    const h = harness(stack);
    h.spawner.ignore('nats', 2);
    h.engine.start(['nats']);
    await h.clock.advance(0);
    let stopped = false;
    const done = h.engine.stop().then(() => (stopped = true));
    await h.clock.advance(4999);
    expect(h.spawner.last('nats').kills).toEqual([{ signal: 2, group: true }]);
    expect(stopped).toBe(false);
    await h.clock.advance(1);
    expect(h.spawner.last('nats').kills).toEqual([
      { signal: 2, group: true },
      { signal: 9, group: true },
    ]);
    await done;
    expect(h.of('killing', 'nats')).toHaveLength(1);
    expect(h.engine.processState('nats')).toMatchObject({ status: 'Completed', exit_code: -1 });
  });

  it('uses a 10 s timeout by default (process-compose would wait forever)', async () => {
    const h = harness(stack);
    h.spawner.ignore('solo', 15);
    h.engine.start(['solo']);
    await h.clock.advance(0);
    const done = h.engine.stop();
    await h.clock.advance(10_000);
    await done;
    expect(h.spawner.last('solo').kills.map((k) => k.signal)).toEqual([15, 9]);
  });

  it('stops waiting processes without starting them, and refuses new starts while stopping', async () => {
    const h = harness(doc({ db: { ready_log_line: 'up' }, app: { depends_on: { db: { condition: 'process_log_ready' } } } }));
    h.spawner.ignore('db', 15);
    h.engine.start();
    await h.clock.advance(0);
    const done = h.engine.stop();
    await flush();
    expect(h.phase('app')).toBe('stopped');
    expect(h.engine.start()).toEqual({ ok: false, reason: 'shutting-down' });
    h.spawner.last('db').print('up');
    h.spawner.last('db').exit(0);
    await done;
    expect(h.spawner.count('app')).toBe(0);
    expect(h.engine.start().ok).toBe(true);
  });

  it('resolves at once when nothing runs', async () => {
    const h = harness(stack);
    await h.engine.stop();
    expect(h.spawner.children).toEqual([]);
  });
});

describe('stopProcess(name)', () => {
  it('stops only that process', async () => {
    const h = harness(stack);
    h.engine.start();
    await h.clock.advance(0);
    await expect(h.engine.stopProcess('pb')).resolves.toBe(true);
    expect(h.phase('pb')).toBe('stopped');
    expect(h.phase('caddy')).toBe('ready');
    await expect(h.engine.stopProcess('nope')).resolves.toBe(false);
  });
});
