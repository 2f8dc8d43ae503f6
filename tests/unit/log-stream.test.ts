/**
 * Issue 11 section 3, the pure parts: a log's index gives each line its time
 * and the start of each stack run; --since; what `core up` says of a target
 * that takes its time; the timeout names the awaited log line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexLines, parseIndex, readLog } from '../../src/cli/logs/log-index.js';
import { parseSince } from '../../src/cli/logs/since.js';
import { openRotatingLog } from '../../src/engine/logs.js';
import { progressLine } from '../../src/engine/progress.js';

describe('log index', () => {
  it('gives each line the time of its batch and marks where a new run begins', () => {
    const index = parseIndex('0 1000 run=a\n6 2000\n12 3000 run=b\nbroken\n');
    const { lines, rest } = indexLines('one\nx\ntwo\nz\nthree\npart', 0, index);
    expect(lines.map((l) => [l.offset, l.text, l.ms, l.runStart])).toEqual([
      [0, 'one', 1000, 'a'],
      [4, 'x', 1000, undefined],
      [6, 'two', 2000, undefined],
      [10, 'z', 2000, undefined],
      [12, 'three', 3000, 'b'],
    ]);
    expect(rest).toBe(18);
  });

  it('a second opening by the same run is no new run', () => {
    const { lines } = indexLines('a\nb\n', 0, parseIndex('0 1 run=r\n2 2 run=r\n'));
    expect(lines.map((l) => l.runStart)).toEqual(['r', undefined]);
  });

  it('openRotatingLog writes the index beside the log, which stays the output as is', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'log-index-'));
    try {
      const file = path.join(dir, 'svc.log');
      const before = Date.now();
      const log = openRotatingLog(file, undefined, undefined, 'run-1');
      log.write('hello');
      log.write('world');
      await new Promise((resolve) => setImmediate(resolve));
      log.write('again');
      log.close();
      expect(fs.readFileSync(file, 'utf8')).toBe('hello\nworld\nagain\n');
      const { lines } = readLog(file);
      expect(lines.map((l) => l.text)).toEqual(['hello', 'world', 'again']);
      expect(lines[0]!.runStart).toBe('run-1');
      for (const line of lines) expect(line.ms).toBeGreaterThanOrEqual(before);
      expect(fs.readFileSync(`${file}.idx`, 'utf8').trim().split('\n')).toHaveLength(2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('--since', () => {
  const now = Date.parse('2026-11-30T12:00:00Z');
  it.each([
    ['30s', now - 30_000],
    ['10m', now - 600_000],
    ['2h', now - 7_200_000],
    ['1d', now - 86_400_000],
    ['2026-11-30T11:00:00Z', Date.parse('2026-11-30T11:00:00Z')],
  ])('%s', (raw, ms) => expect(parseSince(raw, now)).toBe(ms));
  it.each(['yesterday', '10', '10 m', '-5m'])('refuses %s', (raw) => expect(() => parseSince(raw, now)).toThrow(/--since/));
});

describe('progress lines', () => {
  const base = { name: 'api', phase: 'probing' as const, tries: 12, lastProbeError: null, logLine: null, on: [] };
  it('names the probe, what it met and how many tries', () => {
    expect(progressLine({ ...base, lastProbeError: 'GET http://127.0.0.1:3000/health: connect ECONNREFUSED 127.0.0.1:3000' })).toBe(
      'api: GET http://127.0.0.1:3000/health → connect ECONNREFUSED 127.0.0.1:3000, 12 tries',
    );
  });
  it('names the awaited log line, and the dependencies waited for', () => {
    expect(progressLine({ ...base, logLine: 'ready' })).toBe('api: waiting for log line "ready"');
    expect(progressLine({ ...base, phase: 'waiting', on: ['nats', 'db'] })).toBe('api: waiting for nats, db');
  });
  it('says nothing of a process that is up or done', () => {
    expect(progressLine({ ...base, phase: 'ready' })).toBeUndefined();
    expect(progressLine({ ...base, phase: 'completed' })).toBeUndefined();
  });
});
