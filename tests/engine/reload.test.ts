/**
 * The reload step of an apply (apply.ts + reload.ts) on the fake clock and
 * spawner, with a fake of nats-server's two answers: `-t` (valid or not, and
 * the file's digest) and `/varz` `config_digest` (which takes the new digest
 * only once the child got SIGHUP, unless the fake refuses the reload).
 */
import { describe, expect, it } from 'vitest';
import { describeEvent } from '../../src/cli/render/event-line.js';
import type { ComposeDoc, ComposeProcess } from '../../src/compose/schema.js';
import type { ApplyResult } from '../../src/engine/apply.js';
import { toRecord } from '../../src/engine/event-record.js';
import { testedDigest, type ReloadTools } from '../../src/engine/reload.js';
import { doc, harness, httpProbe, type Harness } from './fakes.js';

const SIGHUP = 1;
const digest = (c: string) => `sha256:${c.repeat(64)}`;

/** One fake nats-server per process: what `-t` says of its file, and what /varz says it runs. */
class FakeNats {
  running = digest('0');
  file = digest('0');
  valid = true;
  /** false: a reload it refuses (a changed server_name): the digest stays, a line says why. */
  takes = true;
  /** With `takes` false: it logs why (as nats-server does), or says nothing. */
  says = true;
  /** Called when its config is checked (a test makes it crash then). */
  onTest: (() => void) | undefined;
  /** /varz refuses while no child of it runs. */
  downWhenExited = false;
  /** ms from the signal until /varz shows the new digest. */
  lagMs = 0;
  tests: { argv: readonly string[]; env: Readonly<Record<string, string>> }[] = [];
  varzCalls = 0;
  signalledAt: number | undefined;
}

function fakeTools(h: () => Harness, servers: Record<string, FakeNats>): ReloadTools {
  const byUrl = (url: string) => Object.entries(servers).find(([name]) => url.includes(`/${name}/`))!;
  return {
    test: (argv, env) => {
      const [, server] = Object.entries(servers).find(([name]) => argv.includes(`/conf/${name}.conf`))!;
      server.tests.push({ argv, env });
      server.onTest?.();
      return Promise.resolve(
        server.valid
          ? { code: 0, output: `nats-server: configuration file /conf/x.conf is valid (${server.file})\n` }
          : { code: 1, output: "nats-server: Parse error on line 2: 'Unexpected EOF processing map.'\n" },
      );
    },
    digest: (url) => {
      const [name, server] = byUrl(url);
      server.varzCalls += 1;
      const child = h().spawner.last(name);
      if (server.downWhenExited && child.exited) return Promise.resolve({ ok: false, error: 'ECONNREFUSED' });
      if (server.signalledAt === undefined && child.kills.some((k) => k.signal === SIGHUP)) {
        server.signalledAt = h().clock.now();
        if (!server.takes && server.says) child.print('[ERR] Failed to reload server configuration: config reload not supported for ServerName: old=a, new=b');
      }
      if (server.signalledAt !== undefined && server.takes && h().clock.now() >= server.signalledAt + server.lagMs) server.running = server.file;
      return Promise.resolve({ ok: true, digest: server.running });
    },
  };
}

function natsProc(name: string, sha: string, verify = true): Partial<ComposeProcess> {
  return {
    readiness_probe: httpProbe(8222),
    environment: ['NATS_CLUSTER=c'],
    'x-core': {
      service: 'nats',
      config_sha256: 'c'.repeat(64),
      secret_env: ['NATS_PASSWORD'],
      reload: {
        signal: SIGHUP,
        sha256: sha.repeat(64),
        ...(verify ? { verify: { test_argv: ['/dep/nats-server', '-t', '-c', `/conf/${name}.conf`], varz_url: `http://127.0.0.1/${name}/varz` } } : {}),
      },
    },
  };
}

function stack(shas: Record<string, string>, verify = true): ComposeDoc {
  return doc({
    ...Object.fromEntries(Object.entries(shas).map(([name, sha]) => [name, natsProc(name, sha, verify)])),
    app: { depends_on: { 'nats-1': { condition: 'process_healthy' } } },
  });
}

async function running(shas: Record<string, string>, verify = true) {
  const servers: Record<string, FakeNats> = Object.fromEntries(Object.keys(shas).map((n) => [n, new FakeNats()]));
  let h: Harness | undefined;
  h = harness(stack(shas, verify), {
    reloadTools: fakeTools(() => h!, servers),
    baseEnv: { PATH: '/usr/bin', CORE_STACK_RUN: 'run-1' },
    secrets: Object.fromEntries(Object.keys(shas).map((n) => [n, { NATS_PASSWORD: 'hunter2' }])),
  });
  for (const name of Object.keys(shas)) h.spawner.ignore(name, SIGHUP);
  h.prober.up('http:8222');
  h.engine.start();
  await h.clock.advance(1000);
  expect((await h.engine.waitReady(undefined, { timeoutMs: 1000 })).ok).toBe(true);
  return { h, servers };
}

const pids = (h: Harness) => Object.fromEntries(h.engine.snapshot().map((p) => [p.name, p.pid]));

async function apply(h: Harness, desired: ComposeDoc, advanceMs = 1000): Promise<ApplyResult> {
  const pending = h.engine.apply({ doc: desired, timeoutMs: 5000 });
  await h.clock.advance(advanceMs);
  return pending;
}

describe('reload in place (x-core.reload), fake clock and spawner', () => {
  it('reads the digest nats-server -t prints', () => {
    expect(testedDigest(`nats-server: configuration file /a b.conf is valid (${digest('e')})\n`)).toBe(digest('e'));
    expect(testedDigest('nats-server: configuration file a.conf is valid')).toBeUndefined();
  });

  it('only the reloadable config changed: checked with its own environment, SIGHUP to the process alone, verified; same pid, no restart', async () => {
    const { h, servers } = await running({ 'nats-1': 'a' });
    const before = pids(h);
    servers['nats-1']!.file = digest('1');
    const mark = h.events.length;
    const result = await apply(h, stack({ 'nats-1': 'b' }));
    expect(result).toMatchObject({ ok: true, started: [], stopped: [], reloaded: [{ name: 'nats-1', signalled: true, digest: digest('1') }] });
    expect(pids(h)).toEqual(before);
    expect(h.spawner.last('nats-1').kills).toEqual([{ signal: SIGHUP, group: false }]);
    const [test] = servers['nats-1']!.tests;
    expect(test!.argv).toEqual(['/dep/nats-server', '-t', '-c', '/conf/nats-1.conf']);
    expect(test!.env).toMatchObject({ NATS_PASSWORD: 'hunter2', NATS_CLUSTER: 'c', CORE_STACK_RUN: 'run-1' });
    const types = h.events.slice(mark).filter((e) => !['probe', 'output'].includes(e.type));
    expect(types.map((e) => `${e.type}:${e.name}`)).toEqual(['apply-started:', 'apply-diff:', 'reloaded:nats-1', 'apply-finished:']);
    expect(h.of('reloaded', 'nats-1')[0]).toMatchObject({ signalled: true, digest: digest('1') });
  });

  it('an invalid new file: nothing is signalled, the apply fails naming the process and what nats-server said; it runs on', async () => {
    const { h, servers } = await running({ 'nats-1': 'a' });
    const before = pids(h);
    servers['nats-1']!.valid = false;
    const result = await apply(h, stack({ 'nats-1': 'b' }));
    expect(result.ok).toBe(false);
    if (result.ok || !('failure' in result)) return;
    expect(result.reason).toBe('reload-failed');
    expect(result.failure).toMatchObject({ name: 'nats-1', names: ['nats-1'] });
    expect(result.failure.message).toMatch(/^nats-1: its new configuration fails `nats-server -t -c \/conf\/nats-1.conf` \(exit code 1\): .*Parse error on line 2/);
    expect(result.failure.message).toContain('it runs on its old configuration');
    expect(h.spawner.last('nats-1').kills).toEqual([]);
    expect(pids(h)).toEqual(before);
    expect(h.phase('nats-1')).toBe('ready');
    expect(h.of('reload-failed', 'nats-1')).toHaveLength(1);
    expect(h.of('apply-finished').at(-1)).toMatchObject({ ok: false });
    // It runs on its old config, so the same manifests applied again try again (not "no change").
    expect(h.engine.document.processes['nats-1']!['x-core']!.reload!.sha256).toBe('a'.repeat(64));
    servers['nats-1']!.valid = true;
    servers['nats-1']!.file = digest('3');
    const again = await apply(h, stack({ 'nats-1': 'b' }));
    expect(again).toMatchObject({ ok: true, reloaded: [{ name: 'nats-1', signalled: true, digest: digest('3') }] });
    expect(h.engine.document.processes['nats-1']!['x-core']!.reload!.sha256).toBe('b'.repeat(64));
  });

  it('a reload nats-server refuses and logs why (the digest stays): fails at once with both digests and its reason; same pid', async () => {
    const { h, servers } = await running({ 'nats-1': 'a' });
    const before = pids(h);
    servers['nats-1']!.file = digest('2');
    servers['nats-1']!.takes = false;
    const pending = h.engine.apply({ doc: stack({ 'nats-1': 'b' }), timeoutMs: 5000 });
    await h.clock.advance(100);
    const result = await pending;
    expect(result.ok).toBe(false);
    if (result.ok || !('failure' in result)) return;
    const { message, lastLines } = result.failure;
    expect(message).toMatch(new RegExp(`^nats-1 \\(pid ${before['nats-1']}\\): reload refused after \\d+ ms`));
    expect(message).toContain(`its config_digest is still ${digest('0')}, the new file's is ${digest('2')}`);
    expect(message).toContain(
      'nats-server keeps its old configuration when a reload fails: [ERR] Failed to reload server configuration: config reload not supported for ServerName',
    );
    expect(message).toContain('(see `core logs nats-1`)');
    expect(lastLines.at(-1)).toContain('Failed to reload');
    expect(pids(h)).toEqual(before);
  });

  it('a reload that fails silently: polled every ~20 ms, it fails after 5 s with both digests; same pid', async () => {
    const { h, servers } = await running({ 'nats-1': 'a' });
    const before = pids(h);
    servers['nats-1']!.file = digest('2');
    servers['nats-1']!.takes = false;
    servers['nats-1']!.says = false;
    const result = await apply(h, stack({ 'nats-1': 'b' }), 6000);
    expect(result.ok).toBe(false);
    if (result.ok || !('failure' in result)) return;
    expect(result.failure.message).toBe(
      `nats-1 (pid ${before['nats-1']}): reload not verified within 5000 ms: its config_digest is still ${digest('0')}, the new file's is ${digest('2')}. ` +
        'nats-server keeps its old configuration when a reload fails (see `core logs nats-1`)',
    );
    expect(pids(h)).toEqual(before);
    expect(servers['nats-1']!.varzCalls).toBeGreaterThan(200);
    expect(servers['nats-1']!.varzCalls).toBeLessThan(260);
  });

  it('several processes reload in parallel', async () => {
    const { h, servers } = await running({ 'nats-1': 'a', 'nats-2': 'a', 'nats-3': 'a' });
    for (const [i, server] of Object.values(servers).entries()) {
      server.file = digest(String(i + 4));
      server.lagMs = 100;
    }
    const result = await apply(h, stack({ 'nats-1': 'b', 'nats-2': 'b', 'nats-3': 'b' }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(
      result.reloaded
        .filter((r) => r.signalled)
        .map((r) => r.name)
        .sort(),
    ).toEqual(['nats-1', 'nats-2', 'nats-3']);
    // One after the other would take 3 × 100 ms.
    for (const r of result.reloaded) expect(r.afterMs).toBeLessThan(200);
    expect(Object.values(servers).map((s) => s.signalledAt)).toEqual(Array(3).fill(Object.values(servers)[0]!.signalledAt));
  });

  it('restarted (a crash) while it was checked: the new run is not signalled (it read the new file; it may not handle SIGHUP yet)', async () => {
    const { h, servers } = await running({ 'nats-1': 'a' });
    const nats = servers['nats-1']!;
    nats.file = digest('5');
    nats.downWhenExited = true;
    nats.onTest = () => h.spawner.last('nats-1').exit(1);
    const first = h.spawner.last('nats-1');
    const desired = stack({ 'nats-1': 'b' });
    desired.processes['nats-1']!.availability = { restart: 'always', backoff_seconds: 1 };
    const result = await apply(h, desired, 3000);
    expect(h.spawner.count('nats-1')).toBe(2);
    expect(result).toMatchObject({ ok: true, reloaded: [{ name: 'nats-1', signalled: false }] });
    expect(first.kills).toEqual([]);
    expect(h.spawner.last('nats-1').kills).toEqual([]);
  });

  it('a stopped process: no check, no signal; it reads the new file when started', async () => {
    const { h, servers } = await running({ 'nats-1': 'a' });
    await h.engine.stopProcess('app');
    const stopping = h.engine.stopProcess('nats-1');
    await h.clock.advance(100);
    await stopping;
    const result = await apply(h, stack({ 'nats-1': 'b' }));
    expect(result).toMatchObject({ ok: true, reloaded: [] });
    expect(servers['nats-1']!.tests).toEqual([]);
    expect(h.spawner.last('nats-1').kills.filter((k) => k.signal === SIGHUP)).toEqual([]);
  });

  it('already on the new config (restarted after the file was written): no signal', async () => {
    const { h, servers } = await running({ 'nats-1': 'a' });
    servers['nats-1']!.file = servers['nats-1']!.running;
    const result = await apply(h, stack({ 'nats-1': 'b' }));
    expect(result).toMatchObject({ ok: true, reloaded: [{ name: 'nats-1', signalled: false }] });
    expect(h.spawner.last('nats-1').kills).toEqual([]);
  });

  it('without verify: the signal alone, reported as not verified', async () => {
    const { h } = await running({ 'nats-1': 'a' }, false);
    const result = await apply(h, stack({ 'nats-1': 'b' }, false));
    expect(result).toMatchObject({ ok: true, reloaded: [{ name: 'nats-1', signalled: true, digest: null }] });
    expect(h.spawner.last('nats-1').kills).toEqual([{ signal: SIGHUP, group: false }]);
  });

  it('a dry run names the reload and sends nothing', async () => {
    const { h, servers } = await running({ 'nats-1': 'a' });
    const pending = h.engine.apply({ doc: stack({ 'nats-1': 'b' }), timeoutMs: 5000, dryRun: true });
    await h.clock.advance(100);
    const result = await pending;
    expect(result.ok && result.diff.processes.find((p) => p.name === 'nats-1')).toMatchObject({ action: 'keep', reload: true });
    expect(servers['nats-1']!.tests).toEqual([]);
    expect(h.spawner.last('nats-1').kills).toEqual([]);
  });
});

describe('reload events in the event log and on the terminal', () => {
  const reloaded = { type: 'reloaded', name: 'nats-1', at: 0, afterMs: 31.4, signalled: true, digest: digest('d') } as const;
  const failed = { type: 'reload-failed', name: 'nats-1', at: 0, message: 'nats-1 (pid 7): reload refused after 3 ms: …' } as const;

  it('records say what happened, with the digest or the reason', () => {
    expect(toRecord(reloaded, 1, { service: 'nats', pid: 7, restarts: 0 })).toMatchObject({
      type: 'reloaded',
      process: 'nats-1',
      service: 'nats',
      pid: 7,
      reason: 'config reloaded in 31 ms',
      message: digest('d'),
    });
    expect(toRecord({ ...reloaded, signalled: false }, 2, undefined)).toMatchObject({ reason: 'already on the new config' });
    expect(toRecord({ ...reloaded, signalled: false, digest: null }, 2, undefined)).toMatchObject({ reason: 'restarting: reads the new config as it starts' });
    expect(toRecord(failed, 3, undefined)).toMatchObject({ reason: 'config reload failed', message: failed.message });
  });

  it('one line each on the terminal', () => {
    expect(describeEvent(reloaded)).toBe(`nats-1 reloaded its config in 31 ms (${digest('d').slice(0, 19)}…)`);
    expect(describeEvent(failed)).toBe(`nats-1 config reload failed: ${failed.message}`);
  });
});
