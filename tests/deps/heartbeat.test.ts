import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { formatEvent } from '../../src/deps/format.js';
import { startHeartbeat } from '../../src/deps/heartbeat.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

it('beats every interval with the elapsed time until stopped', () => {
  const beats: number[] = [];
  const stop = startHeartbeat(5000, (elapsed) => beats.push(elapsed));
  vi.advanceTimersByTime(4999);
  expect(beats).toEqual([]);
  vi.advanceTimersByTime(10_001);
  expect(beats).toEqual([5000, 10_000, 15_000]);
  stop();
  vi.advanceTimersByTime(60_000);
  expect(beats).toHaveLength(3);
});

it('renders progress, skips and slow starts as lines; quick successes stay quiet', () => {
  expect(formatEvent({ type: 'progress', name: 'pocketbase', source: 'go-install', elapsedMs: 65_000, detail: 'go install m@v1: 1m05s' })).toBe(
    'pocketbase: … go install m@v1: 1m05s',
  );
  expect(formatEvent({ type: 'attempt', name: 'pocketbase', source: 'go-install', detail: 'go install m@v1' })).toBe(
    'pocketbase: building: go install m@v1 (this can take minutes)',
  );
  expect(formatEvent({ type: 'attempt', name: 'caddy', source: 'path', detail: 'caddy on PATH' })).toBeUndefined();
  expect(formatEvent({ type: 'skipped', name: 'caddy', failure: { source: 'path', reason: 'not-found', message: 'caddy is not on PATH' } })).toBe(
    'caddy: path: caddy is not on PATH',
  );
  const binary = { name: 'caddy', version: '2.6.2', source: 'path' as const, path: '/p/.dep/caddy', target: '/usr/bin/caddy' };
  expect(formatEvent({ type: 'provisioned', binary, elapsedMs: 20 })).toBeUndefined();
  expect(formatEvent({ type: 'provisioned', binary, elapsedMs: 125_000 })).toBe('caddy: ready after 2m05s');
});
