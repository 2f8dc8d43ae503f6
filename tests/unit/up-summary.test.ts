import { describe, expect, it } from 'vitest';
import { outcomeLine, SUMMARY_SLOWEST, upSummary } from '../../src/cli/render/up-summary.js';
import { describeEvent } from '../../src/cli/render/event-line.js';
import type { ProcessOutcome } from '../../src/engine/index.js';

const healthy = (name: string, readyMs: number): ProcessOutcome => ({ name, status: 'healthy', readyMs });

describe('core up summary', () => {
  it('names every service of a small stack, as it always has', () => {
    expect(upSummary([healthy('nats', 25), healthy('pocketbase', 152), healthy('caddy', 100)], 780)).toBe(
      'stack up: 3 services healthy in 780 ms (nats 25 ms, pocketbase 152 ms, caddy 100 ms)',
    );
  });

  it('says running for a process without a check and completed for a job, never healthy', () => {
    const outcomes: ProcessOutcome[] = [{ name: 'migrate', status: 'completed', exitCode: 0, durationMs: 120 }, { name: 'web', status: 'running' }, healthy('nats', 30)];
    expect(upSummary(outcomes, 400)).toBe('stack up: 3 services in 400 ms: 1 healthy, 1 running, 1 completed (migrate completed (exit code 0, 120 ms), web running, nats 30 ms)');
    expect(upSummary([{ name: 'web', status: 'running' }], 300)).toBe('stack up: 1 service running in 300 ms (web running)');
    expect(outcomes.map(outcomeLine)).toEqual(['migrate completed (exit code 0) after 120 ms', 'web running (no readiness check)', 'nats ready in 30 ms']);
  });

  it('keeps the line short for 500 services: counts, total, the slowest few and how many more', () => {
    const outcomes = Array.from({ length: 500 }, (_, i) => healthy(`service-with-a-longish-name-${i}`, (i * 37) % 1000));
    const line = upSummary(outcomes, 9120);
    expect(line.length).toBeLessThan(300);
    expect(line).toMatch(/^stack up: 500 services healthy in 9120 ms \(slowest: service-with-a-longish-name-\d+ 999 ms, .*, …and 495 more\)$/);
    expect(line.match(/ ms,/g)).toHaveLength(SUMMARY_SLOWEST);
  });
});

describe('foreground event lines', () => {
  it('a one-shot job completes with its exit code and run time; a process without a check is never "ready in 0 ms"', () => {
    expect(describeEvent({ type: 'completed', name: 'migrate', at: 0, from: 'ready', to: 'completed', code: 0, afterMs: 241 })).toBe(
      'migrate completed (exit code 0) after 241 ms',
    );
    expect(describeEvent({ type: 'ready', name: 'migrate', at: 0, from: 'starting', to: 'ready', afterMs: 0, by: 'none' })).toBeUndefined();
    expect(describeEvent({ type: 'ready', name: 'nats', at: 0, from: 'probing', to: 'ready', afterMs: 57, by: 'probe' })).toBe('nats ready in 57 ms');
  });
});
