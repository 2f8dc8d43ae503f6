/**
 * `x-core.alerts`: an output line that contains an alert's `match` emits an
 * `alert` event, once per message per run (a retry loop logging the same line
 * every second does not flood), again in the next run; `core status` has the
 * last one. The journal records it.
 */
import { describe, expect, it } from 'vitest';
import type { EngineEvent, EventRecord } from '../../src/engine/index.js';
import { doc, harness } from './fakes.js';

const ROUTES = 'route refused: check CORE_NATS_CLUSTER_PASSWORD on every host';

describe('alerts', () => {
  it('once per message per run, again after a restart; the last one in the process state and the journal', async () => {
    const alerts = [
      { match: "Route Error 'Authorization Violation'", message: ROUTES },
      { match: 'authentication error - User "core"', message: ROUTES },
      { match: 'Leafnode connection closed: Authentication Failure', message: 'leaf connection refused' },
    ];
    const events: EngineEvent[] = [];
    const h = harness(doc({ nats: { 'x-core': { service: 'nats', alerts } } }), { onEvent: (e) => events.push(e) });
    const records: EventRecord[] = [];
    h.engine.journal.subscribe((r) => records.push(r));
    h.engine.start();
    await h.clock.advance(0);
    expect(h.engine.processState('nats')?.last_alert).toBeUndefined();
    const child = h.spawner.last('nats');
    child.print('[1] [INF] Route connection created');
    for (let i = 0; i < 3; i++) child.print("[1] [ERR] 10.0.0.2:6223 - rid:5 - Route Error 'Authorization Violation'");
    child.print('[1] [ERR] 10.0.0.3:51000 - rid:6 - authentication error - User "core"');
    const alerted = () => events.filter((e): e is EngineEvent & { type: 'alert' } => e.type === 'alert');
    expect(alerted().map((e) => [e.name, e.message, e.line])).toEqual([['nats', ROUTES, "[1] [ERR] 10.0.0.2:6223 - rid:5 - Route Error 'Authorization Violation'"]]);
    child.print('[1] [INF] 10.0.1.1:7000 - lid:3 - Leafnode connection closed: Authentication Failure');
    expect(alerted().map((e) => e.message)).toEqual([ROUTES, 'leaf connection refused']);
    expect(h.engine.processState('nats')?.last_alert).toBe('leaf connection refused');

    h.engine.restart('nats');
    await h.clock.advance(0);
    h.spawner.last('nats').print("Route Error 'Authorization Violation'");
    expect(alerted().map((e) => e.message)).toEqual([ROUTES, 'leaf connection refused', ROUTES]);
    expect(h.engine.processState('nats')?.last_alert).toBe(ROUTES);
    expect(records.filter((r) => r.type === 'alert').map((r) => [r.process, r.reason, r.message])).toEqual([
      ['nats', ROUTES, "[1] [ERR] 10.0.0.2:6223 - rid:5 - Route Error 'Authorization Violation'"],
      ['nats', 'leaf connection refused', '[1] [INF] 10.0.1.1:7000 - lid:3 - Leafnode connection closed: Authentication Failure'],
      ['nats', ROUTES, "Route Error 'Authorization Violation'"],
    ]);
    await h.engine.stop();
  });

  it('without alerts, output is only output', async () => {
    const events: EngineEvent[] = [];
    const h = harness(doc({ app: {} }), { onEvent: (e) => events.push(e) });
    h.engine.start();
    await h.clock.advance(0);
    h.spawner.last('app').print("Route Error 'Authorization Violation'");
    expect(events.some((e) => e.type === 'alert')).toBe(false);
    await h.engine.stop();
  });
});
