/**
 * The dashboard page's pure parts (src/dashboard/ui/*.ts), in node: how stream
 * events change its state, the log caps, search and copy, the problems panel's
 * choice and the waterfall's critical path. The page itself runs in Chromium
 * in dashboard.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { filterLines, highlight, plainText } from '../../src/dashboard/ui/log-filter.js';
import { problems } from '../../src/dashboard/ui/problems.js';
import { applyHello, applyLogs, applyProcesses, applyRecord, applyReset, byService, initialState, LOG_CAP, uptimeMs } from '../../src/dashboard/ui/store.js';
import type { EventRec, Hello, Proc } from '../../src/dashboard/ui/types.js';
import { criticalPath, waterfall } from '../../src/dashboard/ui/waterfall.js';

const hello = (started_at = 1000): Hello => ({
  v: 1,
  project: 'p',
  root: '/p',
  engine: 'builtin',
  started_at,
  depends_on: { nats: [], pocketbase: ['nats'], caddy: ['pocketbase'], app: ['nats'] },
});
const proc = (name: string, extra: Partial<Proc> = {}): Proc => ({
  name,
  service: name,
  status: 'Running',
  phase: 'ready',
  is_ready: 'Ready',
  restarts: 0,
  exit_code: 0,
  pid: 10,
  is_running: true,
  ...extra,
});
const record = (seq: number): EventRec => ({
  v: 1,
  seq,
  time: new Date(seq).toISOString(),
  type: 'ready',
  process: 'nats',
  service: 'nats',
  from: null,
  to: null,
  reason: null,
  exit_code: null,
  pid: null,
  restarts: null,
  message: null,
});

describe('the page state', () => {
  it('keeps at most LOG_CAP lines of a chatty process, the newest', () => {
    const state = initialState();
    const many = Array.from({ length: LOG_CAP * 2 }, (_, i) => ({ name: 'chatty', at: null, stream: 'stdout', line: `line ${i}` }));
    applyLogs(state, many);
    const kept = state.logs.get('chatty')!;
    expect(kept.length).toBeLessThanOrEqual(LOG_CAP + LOG_CAP / 16);
    expect(kept.at(-1)!.line).toBe(`line ${LOG_CAP * 2 - 1}`);
    expect(state.merged.at(-1)!.line).toBe(`line ${LOG_CAP * 2 - 1}`);
  });

  it('shows records newest first and skips the ones a resumed stream replays', () => {
    const state = initialState();
    applyHello(state, hello());
    for (const seq of [1, 2, 3]) applyRecord(state, record(seq));
    applyHello(state, hello()); // the same supervisor: a reconnect
    for (const seq of [2, 3, 4]) applyRecord(state, record(seq));
    expect(state.records.map((r) => r.seq)).toEqual([4, 3, 2, 1]);
    applyReset(state);
    expect(state.records).toEqual([]);
    expect(state.missedRecords).toBe(true);
  });

  it('starts a new event log for a new supervisor, and replaces the logs on every hello (the server sends them again)', () => {
    const state = initialState();
    applyHello(state, hello(1000));
    applyRecord(state, record(7));
    applyLogs(state, [{ name: 'nats', at: 5, stream: 'stdout', line: 'old' }]);
    applyHello(state, hello(2000));
    expect(state.records).toEqual([]);
    expect(state.logs.size).toBe(0);
    expect(state.merged).toEqual([]);
  });

  it('leaves out a malformed process entry instead of failing on it', () => {
    const state = initialState();
    applyProcesses(state, [null, { name: 'x' }, proc('nats')] as unknown as Proc[], 0);
    expect(state.processes.map((p) => p.name)).toEqual(['nats']);
  });

  it('ticks uptime from the age the server sent and the time since', () => {
    const state = initialState();
    const p = proc('nats', { age: 5_000 * 1e6 });
    applyProcesses(state, [p], 100_000);
    expect(uptimeMs(state, p, 103_000)).toBe(8_000);
    expect(uptimeMs(state, proc('x', { is_running: false }), 103_000)).toBeUndefined();
  });

  it('groups processes by service, in the order they started, then the server order', () => {
    const groups = byService([
      proc('api-1', { service: 'api', first_started_at: 30 }),
      proc('idle'),
      proc('nats', { first_started_at: 10 }),
      proc('api-2', { service: 'api', first_started_at: 20 }),
      proc('later'),
    ]);
    expect(groups.map((g) => [g.service, g.processes.map((p) => p.name)])).toEqual([
      ['nats', ['nats']],
      ['api', ['api-1', 'api-2']],
      ['idle', ['idle']],
      ['later', ['later']],
    ]);
  });
});

describe('logs: search and copy', () => {
  const state = initialState();
  applyLogs(state, [
    { name: 'a', at: 1, stream: 'stdout', line: 'Hello World' },
    { name: 'b', at: 2, stream: 'stderr', line: 'nothing (here)' },
    { name: 'a', at: 3, stream: 'stdout', line: 'world again, WORLD' },
  ]);

  it('filters case-insensitively, by plain text (no regular expression)', () => {
    expect(filterLines(state.merged, 'world').map((l) => l.line)).toEqual(['Hello World', 'world again, WORLD']);
    expect(filterLines(state.merged, '(here)').map((l) => l.line)).toEqual(['nothing (here)']);
    expect(filterLines(state.merged, '  ')).toHaveLength(3);
  });

  it('highlights every match', () => {
    expect(highlight('world again, WORLD', 'world')).toEqual([
      { text: 'world', hit: true },
      { text: ' again, ', hit: false },
      { text: 'WORLD', hit: true },
    ]);
  });

  it('copies plain lines, with the process name only in the merged view', () => {
    expect(plainText(state.logs.get('a')!, false)).toBe('Hello World\nworld again, WORLD');
    expect(plainText(state.merged.slice(0, 2), true)).toBe('a | Hello World\nb | nothing (here)');
  });
});

describe('the problems panel', () => {
  it('lists failed, restarting and non-zero exits first, not a stop the user asked for', () => {
    const list = problems([
      proc('ok'),
      proc('stopped', { status: 'Completed', phase: 'stopped', exit_code: -1, is_running: false }),
      proc('done', { status: 'Completed', phase: 'completed', exit_code: 0, is_running: false }),
      proc('crashed', { status: 'Completed', phase: 'completed', exit_code: 3, is_running: false }),
      proc('skipped', { status: 'Skipped', phase: 'skipped', is_running: false }),
      proc('back-off', { status: 'Restarting', phase: 'backing-off', exit_code: -1, is_running: false }),
      proc('failed', { status: 'Error', phase: 'failed', exit_code: 1, is_running: false }),
    ]);
    expect(list.map((p) => p.proc.name)).toEqual(['failed', 'back-off', 'crashed', 'skipped']);
  });
});

describe('the start-up waterfall', () => {
  it('follows the dependency that became ready last, back to the root', () => {
    const ready = new Map([
      ['nats', 200],
      ['app', 900],
      ['pocketbase', 600],
      ['caddy', 800],
    ]);
    // app ends last; it needs nats only.
    expect(criticalPath(ready, hello().depends_on)).toEqual(['nats', 'app']);
    ready.set('caddy', 1200);
    expect(criticalPath(ready, hello().depends_on)).toEqual(['nats', 'pocketbase', 'caddy']);
  });

  it('places bars relative to the stack start and marks the critical ones; a process not ready yet runs to now', () => {
    const w = waterfall(
      [
        proc('nats', { first_started_at: 1010, first_ready_at: 1200 }),
        proc('pocketbase', { first_started_at: 1210, first_ready_at: 1600 }),
        proc('app', { first_started_at: 1210, first_ready_at: null }),
        proc('never', { first_started_at: null }),
      ],
      hello(1000),
      2000,
    );
    expect(w.bars).toEqual([
      { name: 'nats', start: 10, ready: 200, critical: true },
      { name: 'app', start: 210, ready: undefined, critical: false },
      { name: 'pocketbase', start: 210, ready: 600, critical: true },
    ]);
    expect(w.span).toBe(1000);
    expect(w.criticalPath).toEqual(['nats', 'pocketbase']);
  });

  it("takes a process's own depends_on over hello's (current after an apply)", () => {
    const w = waterfall(
      [
        proc('nats', { first_started_at: 1010, first_ready_at: 1200 }),
        proc('app', { first_started_at: 1010, first_ready_at: 1300 }),
        proc('pocketbase', { first_started_at: 1310, first_ready_at: 1600, depends_on: ['app'] }),
      ],
      hello(1000),
      2000,
    );
    expect(w.criticalPath).toEqual(['nats', 'app', 'pocketbase']);
  });
});
