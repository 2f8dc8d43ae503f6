/**
 * Issue 13, item 1: the exposition built from a supervisor's snapshot, a
 * resources reading and the timeline (a fake source: the supervisor logic is
 * not what is tested here; tests/e2e/metrics.test.ts runs the real one), and
 * CORE_METRICS_ADDR's parsing.
 */
import { describe, expect, it } from 'vitest';
import type { ProcessState } from '../../src/engine/index.js';
import { createMetrics, type MetricsSource } from '../../src/observe/metrics.js';
import { hostAllowed } from '../../src/observe/metrics-http.js';
import type { ResourceReading } from '../../src/observe/resources.js';
import { Timeline } from '../../src/observe/timeline.js';
import { parseSettings } from '../../src/support/settings.js';
import { processState } from '../helpers/process-state.js';

const state = processState;

function source(snapshot: ProcessState[], reading: Partial<ResourceReading['processes']>, timeline = new Timeline()): MetricsSource & { reads: number[] } {
  const reads: number[] = [];
  return {
    reads,
    engine: {
      snapshot: () => snapshot,
      document: { version: '0.5', processes: { 'nats-1': { command: 'x', 'x-core': { service: 'nats' } }, api: { command: 'y' } } } as never,
    },
    resources: {
      read: async (windowMs?: number) => {
        reads.push(windowMs ?? -1);
        return {
          at: Date.now(),
          window_ms: 5000,
          processes: reading as ResourceReading['processes'],
          supervisor: { cpu: 0.01, cpu_seconds_total: 1.5, rss_bytes: 50e6, processes: 1 },
        };
      },
    },
    timeline,
  };
}

const line = (text: string, start: string) => text.split('\n').find((l) => l.startsWith(start));

describe('metrics exposition', () => {
  it('labels each process with its service, one 0/1 series per state, counters as read, and never waits for a CPU window', async () => {
    const timeline = new Timeline();
    timeline.observe({ type: 'started', name: 'nats-1', at: 1_700_000_000_000, pid: 100 } as never);
    timeline.observe({ type: 'ready', name: 'nats-1', at: 1_700_000_000_040, afterMs: 40, by: 'probe' } as never);
    const src = source(
      [state('nats-1', { restarts: 2 }), state('api', { phase: 'backing-off', status: 'Restarting', is_running: false, exit_code: -1, pid: 0 })],
      { 'nats-1': { cpu: 0.5, cpu_seconds_total: 12.34, rss_bytes: 1000, processes: 2 } },
      timeline,
    );
    const text = await createMetrics(src).scrape();
    expect(src.reads).toEqual([0]);
    expect(line(text, 'core_process_up{process="nats-1"')).toBe('core_process_up{process="nats-1",service="nats"} 1');
    expect(line(text, 'core_process_up{process="api"')).toBe('core_process_up{process="api",service="api"} 0');
    expect(text).toContain('core_process_state{process="api",service="api",state="backing-off"} 1');
    expect(text.split('\n').filter((l) => l.startsWith('core_process_state{process="api"') && l.endsWith(' 1'))).toHaveLength(1);
    expect(text).toContain('core_process_restarts_total{process="nats-1",service="nats"} 2');
    expect(text).toContain('core_process_cpu_seconds_total{process="nats-1",service="nats"} 12.34');
    expect(text).toContain('core_process_cpu_seconds_total{process="api",service="api"} 0');
    expect(text).toContain('core_process_last_exit_code{process="api",service="api"} -1');
    expect(text).toContain('core_process_start_time_seconds{process="nats-1",service="nats"} 1700000000');
    expect(line(text, 'core_process_start_time_seconds{process="api"')).toBeUndefined(); // never started
    expect(text).toContain('core_process_ready_latency_seconds_bucket{process="nats-1",service="nats",le="0.025"} 0');
    expect(text).toContain('core_process_ready_latency_seconds_bucket{process="nats-1",service="nats",le="0.05"} 1');
    expect(text).toContain('core_process_ready_latency_seconds_bucket{process="nats-1",service="nats",le="+Inf"} 1');
    expect(text).toContain('core_process_ready_latency_seconds_sum{process="nats-1",service="nats"} 0.04');
    expect(text).toContain('core_process_ready_latency_seconds_count{process="api",service="api"} 0');
    expect(text).toContain('# TYPE core_process_ready_latency_seconds histogram');
    expect(text).toContain('process_cpu_seconds_total 1.5');
    expect(text).toMatch(/^core_build_info\{version="[^"]+",node="v\d+[^"]*",engine="builtin"\} 1$/m);
  });

  it('a process gone from the stack is gone from the next scrape; a failing read fails that scrape only', async () => {
    const snapshot = [state('a'), state('b')];
    const src = source(snapshot, {});
    const metrics = createMetrics(src);
    expect(await metrics.scrape()).toContain('process="b"');
    snapshot.pop();
    expect(await metrics.scrape()).not.toContain('process="b"');
    const read = src.resources.read;
    (src.resources as { read: unknown }).read = async () => {
      throw new Error('boom');
    };
    await expect(metrics.scrape()).rejects.toThrow('boom');
    (src.resources as { read: unknown }).read = read;
    expect(await metrics.scrape()).toContain('process="a"');
  });
});

describe('CORE_METRICS_ADDR', () => {
  const parse = (value: string) => parseSettings({ root: '/tmp/p', processEnv: { CORE_METRICS_ADDR: value } }).metricsAddr;

  it('takes host:port and [v6]:port; another host than loopback is the user’s choice', () => {
    expect(parse('127.0.0.1:9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parse('localhost:1')).toEqual({ host: 'localhost', port: 1 });
    expect(parse('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
    expect(parse('0.0.0.0:9464')).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(parseSettings({ root: '/tmp/p', processEnv: {} }).metricsAddr).toBeUndefined();
  });

  it('refuses anything else with a message naming it (exit 2)', () => {
    for (const value of ['9464', ':9464', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:65536', 'http://127.0.0.1:9464', '::1:9464', 'a b:1']) {
      expect(() => parse(value), value).toThrow(/^CORE_METRICS_ADDR: /);
      try {
        parse(value);
      } catch (error) {
        expect((error as { exitCode: number }).exitCode).toBe(2);
      }
    }
  });
});

describe('the HTTP listener on loopback', () => {
  it('takes requests that name a loopback host only (no DNS rebinding); beyond loopback, any', () => {
    const loopback = { host: '127.0.0.1', port: 9464 };
    for (const host of ['127.0.0.1:9464', 'localhost:9464', '[::1]:9464', '127.0.0.1', 'localhost']) expect(hostAllowed(host, loopback), host).toBe(true);
    for (const host of ['evil.example:9464', 'evil.example', '', undefined, '127.0.0.1.evil.example:9464', '[::2]:9464'])
      expect(hostAllowed(host, loopback), String(host)).toBe(false);
    expect(hostAllowed('metrics.lan:9464', { host: '0.0.0.0', port: 9464 })).toBe(true);
    expect(hostAllowed('[::1]:9464', { host: '::1', port: 9464 })).toBe(true);
  });
});
