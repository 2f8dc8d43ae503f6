import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LineRing, openRotatingLog } from '../../src/engine/logs.js';
import { policyOf } from '../../src/engine/policy.js';
import { goDuration, toProcessState } from '../../src/engine/snapshot.js';
import { initialState } from '../../src/engine/state.js';
import type { ProcState } from '../../src/engine/state.js';
import { doc, harness, httpProbe, proc } from './fakes.js';

describe('snapshot', () => {
  const policy = policyOf(proc('db', { readiness_probe: httpProbe(1) }));
  const run = { pid: 42, startedAt: 1_000 };
  const at = (state: ProcState, requested = true) => toProcessState({ name: 'db', state, policy, requested, now: 66_000 });

  it.each([
    [initialState, false, 'Disabled'],
    [initialState, true, 'Pending'],
    [{ ...initialState, phase: 'waiting' }, true, 'Pending'],
    [{ ...initialState, phase: 'probing', run, fastDelayMs: 10, deadline: 0 }, true, 'Running'],
    [{ ...initialState, phase: 'backing-off', until: 0 }, true, 'Restarting'],
    [{ ...initialState, phase: 'stopping', run, readyAt: undefined, then: { kind: 'stop' } }, true, 'Terminating'],
    [{ ...initialState, phase: 'skipped', reason: 'r', cause: 'c' }, true, 'Skipped'],
    [{ ...initialState, phase: 'failed', reason: 'r' }, true, 'Error'],
    [{ ...initialState, phase: 'completed' }, true, 'Completed'],
  ] as [ProcState, boolean, string][])('%# → %s', (state, requested, status) => {
    expect(at(state, requested).status).toBe(status);
  });

  it("has process-compose's fields for a running, ready process", () => {
    const state: ProcState = { ...initialState, restarts: 2, phase: 'ready', run, readyAt: 2_000, readinessFailures: 0, livenessFailures: 0 };
    expect(at(state)).toEqual({
      name: 'db',
      namespace: 'default',
      status: 'Running',
      system_time: '1m5s',
      age: 65_000_000_000,
      is_ready: 'Ready',
      has_ready_probe: true,
      restarts: 2,
      exit_code: 0,
      pid: 42,
      is_running: true,
      reason: null,
      last_probe_error: null,
      ready_time: '1970-01-01T00:00:02.000Z',
      phase: 'ready',
      waiting_for_log_line: null,
    });
  });

  it('reports -1 for a process killed by a signal, like Go', () => {
    expect(at({ ...initialState, phase: 'stopped', lastExit: { code: null, signal: 'SIGKILL', at: 1, startedAt: 0 } }).exit_code).toBe(-1);
  });

  it('formats durations like Go', () => {
    expect([0, 59_999, 60_000, 3_723_000].map(goDuration)).toEqual(['0s', '59s', '1m0s', '1h2m3s']);
  });

  it('is what the supervisor returns for every process, with the pid of the child', async () => {
    const h = harness(doc({ a: {}, b: {} }));
    h.engine.start(['a']);
    await h.clock.advance(1500);
    expect(h.engine.snapshot().map((p) => [p.name, p.status, p.pid, p.system_time])).toEqual([
      ['a', 'Running', 1000, '1s'],
      ['b', 'Disabled', 0, '0s'],
    ]);
  });
});

describe('logs', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('rotates a log file at the size limit, keeping one previous file', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-logs-'));
    const file = path.join(dir, 'sub', 'svc.log');
    const log = openRotatingLog(file, 20);
    for (const line of ['aaaaaaaa', 'bbbbbbbb', 'cccccccc', 'dddddddd', 'eeeeeeee']) log.write(line);
    log.close();
    expect(fs.readFileSync(`${file}.1`, 'utf8')).toBe('cccccccc\ndddddddd\n');
    expect(fs.readFileSync(file, 'utf8')).toBe('eeeeeeee\n');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('writes pending lines once per event-loop turn, without waiting for close', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-logs-'));
    const file = path.join(dir, 'svc.log');
    const log = openRotatingLog(file);
    log.write('one');
    log.write('two');
    expect(fs.readFileSync(file, 'utf8')).toBe('');
    await new Promise((resolve) => setImmediate(resolve));
    expect(fs.readFileSync(file, 'utf8')).toBe('one\ntwo\n');
    log.close();
  });

  it('keeps the last lines in memory', () => {
    const ring = new LineRing(3);
    for (const line of ['1', '2', '3', '4', '5']) ring.push(line);
    expect(ring.tail()).toEqual(['3', '4', '5']);
    expect(ring.tail(2)).toEqual(['4', '5']);
    expect(ring.total).toBe(5);
  });
});
