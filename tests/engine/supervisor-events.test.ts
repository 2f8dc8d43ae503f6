/**
 * The supervisor publishes every event once on its bus, and its journal numbers
 * the state changes among them: seq 1, 2, 3… in the order they happen, each
 * with the phases of its step, its process's service, pid and restarts.
 */
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/engine/index.js';
import { doc, harness, httpProbe } from './fakes.js';

const brief = (r: EventRecord) => `${r.seq} ${r.process} ${r.type} ${r.from}→${r.to}`;

describe('supervisor events', () => {
  it('a start, a restart and a stop yield their records in order, with consecutive seqs', async () => {
    const h = harness(
      doc({
        db: { readiness_probe: httpProbe(5432), 'x-core': { service: 'database' } },
        app: { depends_on: { db: { condition: 'process_healthy' } } },
      }),
    );
    const records: EventRecord[] = [];
    h.engine.journal.subscribe((r) => records.push(r));
    h.engine.start();
    await h.clock.advance(100); // db's fast probes fail: not recorded
    h.prober.up('http:5432');
    await h.clock.advance(100);
    h.spawner.last('app').print('output lines are not state changes');
    h.engine.restart('app');
    await h.clock.advance(0);
    await h.engine.stop();

    expect(records.map(brief)).toEqual([
      '1 db waiting pending→waiting',
      '2 app waiting pending→waiting',
      '3 db starting waiting→starting',
      '4 db started starting→probing',
      '5 db ready probing→ready',
      '6 app starting waiting→starting',
      '7 app started starting→ready',
      '8 app ready starting→ready',
      '9 app stopping ready→stopping',
      '10 app exited stopping→starting',
      '11 app starting stopping→starting',
      '12 app started starting→ready',
      '13 app ready starting→ready',
      '14 app stopping ready→stopping',
      '15 app exited stopping→stopped',
      '16 app stopped stopping→stopped',
      '17 db stopping ready→stopping',
      '18 db exited stopping→stopped',
      '19 db stopped stopping→stopped',
    ]);
    expect(records[1]).toMatchObject({ message: 'waiting for db' });
    expect(records[3]).toMatchObject({ service: 'database', pid: 1000, restarts: 0 });
    expect(records[8]).toMatchObject({ reason: 'restart requested', pid: 1001 });
    expect(records[9]).toMatchObject({ reason: 'SIGTERM', pid: 1001 });
    expect(records[11]).toMatchObject({ pid: 1002, restarts: 1 });
    // What `GET /events?since=` serves is the same, and resumes exactly.
    expect(h.engine.journal.since(0).events).toEqual(records);
    expect(h.engine.journal.since(9).events.map((r) => r.seq)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  });

  it('the bus carries every event, output included, to each subscriber until it unsubscribes', async () => {
    const h = harness(doc({ svc: {} }));
    const seen: string[] = [];
    const unsubscribe = h.engine.subscribe((e) => seen.push(e.type));
    h.engine.start();
    await h.clock.advance(0);
    h.spawner.last('svc').print('hello');
    unsubscribe();
    h.spawner.last('svc').exit(0);
    await h.clock.advance(0);
    expect(seen).toEqual(['waiting', 'starting', 'started', 'ready', 'output']);
    expect(h.of('completed', 'svc')).toHaveLength(1);
  });

  it('a subscriber that throws is reported; the engine and the other subscribers go on', async () => {
    const errors: unknown[] = [];
    const h = harness(doc({ svc: {} }), { onSubscriberError: (e) => errors.push(e) });
    h.engine.subscribe(() => {
      throw new Error('printer bug');
    });
    h.engine.start();
    await h.clock.advance(0);
    expect(h.phase('svc')).toBe('ready');
    expect(h.of('started', 'svc')).toHaveLength(1);
    expect(errors.length).toBeGreaterThan(0);
  });

  it('the journal keeps the last journalCapacity records', async () => {
    const h = harness(doc({ svc: { availability: { restart: 'always', backoff_seconds: 1 } } }), { journalCapacity: 5, openLog: () => ({ write() {}, close() {} }) });
    h.engine.start();
    for (let i = 0; i < 10; i++) {
      await h.clock.advance(0);
      h.spawner.last('svc').exit(1);
      await h.clock.advance(60_000);
    }
    const page = h.engine.journal.since(0);
    expect(page.events).toHaveLength(5);
    expect(page.complete).toBe(false);
    expect(page.events.map((r) => r.seq)).toEqual([page.last - 4, page.last - 3, page.last - 2, page.last - 1, page.last]);
  });
});

describe('events that no runner emits', () => {
  it("an event no runner emits (an apply) is published, numbered and recorded as the whole stack's", async () => {
    const h = harness(doc({ svc: {} }));
    h.engine.start();
    await h.clock.advance(0);
    const last = h.engine.journal.last;
    h.engine.emit({ type: 'apply-finished', name: '', at: h.clock.now(), id: 1, ok: false, afterMs: 12, message: 'api not ready' });
    expect(h.events.at(-1)).toMatchObject({ type: 'apply-finished' });
    expect(h.engine.journal.since(last).events).toEqual([
      expect.objectContaining({ seq: last + 1, type: 'apply-finished', process: null, reason: 'failed', message: 'api not ready' }),
    ]);
  });
});
