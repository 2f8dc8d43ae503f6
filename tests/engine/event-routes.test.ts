/**
 * The event routes of the control socket, served by a real server on a unix
 * socket in front of a supervisor driven by the fake clock and spawner.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ControlClient, ControlError } from '../../src/control/client.js';
import { startControlServer, type ControlServer } from '../../src/control/server.js';
import type { EventRecord } from '../../src/engine/index.js';
import { doc, harness } from './fakes.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function serve(journalCapacity?: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-events-'));
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const h = harness(doc({ svc: { availability: { restart: 'always', backoff_seconds: 1 } } }), journalCapacity ? { journalCapacity } : {});
  const socket = path.join(dir, 'core.sock');
  const server: ControlServer = await startControlServer(socket, h.engine, { onProjectStop: () => {} });
  let closed = false;
  const close = async () => {
    if (!closed) await server.close();
    closed = true;
  };
  cleanup.push(close);
  // One crash: waiting, starting, started, ready, exited, restart-scheduled (6 records).
  h.engine.start();
  await h.clock.advance(0);
  h.spawner.last('svc').exit(1);
  await h.clock.advance(0);
  return { h, client: new ControlClient(socket), close };
}

/** Resolves once `n` records have come. */
function collector() {
  const got: EventRecord[] = [];
  let want = 0;
  let done = () => {};
  return {
    got,
    onRecord: (r: EventRecord) => {
      got.push(r);
      if (got.length >= want) done();
    },
    /** Fails after `ms` rather than at the test's timeout. */
    until: (n: number, ms = 5000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${got.length} of ${n} records within ${ms} ms`)), ms);
        want = n;
        done = () => (clearTimeout(timer), resolve());
        if (got.length >= n) done();
      }),
  };
}

describe('GET /events', () => {
  it('answers the kept records after since, with the oldest and last seq', async () => {
    const { client } = await serve();
    const all = await client.events();
    expect(all.events.map((r) => r.type)).toEqual(['waiting', 'starting', 'started', 'ready', 'exited', 'restart-scheduled']);
    expect(all).toMatchObject({ v: 1, oldest_seq: 1, last_seq: 6 });
    expect((await client.events(4)).events.map((r) => r.seq)).toEqual([5, 6]);
  });

  it('refuses a since that is not a whole number (400)', async () => {
    const { client } = await serve();
    const error = await (client as unknown as { request(m: string, p: string): Promise<unknown> }).request('GET', '/events?since=-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ControlError);
    expect(error).toMatchObject({ status: 400 });
  });
});

describe('GET /events/follow', () => {
  it('streams the kept records after since, then new ones live, while other requests are answered', async () => {
    const { h, client } = await serve();
    const c = collector();
    const following = client.followEvents(3, c.onRecord);
    await c.until(3);
    expect(c.got.map((r) => r.seq)).toEqual([4, 5, 6]);
    // The stream does not hold up the socket.
    expect(await client.live()).toEqual({ status: 'alive' });
    await h.clock.advance(1000); // the restart: starting, started, ready
    await c.until(6);
    expect(c.got.map((r) => r.seq)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(c.got.slice(3).map((r) => r.type)).toEqual(['starting', 'started', 'ready']);
    void following;
  });

  it('ends cleanly when the supervisor stops, after its last events', async () => {
    const { h, client, close } = await serve();
    const c = collector();
    const following = client.followEvents(5, c.onRecord);
    await c.until(1); // following now
    await h.clock.advance(1000);
    await h.engine.stop();
    await close();
    expect(await following).toEqual({ kind: 'ended' });
    expect(c.got.map((r) => r.type)).toEqual(['restart-scheduled', 'starting', 'started', 'ready', 'stopping', 'exited', 'stopped']);
    expect(c.got.map((r) => r.seq)).toEqual([6, 7, 8, 9, 10, 11, 12]);
  });

  it('unsubscribes a follower whose client went away', async () => {
    const { h, client } = await serve();
    const before = h.engine.journal.subscribers;
    const abort = new AbortController();
    const c = collector();
    const following = client.followEvents(0, c.onRecord, abort.signal);
    await c.until(6);
    expect(h.engine.journal.subscribers).toBe(before + 1);
    abort.abort();
    expect(await following).toEqual({ kind: 'aborted' });
    for (let i = 0; i < 100 && h.engine.journal.subscribers > before; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(h.engine.journal.subscribers).toBe(before);
  });

  it('answers 410 with oldest_seq when since is older than the supervisor keeps', async () => {
    const { client } = await serve(3);
    const error = await client.followEvents(1, () => {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 410, body: { oldest_seq: 4, last_seq: 6 } });
    expect((error as Error).message).toContain('events after 1 up to 3 are no longer kept');
  });
});

describe('GET /events/follow and memory', () => {
  const big = (i: number) => ({ type: 'bulk-test', at: 0, message: `${i} ${'x'.repeat(1000)}` }) as never;

  it('a backlog larger than the live limit reaches a reading client whole', async () => {
    const { h, client } = await serve(5000);
    for (let i = 0; i < 3000; i++) h.engine.emit(big(i)); // ~3 MB kept
    const c = collector();
    void client.followEvents(0, c.onRecord);
    await c.until(h.engine.journal.last);
    expect(c.got.map((r) => r.seq)).toEqual(Array.from({ length: 3006 }, (_, i) => i + 1));
  });

  it('a follower that stops reading is cut off once it is 1 MiB behind; the supervisor goes on', async () => {
    const { h, client } = await serve();
    const before = h.engine.journal.subscribers;
    const c = collector();
    // Read the first record, then never again.
    const http = await import('node:http');
    const request = http.request({ socketPath: client.socket, path: '/events/follow?since=5' }, (response) => {
      response.once('data', () => {
        response.pause();
        c.onRecord({} as EventRecord);
      });
    });
    request.on('error', () => {});
    request.end();
    cleanup.push(() => void request.destroy());
    await c.until(1);
    expect(h.engine.journal.subscribers).toBe(before + 1);
    for (let i = 0; i < 20 && h.engine.journal.subscribers > before; i++) {
      for (let j = 0; j < 500; j++) h.engine.emit(big(j)); // 0.5 MB a turn
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(h.engine.journal.subscribers).toBe(before);
    expect(await client.live()).toEqual({ status: 'alive' });
  });
});
