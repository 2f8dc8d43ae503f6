/**
 * The dashboard's server module over real HTTP on loopback, in front of a
 * supervisor driven by the fake clock and spawner: the stream's events,
 * resuming, coalescing, the cut-off of a client that does not read, and that
 * nothing listens or samples while no stream is open.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import type { DashboardResources } from '../../src/dashboard/hub.js';
import { helloOf, processesOf } from '../../src/dashboard/views.js';
import type { EngineEvent } from '../../src/engine/index.js';
import type { ResourceReading } from '../../src/observe/resources.js';
import { doc, harness } from '../engine/fakes.js';
import { SseReader } from '../helpers/sse.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** Resources that count who watches and never read /proc. */
class FakeResources implements DashboardResources {
  watchers = 0;
  readonly listeners = new Set<(r: ResourceReading) => void>();
  last = () => undefined;
  read = () => Promise.reject(new Error('not in this test'));
  watch = (listener: (r: ResourceReading) => void) => {
    this.watchers++;
    this.listeners.add(listener);
    return () => {
      this.watchers--;
      this.listeners.delete(listener);
    };
  };
}

async function serve(options: { journalCapacity?: number; processes?: () => never } = {}) {
  const h = harness(doc({ svc: { availability: { restart: 'always', backoff_seconds: 1 } }, web: { depends_on: { svc: { condition: 'process_started' } } } }), {
    ...(options.journalCapacity ? { journalCapacity: options.journalCapacity } : {}),
  });
  // Counts the hub's own subscriptions to the engine (the harness keeps one of its own).
  let subscribed = 0;
  const engine = {
    journal: h.engine.journal,
    logs: (name: string, n?: number) => h.engine.logs(name, n),
    snapshot: () => h.engine.snapshot(),
    subscribe: (listener: (e: EngineEvent) => void) => {
      subscribed++;
      const stop = h.engine.subscribe(listener);
      return () => {
        subscribed--;
        stop();
      };
    },
  };
  const resources = new FakeResources();
  const assetsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-dash-assets-'));
  cleanup.push(() => fs.rmSync(assetsDir, { recursive: true, force: true }));
  const notes: string[] = [];
  const dashboard: Dashboard = await startDashboard({
    engine,
    resources,
    actions: h.engine,
    assetsDir,
    note: (line) => notes.push(line),
    hello: () => helloOf(h.engine.document, { name: 'test', root: '/tmp/test', startedAt: 1 }),
    processes:
      options.processes ??
      (() =>
        processesOf(
          h.engine.snapshot(),
          h.engine.document,
          { svc: { http: { host: '127.0.0.1', port: 4000, protocol: 'http' } } },
          () => undefined,
          (n, l) => h.engine.logs(n, l),
        )),
  });
  cleanup.push(() => dashboard.close());
  const token = new URL(dashboard.url).searchParams.get('token')!;
  const base = `http://127.0.0.1:${dashboard.port}`;
  const stream = async (query = '', headers: Record<string, string> = {}) => {
    const reader = await SseReader.open(`${base}/api/stream?token=${token}${query}`, headers);
    cleanup.push(() => reader.close());
    return reader;
  };
  h.engine.start();
  await h.clock.advance(0);
  return { h, dashboard, token, base, stream, resources, notes, subscribed: () => subscribed, assetsDir };
}

/** Polls a cheap in-memory condition (the server's side of a closed connection) for up to 5 s. */
async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the dashboard stream', () => {
  it('sends hello, processes (with service, ports and depends_on), the recent lines and the kept records on connect', async () => {
    const { h, stream } = await serve();
    h.spawner.last('svc').print('hello from svc');
    const reader = await stream();
    const hello = await reader.next((e) => e.event === 'hello');
    expect(hello.data).toMatchObject({ v: 1, project: 'test', engine: 'builtin', depends_on: { svc: [], web: ['svc'] } });
    const processes = (await reader.next((e) => e.event === 'processes')).data as { name: string; service: string; ports: unknown[]; depends_on: string[] }[];
    expect(processes.map((p) => p.name).sort()).toEqual(['svc', 'web']);
    expect(processes.find((p) => p.name === 'svc')).toMatchObject({ service: 'svc', ports: [{ name: 'http', port: 4000, url: 'http://127.0.0.1:4000/' }] });
    expect(processes.find((p) => p.name === 'web')!.depends_on).toEqual(['svc']);
    const logs = (await reader.next((e) => e.event === 'logs')).data;
    expect(logs).toContainEqual({ name: 'svc', at: null, stream: null, line: 'hello from svc' });
    const records = await reader.next((e) => e.event === 'record' && e.id === String(h.engine.journal.last));
    expect(reader.of('record').map((e) => e.id)).toEqual(Array.from({ length: h.engine.journal.last }, (_, i) => String(i + 1)));
    expect(records.data).toMatchObject({ seq: h.engine.journal.last });
  });

  it('sends new records with their seq as id, output lines as one batch, and a processes list after a crash', async () => {
    const { h, stream } = await serve();
    const reader = await stream();
    await reader.next((e) => e.event === 'processes');
    const from = reader.events.length;
    const pid = h.engine.processState('svc')!.pid;
    h.spawner.last('svc').print('one');
    h.spawner.last('svc').print('two', 'stderr');
    h.spawner.last('svc').exit(3);
    await h.clock.advance(0);
    const exited = await reader.next((e) => e.event === 'record' && (e.data as { type: string }).type === 'exited', 5000, from);
    expect(exited.data).toMatchObject({ process: 'svc', exit_code: 3, pid });
    expect(exited.id).toBe(String((exited.data as { seq: number }).seq));
    const batch = (await reader.next((e) => e.event === 'logs', 5000, from)).data as { name: string; line: string; stream: string; at: number }[];
    expect(batch.map((l) => [l.line, l.stream])).toEqual([
      ['one', 'stdout'],
      ['two', 'stderr'],
    ]);
    expect(typeof batch[0]!.at).toBe('number');
    const after = (await reader.next((e) => e.event === 'processes', 5000, from)).data as { name: string; status: string; exit_code: number; logs_tail?: string[] }[];
    expect(after.find((p) => p.name === 'svc')).toMatchObject({ status: 'Restarting', exit_code: 3, logs_tail: ['one', 'two'] });
  });

  it('coalesces a burst of state changes into one processes event', async () => {
    const { h, stream } = await serve();
    const reader = await stream();
    await reader.next((e) => e.event === 'processes');
    const from = reader.events.length;
    // Ten crashes and restarts in one burst: dozens of state changes.
    const began = Date.now();
    for (let i = 0; i < 10; i++) {
      h.spawner.last('svc').exit(1);
      await h.clock.advance(120_000);
    }
    expect(h.engine.processState('svc')!.restarts).toBe(10);
    const seq = h.engine.journal.last;
    await reader.next((e) => e.event === 'record' && e.id === String(seq), 5000, from);
    await reader.next((e) => e.event === 'processes', 5000, from);
    const burstMs = Date.now() - began;
    // At most one list per 100 ms window (PROCESSES_MS) over the burst, and one after it.
    expect(reader.events.slice(from).filter((e) => e.event === 'processes').length).toBeLessThanOrEqual(Math.ceil(burstMs / 100) + 1);
    expect(reader.events.slice(from).filter((e) => e.event === 'record').length).toBeGreaterThan(30);
  });

  it('resumes after Last-Event-ID (or ?since=) with the later records only', async () => {
    const { h, stream } = await serve();
    const last = h.engine.journal.last;
    expect(last).toBeGreaterThan(3);
    const byHeader = await stream('', { 'last-event-id': '2' });
    await byHeader.next((e) => e.event === 'record' && e.id === String(last));
    expect(byHeader.of('record').map((e) => Number(e.id))).toEqual(Array.from({ length: last - 2 }, (_, i) => i + 3));
    expect(byHeader.of('reset')).toEqual([]);
    const byQuery = await stream('&since=3');
    await byQuery.next((e) => e.event === 'record' && e.id === String(last));
    expect(byQuery.of('record')[0]!.id).toBe('4');
  });

  it('says reset when the records after Last-Event-ID are no longer kept, then sends what is kept', async () => {
    const { h, stream } = await serve({ journalCapacity: 4 });
    for (let i = 0; i < 3; i++) {
      h.spawner.last('svc').exit(1);
      await h.clock.advance(1000);
    }
    const last = h.engine.journal.last;
    const reader = await stream('', { 'last-event-id': '1' });
    const reset = await reader.next((e) => e.event === 'reset');
    expect(reset.data).toEqual({ oldest_seq: last - 3, last_seq: last });
    await reader.next((e) => e.event === 'record' && e.id === String(last));
    expect(reader.of('record').map((e) => Number(e.id))).toEqual([last - 3, last - 2, last - 1, last]);
    // The reset comes before the records it explains.
    expect(reader.events.findIndex((e) => e.event === 'reset')).toBeLessThan(reader.events.findIndex((e) => e.event === 'record'));
  });

  it('refuses a Last-Event-ID that is not a seq', async () => {
    const { base, token } = await serve();
    const response = await fetch(`${base}/api/stream?token=${token}`, { headers: { 'last-event-id': 'abc' } });
    expect(response.status).toBe(400);
  });

  it('sends resources readings to every open stream while watched', async () => {
    const { stream, resources } = await serve();
    const reader = await stream();
    await reader.next((e) => e.event === 'processes');
    const reading: ResourceReading = { at: Date.now(), window_ms: 2000, processes: {}, supervisor: { cpu: 0, cpu_seconds_total: 1, rss_bytes: 1, processes: 1 } };
    for (const listener of resources.listeners) listener(reading);
    expect((await reader.next((e) => e.event === 'resources')).data).toEqual(reading);
  });
});

describe('with no dashboard open nothing runs', () => {
  it('subscribes to the engine and watches resources only while a stream is open', async () => {
    const { stream, resources, subscribed, dashboard, h } = await serve();
    const followersBefore = h.engine.journal.subscribers;
    expect([subscribed(), resources.watchers, dashboard.streams()]).toEqual([0, 0, 0]);
    const one = await stream();
    const two = await stream();
    await two.next((e) => e.event === 'processes');
    expect([subscribed(), resources.watchers, dashboard.streams()]).toEqual([1, 1, 2]);
    expect(h.engine.journal.subscribers).toBe(followersBefore + 2);
    one.close();
    await until('the first stream to close', () => dashboard.streams() === 1);
    expect([subscribed(), resources.watchers]).toEqual([1, 1]);
    two.close();
    await until('the last stream to close', () => dashboard.streams() === 0);
    expect([subscribed(), resources.watchers]).toEqual([0, 0]);
    expect(h.engine.journal.subscribers).toBe(followersBefore);
  });

  it('cuts off a client that does not read, and then stops listening', async () => {
    const { h, dashboard, token, subscribed, resources } = await serve();
    // A raw client that sends the request and never reads the answer.
    const socket = net.connect(dashboard.port, '127.0.0.1');
    cleanup.push(() => void socket.destroy());
    socket.on('error', () => {});
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.pause();
    socket.write(`GET /api/stream?token=${token} HTTP/1.1\r\nHost: 127.0.0.1:${dashboard.port}\r\n\r\n`);
    await until('the stream to open', () => dashboard.streams() === 1);
    const line = 'x'.repeat(16 * 1024);
    // 16 KiB lines, 64 per batch: the socket's buffers fill, then the 2 MiB limit is passed.
    for (let i = 0; i < 200 && dashboard.streams() > 0; i++) {
      for (let j = 0; j < 64; j++) h.spawner.last('svc').print(line);
      await new Promise((resolve) => setTimeout(resolve, 110));
    }
    expect(dashboard.streams()).toBe(0);
    expect([subscribed(), resources.watchers]).toEqual([0, 0]);
  });
});

describe('a bug in the dashboard', () => {
  it('answers 500 and leaves nothing subscribed', async () => {
    const { base, token, subscribed, dashboard, notes } = await serve({
      processes: () => {
        throw new Error('boom');
      },
    });
    const response = await fetch(`${base}/api/stream?token=${token}`);
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('boom');
    expect([subscribed(), dashboard.streams()]).toEqual([0, 0]);
    expect(notes.join('\n')).toContain('boom');
  });
});
