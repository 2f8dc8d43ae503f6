/**
 * Issue 15, part 4: the hosts' view without NATS. A supervisor's snapshot and
 * its check on arrival, the publisher's coalescing and heartbeat on a fake
 * clock, the gathering's verdict per host (an unanswered host is unreachable,
 * never shown with old states), the table, and which node a host talks to.
 */
import { describe, expect, it } from 'vitest';
import { allHostsLines } from '../../src/cli/commands/status-all-hosts.js';
import type { EngineEvent } from '../../src/engine/index.js';
import type { ProcessState } from '../../src/engine/snapshot.js';
import { Gathering } from '../../src/hosts/view/gather.js';
import { localNats } from '../../src/hosts/view/local-nats.js';
import { startHostView } from '../../src/hosts/view/start.js';
import { changesStatus, StatusPublisher, type StatusLink } from '../../src/hosts/view/publisher.js';
import { COALESCE_MS, HEARTBEAT_MS, parseSnapshot, snapshotOf, type HostSnapshot } from '../../src/hosts/view/snapshot.js';
import type { PlannedService } from '../../src/plan/types.js';
import { FakeClock, T0 } from '../engine/fakes.js';
import { processState } from '../helpers/process-state.js';

const HERE = { host: 'iad-1', region: 'iad', address: '10.0.0.1' };

const state = (name: string, over: Partial<ProcessState> = {}): ProcessState => processState(name, { system_time: '5s', age: 5e9, pid: 4242, ...over });

const snapshot = (host: string, seq = 1, time = '2026-01-01T00:00:00.000Z'): HostSnapshot => ({
  version: 1,
  host,
  region: 'iad',
  address: `10.0.0.${host.slice(-1)}`,
  seq,
  time,
  processes: [],
});

describe('snapshot', () => {
  it('has the status fields and nothing a process was started with', () => {
    const s = snapshotOf(
      HERE,
      [state('nats-hub-1'), state('job', { status: 'Completed', is_running: false, exit_code: 3, pid: 99, is_ready: '-', has_ready_probe: false, phase: 'completed' })],
      (name) => (name.startsWith('nats') ? 'nats' : name),
      7,
      T0,
    );
    expect(s).toEqual({
      version: 1,
      ...HERE,
      seq: 7,
      time: '2026-01-01T00:00:00.000Z',
      processes: [
        {
          name: 'nats-hub-1',
          service: 'nats',
          status: 'Running',
          health: 'healthy',
          ready: true,
          restarts: 0,
          pid: 4242,
          uptime_seconds: 5,
          exit_code: null,
          last_probe_error: null,
          reason: null,
        },
        {
          name: 'job',
          service: 'job',
          status: 'Completed',
          health: '-',
          ready: false,
          restarts: 0,
          pid: null,
          uptime_seconds: null,
          exit_code: 3,
          last_probe_error: null,
          reason: null,
        },
      ],
    });
    expect(parseSnapshot(JSON.stringify(s))).toEqual(s);
  });

  it('a reader takes only what it can vouch for: the known fields of version 1', () => {
    const s = snapshotOf(HERE, [state('web')], (n) => n, 1, T0);
    const extra = JSON.parse(JSON.stringify(s));
    extra.processes[0].env = { SECRET: 'x' };
    extra.token = 'y';
    expect(parseSnapshot(JSON.stringify(extra))).toEqual(s);
    expect(parseSnapshot(JSON.stringify({ ...s, version: 2 }))).toBeUndefined();
    expect(parseSnapshot(JSON.stringify({ ...s, processes: [{ ...s.processes[0], pid: 'x' }] }))).toBeUndefined();
    expect(parseSnapshot('not json')).toBeUndefined();
    expect(parseSnapshot('null')).toBeUndefined();
  });
});

/** A source the test drives: its states and its events. */
function fakeSource(states: ProcessState[]) {
  const listeners = new Set<(event: EngineEvent) => void>();
  return {
    states,
    snapshot: () => states,
    subscribe(listener: (event: EngineEvent) => void) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    emit(event: EngineEvent) {
      for (const l of listeners) l(event);
    },
    get listeners() {
      return listeners.size;
    },
  };
}

function fakeLink() {
  const sent: { subject: string; at: number; snapshot: HostSnapshot }[] = [];
  let closed = false;
  return {
    sent,
    get closed() {
      return closed;
    },
    link(clock: FakeClock): StatusLink {
      return {
        publish: (subject, payload) => sent.push({ subject, at: clock.elapsed, snapshot: JSON.parse(payload) }),
        close: async () => void (closed = true),
      };
    },
  };
}

const event = (type: string, over: object = {}) => ({ type, name: 'web', at: T0, from: 'probing', to: 'ready', ...over }) as unknown as EngineEvent;

describe('publisher', () => {
  it('publishes at once, then a heartbeat every second, on the host subject, counted', async () => {
    const clock = new FakeClock();
    const link = fakeLink();
    const publisher = new StatusPublisher({ here: HERE, source: fakeSource([state('web')]), serviceOf: (n) => n, clock }, link.link(clock));
    await clock.advance(3 * HEARTBEAT_MS);
    expect(link.sent.map((s) => [s.subject, s.at, s.snapshot.seq])).toEqual([
      ['core.hosts.iad-1.status', 0, 1],
      ['core.hosts.iad-1.status', 1000, 2],
      ['core.hosts.iad-1.status', 2000, 3],
      ['core.hosts.iad-1.status', 3000, 4],
    ]);
    await publisher.close();
  });

  it('a burst of state changes goes out as one snapshot, COALESCE_MS after its first; the heartbeat counts from there', async () => {
    const clock = new FakeClock();
    const link = fakeLink();
    const source = fakeSource([state('web', { phase: 'starting', status: 'Launching' })]);
    const publisher = new StatusPublisher({ here: HERE, source, serviceOf: (n) => n, clock }, link.link(clock));
    await clock.advance(300);
    source.emit(event('starting', { from: 'waiting', to: 'starting' }));
    source.emit(event('started', { from: 'starting', to: 'probing', pid: 4242 }));
    source.states[0] = state('web');
    source.emit(event('ready', { afterMs: 12, by: 'probe' }));
    await clock.advance(COALESCE_MS - 1);
    expect(link.sent.length).toBe(1);
    await clock.advance(1);
    expect(link.sent.map((s) => [s.at, s.snapshot.processes[0]!.status])).toEqual([
      [0, 'Launching'],
      [300 + COALESCE_MS, 'Running'],
    ]);
    await clock.advance(HEARTBEAT_MS);
    expect(link.sent.map((s) => s.at)).toEqual([0, 350, 1350]);
    await publisher.close();
  });

  it('output, a probe that keeps the phase and the controller are no reason to publish before the heartbeat', () => {
    expect(changesStatus({ type: 'output', name: 'web', at: T0, line: 'x', stream: 'stdout' })).toBe(false);
    expect(changesStatus(event('probe', { probe: 'readiness', ok: false, failures: 1, from: 'probing', to: 'probing' }))).toBe(false);
    expect(changesStatus(event('probe', { probe: 'liveness', ok: false, failures: 3, from: 'ready', to: 'stopping' }))).toBe(true);
    expect(changesStatus(event('exited', { code: 1, signal: null, success: false, from: 'ready', to: 'backing-off' }))).toBe(true);
    expect(changesStatus({ type: 'controller', name: '', at: T0, ok: true, reason: 'r', message: 'm' })).toBe(false);
  });

  it('an answer is a fresh snapshot; closed, it leaves no timer, no subscription, and closes its link', async () => {
    const clock = new FakeClock();
    const link = fakeLink();
    const source = fakeSource([state('web')]);
    const publisher = new StatusPublisher({ here: HERE, source, serviceOf: (n) => n, clock }, link.link(clock));
    await clock.advance(500);
    expect(publisher.snapshot().seq).toBe(2);
    source.emit(event('exited', { code: 1, signal: null, success: false }));
    await publisher.close();
    expect(clock.pendingDelays()).toEqual([]);
    expect(source.listeners).toBe(0);
    expect(link.closed).toBe(true);
    await clock.advance(5000);
    expect(link.sent.length).toBe(1);
  });
});

describe('gathering', () => {
  const expected = [
    { host: 'c', region: 'iad', address: '10.0.0.3', nats: true },
    { host: 'a', region: 'iad', address: '10.0.0.1', nats: true },
    { host: 'b', region: 'iad', address: '10.0.0.2', nats: true },
    { host: 'edge', region: 'syd', address: '10.0.9.1', nats: false },
  ];

  it('is complete once every host that runs a NATS node answered', () => {
    const g = new Gathering(expected);
    g.answer(snapshot('a'));
    g.answer(snapshot('b'));
    expect(g.complete).toBe(false);
    g.heartbeat(snapshot('c'));
    expect(g.complete).toBe(false); // a heartbeat is no answer
    g.answer(snapshot('c'));
    expect(g.complete).toBe(true);
  });

  it('a host that did not answer is unreachable, with the time of a heartbeat seen meanwhile and none of its states', () => {
    const g = new Gathering(expected);
    g.answer({ ...snapshot('a', 4), processes: [snapshotOf(HERE, [state('nats-1')], (n) => n, 1, T0).processes[0]!] });
    g.heartbeat({ ...snapshot('b', 9, '2026-01-01T00:00:01.000Z'), processes: [snapshotOf(HERE, [state('nats-2')], (n) => n, 1, T0).processes[0]!] });
    g.heartbeat(snapshot('b', 10, '2026-01-01T00:00:02.000Z'));
    const reports = g.reports(2000);
    expect(reports.map((r) => [r.host, r.reachable, r.reachable ? r.processes.length : [r.last_seen, r.why]])).toEqual([
      ['a', true, 1],
      ['b', false, ['2026-01-01T00:00:02.000Z', 'no answer in 2.0 s']],
      ['c', false, [null, 'no answer in 2.0 s']],
      ['edge', false, [null, 'runs no NATS node: it cannot report']],
    ]);
    expect(reports[1]).not.toHaveProperty('processes');
  });

  it('keeps the last answer of a host, and lists a host the file here does not name after the others', () => {
    const g = new Gathering(expected);
    g.answer(snapshot('a', 5));
    g.answer(snapshot('a', 0)); // started again: counts from 0
    g.answer(snapshot('zz', 1));
    const reports = g.reports(1000);
    expect(reports.map((r) => [r.host, r.reachable, r.reachable ? [r.seq, r.unknown ?? false] : null])).toEqual([
      ['a', true, [0, false]],
      ['b', false, null],
      ['c', false, null],
      ['edge', false, null],
      ['zz', true, [1, true]],
    ]);
  });
});

describe('the --all-hosts table', () => {
  it('one row per process with its host and region; an unreachable host is one row that says so', () => {
    const g = new Gathering([
      { host: 'a', region: 'iad', address: '10.0.0.1', nats: true },
      { host: 'b', region: 'lhr', address: '10.0.0.2', nats: true },
    ]);
    g.answer({ ...snapshot('a'), processes: snapshotOf(HERE, [state('nats-hub-1', { pid: 11 }), state('caddy', { pid: 12 })], (n) => n, 1, T0).processes });
    g.heartbeat(snapshot('b', 3, '2026-01-01T00:00:04.000Z'));
    expect(allHostsLines(g.reports(2000))).toEqual([
      'HOST  REGION  NAME        STATUS                                                      HEALTH   PID  RESTARTS  UPTIME  LAST PROBE ERROR',
      'a     iad     nats-hub-1  Running                                                     healthy  11   0         5s',
      'a     iad     caddy       Running                                                     healthy  12   0         5s',
      'b     lhr     -           unreachable (no answer in 2.0 s; last heartbeat 00:00:04Z)  -        -    -         -',
    ]);
  });
});

describe('the node a host talks to', () => {
  const nats = (name: string, host: string, port: number, over: Partial<PlannedService> = {}) =>
    ({ name, service: 'nats', renderer: 'nats', ports: { client: { port, protocol: 'nats', host } }, config: {}, env: {}, secretEnv: [], ...over }) as unknown as PlannedService;

  it("this host's NATS processes on their client ports, with the service's credentials when it asks for them", () => {
    expect(localNats({ services: [{ name: 'caddy', renderer: 'caddy', ports: {} } as unknown as PlannedService] })).toBeUndefined();
    expect(localNats({ services: [nats('nats-hub-1', '10.0.0.1', 4222), nats('nats-hub-4', '10.0.0.1', 4225)] })).toEqual({
      names: ['nats-hub-1', 'nats-hub-4'],
      servers: ['nats://10.0.0.1:4222', 'nats://10.0.0.1:4225'],
    });
    const auth = { config: { auth: 'user-password' }, env: { CORE_NATS_AUTH_PASSWORD: 'pw' }, secretEnv: ['CORE_NATS_AUTH_PASSWORD'] };
    expect(localNats({ services: [nats('nats', '::1', 4222, auth)] })).toEqual({ names: ['nats'], servers: ['nats://[::1]:4222'], user: 'core', pass: 'pw' });
  });
});

describe('a host with no NATS node', () => {
  it('starts nothing (no timer, no connection), and says why only when the stack has NATS elsewhere', () => {
    const clock = new FakeClock();
    const notes: string[] = [];
    const caddy = { name: 'caddy', renderer: 'caddy', ports: {} } as unknown as PlannedService;
    const hub = { name: 'nats-hub-1', renderer: 'nats', ports: {} } as unknown as PlannedService;
    const source = fakeSource([state('caddy')]);
    const start = (all: PlannedService[]) => startHostView({ here: HERE, plan: { services: [caddy], all }, source, serviceOf: (n) => n, note: (line) => notes.push(line), clock });
    expect(start([caddy])).toBeUndefined();
    expect(notes).toEqual([]);
    expect(start([hub, caddy])).toBeUndefined();
    expect(notes).toEqual(["hosts' view: host iad-1 runs no NATS node, so it cannot report its processes to the other hosts"]);
    expect(clock.pendingDelays()).toEqual([]);
    expect(source.listeners).toBe(0);
  });
});
