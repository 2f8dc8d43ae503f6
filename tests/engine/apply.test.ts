import { describe, expect, it } from 'vitest';
import type { ComposeDoc } from '../../src/compose/schema.js';
import type { ApplyResult } from '../../src/engine/apply.js';
import { doc, harness, httpProbe, type Harness } from './fakes.js';

/** nats ← pb ← caddy (process_healthy), and app (no probe) on nats. */
function stack(): ComposeDoc {
  return doc({
    nats: { readiness_probe: httpProbe(8222) },
    pb: { readiness_probe: httpProbe(8090), depends_on: { nats: { condition: 'process_healthy' } } },
    caddy: { readiness_probe: httpProbe(2015), depends_on: { pb: { condition: 'process_healthy' } } },
    app: { environment: ['GREETING=hello'], depends_on: { nats: { condition: 'process_healthy' } } },
  });
}

async function running(d = stack()): Promise<Harness> {
  const h = harness(d);
  for (const port of [8222, 8090, 2015]) h.prober.up(`http:${port}`);
  h.engine.start();
  await h.clock.advance(2000);
  const ready = await h.engine.waitReady(undefined, { timeoutMs: 1000 });
  expect(ready.ok).toBe(true);
  return h;
}

const pids = (h: Harness) => Object.fromEntries(h.engine.snapshot().map((p) => [p.name, p.pid]));
/** The process events since `from`, as "type:name", without probes and output. */
const trail = (h: Harness, from: number) =>
  h.events
    .slice(from)
    .filter((e) => !['probe', 'output'].includes(e.type))
    .map((e) => (e.name ? `${e.type}:${e.name}` : e.type));

async function apply(h: Harness, desired: ComposeDoc, extra: Partial<Parameters<Harness['engine']['apply']>[0]> = {}): Promise<ApplyResult> {
  const pending = h.engine.apply({ doc: desired, timeoutMs: 5000, ...extra });
  await h.clock.advance(2000);
  return pending;
}

describe('apply (built-in engine, fake clock and spawner)', () => {
  it('the same document: nothing stops or starts; pids and restart counts stay; events: started, diff, finished', async () => {
    const h = await running();
    const before = pids(h);
    const mark = h.events.length;
    const result = await apply(h, stack());
    expect(result).toMatchObject({ ok: true, started: [], stopped: [] });
    expect(pids(h)).toEqual(before);
    expect(trail(h, mark)).toEqual(['apply-started', 'apply-diff', 'apply-finished']);
    expect(h.spawner.children.length).toBe(4);
  });

  it('a changed environment replaces only that process; its dependency and the others keep their pid', async () => {
    const h = await running();
    const before = pids(h);
    const desired = stack();
    desired.processes.app!.environment = ['GREETING=bonjour'];
    const result = await apply(h, desired);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.started).toEqual(['app']);
    expect(result.diff.processes.find((p) => p.name === 'app')).toMatchObject({ action: 'replace', reasons: ['environment (GREETING)'] });
    const after = pids(h);
    expect(after.app).not.toBe(before.app);
    expect({ ...after, app: 0 }).toEqual({ ...before, app: 0 });
    expect(h.spawner.last('app').spec.env.GREETING).toBe('bonjour');
  });

  it('a replaced dependency: its running dependent is not restarted (its definition did not change)', async () => {
    const h = await running();
    const before = pids(h);
    const desired = stack();
    desired.processes.pb!.entrypoint = ['pb', 'serve', '--dev'];
    const mark = h.events.length;
    const result = await apply(h, desired);
    expect(result).toMatchObject({ ok: true, started: ['pb'] });
    expect(pids(h).caddy).toBe(before.caddy);
    expect(pids(h).nats).toBe(before.nats);
    expect(trail(h, mark).filter((t) => t.endsWith(':caddy'))).toEqual([]);
  });

  it('two replaced in a chain: dependents stop first, dependencies start first, each gated on its condition', async () => {
    const h = await running();
    const desired = stack();
    desired.processes.nats!.entrypoint = ['nats', '-js'];
    desired.processes.pb!.entrypoint = ['pb', 'serve', '--dev'];
    h.prober.down('http:8222');
    const mark = h.events.length;
    const pending = h.engine.apply({ doc: desired, timeoutMs: 5000 });
    await h.clock.advance(500);
    // nats is up again but not healthy: pb waits for it.
    expect(h.phase('pb')).toBe('waiting');
    h.prober.up('http:8222');
    await h.clock.advance(1000);
    const result = await pending;
    expect(result).toMatchObject({ ok: true, started: ['nats', 'pb'] });
    const steps = trail(h, mark).filter((t) => /^(stopping|stopped|exited|started|ready):/.test(t));
    expect(steps.indexOf('stopping:pb')).toBeLessThan(steps.indexOf('stopping:nats'));
    expect(steps.indexOf('exited:pb')).toBeLessThan(steps.indexOf('stopping:nats'));
    expect(steps.indexOf('ready:nats')).toBeLessThan(steps.indexOf('started:pb'));
    // caddy and app depend on them and did not change: untouched.
    expect(steps.some((s) => s.endsWith(':caddy') || s.endsWith(':app'))).toBe(false);
  });

  it('adds a process: starts only it, after its dependency condition holds', async () => {
    const h = await running();
    const before = pids(h);
    const desired = stack();
    desired.processes.web = { entrypoint: ['web'], working_dir: '/tmp', environment: [], depends_on: { caddy: { condition: 'process_healthy' } } };
    const result = await apply(h, desired);
    expect(result).toMatchObject({ ok: true, started: ['web'], stopped: [] });
    expect(h.spawner.count('web')).toBe(1);
    expect({ ...pids(h), web: undefined }).toEqual({ ...before, web: undefined });
  });

  it('removes a chain: the dependent stops before its dependency, and both are gone from the snapshot', async () => {
    const h = await running();
    const desired = stack();
    delete desired.processes.caddy;
    delete desired.processes.pb;
    const mark = h.events.length;
    const result = await apply(h, desired);
    expect(result).toMatchObject({ ok: true, stopped: ['pb', 'caddy'] });
    const steps = trail(h, mark);
    expect(steps.indexOf('exited:caddy')).toBeLessThan(steps.indexOf('stopping:pb'));
    expect(h.engine.snapshot().map((p) => p.name)).toEqual(['nats', 'app']);
    expect(h.spawner.last('caddy').exited).toBe(true);
  });

  it('in-place changes (probe timing, restart policy, shutdown, description): no restart, and the new values apply', async () => {
    const h = await running();
    const before = pids(h);
    const desired = stack();
    desired.processes.app = { ...desired.processes.app!, description: 'new', shutdown: { signal: 2, timeout_seconds: 3 }, availability: { restart: 'always' } };
    const result = await apply(h, desired);
    expect(result).toMatchObject({ ok: true, started: [] });
    expect(pids(h)).toEqual(before);
    await h.engine.stopProcess('app').then(
      () => undefined,
      () => undefined,
    );
    await h.clock.advance(0);
    expect(h.spawner.last('app').kills[0]).toEqual({ signal: 2, group: true });
  });

  it('an in-place change of a probe: the next check goes where the new definition says (the kept spec is dropped)', async () => {
    const h = await running();
    const before = pids(h);
    const desired = stack();
    desired.processes.nats = { ...desired.processes.nats!, readiness_probe: httpProbe(8223) };
    h.prober.up('http:8223');
    expect(await apply(h, desired)).toMatchObject({ ok: true, started: [] });
    const at = h.clock.elapsed;
    await h.clock.advance(2000);
    expect(h.prober.calls.filter((c) => c.at > at && c.key.startsWith('http:822')).map((c) => c.key)).toEqual(['http:8223', 'http:8223']);
    expect(pids(h)).toEqual(before);
  });

  it('a replaced process that does not become ready: not-ready with its probe error; the rest untouched', async () => {
    const h = await running();
    const before = pids(h);
    const desired = stack();
    desired.processes.caddy!.entrypoint = ['caddy', 'run', '--broken'];
    h.prober.down('http:2015', 'connection refused');
    const pending = h.engine.apply({ doc: desired, timeoutMs: 1000 });
    await h.clock.advance(3000);
    const result = await pending;
    expect(result).toMatchObject({ ok: false, reason: 'not-ready', started: ['caddy'] });
    if (result.ok || result.reason !== 'not-ready') return;
    expect(result.failure.name).toBe('caddy');
    expect(result.failure.lastProbeError).toContain('connection refused');
    expect({ ...pids(h), caddy: 0 }).toEqual({ ...before, caddy: 0 });
  });

  it('a second apply while one runs is refused with a clear message; the first completes', async () => {
    const h = await running();
    const desired = stack();
    desired.processes.app!.environment = ['GREETING=second'];
    const first = h.engine.apply({ doc: desired, timeoutMs: 5000 });
    const second = await h.engine.apply({ doc: stack(), timeoutMs: 5000 });
    expect(second).toMatchObject({ ok: false, reason: 'busy' });
    if (!second.ok) expect('message' in second && second.message).toMatch(/apply 1 is in progress/);
    await h.clock.advance(2000);
    expect(await first).toMatchObject({ ok: true, started: ['app'] });
  });

  it('dry run: the diff, and nothing stops or starts', async () => {
    const h = await running();
    const before = pids(h);
    const desired = stack();
    desired.processes.app!.environment = ['GREETING=dry'];
    delete desired.processes.caddy;
    const result = await apply(h, desired, { dryRun: true });
    expect(result).toMatchObject({ ok: true, started: [], stopped: [] });
    if (result.ok) expect(result.diff.processes.filter((p) => p.action !== 'keep').map((p) => `${p.action}:${p.name}`)).toEqual(['remove:caddy', 'replace:app']);
    expect(pids(h)).toEqual(before);
    expect(h.engine.snapshot()).toHaveLength(4);
  });

  it('a secret changed (by fingerprint) replaces the process; unchanged secrets keep it', async () => {
    const d = stack();
    d.processes.app!['x-core'] = { service: 'app', secret_env: ['API_TOKEN'] };
    const h = harness(d, { secrets: { app: { API_TOKEN: 'one' } } });
    h.prober.up('http:8222');
    h.engine.start(['app']);
    await h.clock.advance(2000);
    const pid = pids(h).app;
    expect(await apply(h, d, { secrets: { app: { API_TOKEN: 'one' } } })).toMatchObject({ ok: true, started: [] });
    expect(pids(h).app).toBe(pid);
    const result = await apply(h, d, { secrets: { app: { API_TOKEN: 'two' } } });
    expect(result).toMatchObject({ ok: true, started: ['app'] });
    expect(JSON.stringify(result)).not.toMatch(/one|two/);
    expect(h.spawner.last('app').spec.env.API_TOKEN).toBe('two');
  });

  it('a changed binary (fingerprint) replaces the process', async () => {
    let version = 'v1';
    const h = harness(stack(), { fingerprint: (command) => (command === 'nats' ? version : undefined) });
    h.prober.up('http:8222');
    h.engine.start(['nats']);
    await h.clock.advance(1000);
    version = 'v2';
    const result = await apply(h, stack());
    expect(result.ok && result.diff.processes.find((p) => p.name === 'nats')).toMatchObject({ action: 'replace', reasons: ['binary'] });
  });

  it('`start` names: an added process starts only if they need it (`core up svc`); without `start` every added one starts', async () => {
    const h = await running();
    const desired = stack();
    desired.processes.extra = { entrypoint: ['extra'], working_dir: '/tmp', environment: [] };
    desired.processes.worker = { entrypoint: ['worker'], working_dir: '/tmp', environment: [], depends_on: { extra: { condition: 'process_started' } } };
    const named = await apply(h, desired, { start: ['app'] });
    expect(named).toMatchObject({ ok: true, started: [] });
    expect(h.spawner.count('extra')).toBe(0);
    const needed = await apply(h, desired, { start: ['worker'] });
    expect(needed).toMatchObject({ ok: true, started: ['extra', 'worker'] });

    const other = await running();
    expect(await apply(other, desired)).toMatchObject({ ok: true, started: ['extra', 'worker'] });
  });

  it('`start` names: brings up what is down among them and their dependencies, not a completed one-shot', async () => {
    const d = stack();
    d.processes.init = { entrypoint: ['init'], working_dir: '/tmp', environment: [] };
    d.processes.pb!.depends_on = { ...d.processes.pb!.depends_on, init: { condition: 'process_completed_successfully' } };
    const h = harness(d);
    for (const port of [8222, 8090, 2015]) h.prober.up(`http:${port}`);
    h.engine.start(['nats', 'init']);
    await h.clock.advance(100);
    h.spawner.last('init').exit(0);
    await h.clock.advance(1000);
    const result = await apply(h, d, { start: ['caddy'] });
    expect(result).toMatchObject({ ok: true, started: ['pb', 'caddy'] });
    expect(h.spawner.count('init')).toBe(1);
    expect(h.spawner.count('nats')).toBe(1);
  });
});
