import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createProgressRenderer } from '../../src/deps/format.js';
import type { ProvisionEvent, SourceType } from '../../src/deps/types.js';
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

describe('progress lines', () => {
  const render = (events: ProvisionEvent[]) => {
    const lines: string[] = [];
    const renderer = createProgressRenderer((line) => lines.push(line));
    for (const event of events) renderer(event);
    return lines;
  };
  const caddy = { name: 'caddy', version: '2.6.2', source: 'path' as const, path: '/p/.dep/caddy', target: '/usr/bin/caddy' };
  const skip = (source: SourceType, message: string): ProvisionEvent => ({ type: 'skipped', name: 'pb', failure: { source, reason: 'not-found', message } });

  it('a quick success, even after a miss, prints nothing', () => {
    expect(
      render([
        { type: 'attempt', name: 'pb', source: 'path', detail: 'pb on PATH' },
        skip('path', 'pb is not on PATH'),
        { type: 'attempt', name: 'pb', source: 'cache', detail: '…' },
        { type: 'provisioned', binary: { ...caddy, name: 'pb', source: 'cache' }, elapsedMs: 40 },
      ]),
    ).toEqual([]);
  });

  it('a build says why it is needed, then shows progress and the time taken', () => {
    expect(
      render([
        skip('path', 'pb is not on PATH'),
        skip('cache', 'not in the cache (/c)'),
        { type: 'attempt', name: 'pb', source: 'download', detail: 'https://x/pb.zip' },
        skip('download', 'https://x/pb.zip: fetch failed (getaddrinfo ENOTFOUND x)'),
        { type: 'attempt', name: 'pb', source: 'go-install', detail: 'go install m@v1' },
        { type: 'progress', name: 'pb', source: 'go-install', elapsedMs: 65_000, detail: 'go install m@v1: 1m05s' },
        { type: 'provisioned', binary: { ...caddy, name: 'pb', source: 'go-install' }, elapsedMs: 125_000 },
      ]),
    ).toEqual([
      'pb: path: pb is not on PATH',
      'pb: cache: not in the cache (/c)',
      'pb: downloading https://x/pb.zip',
      'pb: download: https://x/pb.zip: fetch failed (getaddrinfo ENOTFOUND x)',
      'pb: building: go install m@v1 (this can take minutes)',
      'pb: … go install m@v1: 1m05s',
      'pb: ready after 2m05s',
    ]);
  });
});
