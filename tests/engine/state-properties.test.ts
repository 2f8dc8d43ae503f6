/**
 * Random walks through the state machine, with inputs a runner could really
 * deliver (an exit only while a child is alive; the spawn result at once), checking
 * that one process never has two children and that the state says whether it has one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ComposeProcess } from '../../src/compose/schema.js';
import { policyOf } from '../../src/engine/policy.js';
import { initialState, transition } from '../../src/engine/state.js';
import type { Input, ProcState } from '../../src/engine/state.js';
import { httpProbe, proc } from './fakes.js';

const variants: Partial<ComposeProcess>[] = [
  {},
  { readiness_probe: httpProbe(1, { failure_threshold: 1 }), availability: { restart: 'always', max_restarts: 3 } },
  { ready_log_line: 'up', availability: { restart: 'on_failure' }, liveness_probe: httpProbe(2, { failure_threshold: 2 }) },
  { 'x-core': { service: 's', one_shot: true }, availability: { restart: 'exit_on_failure' } },
];

const input = fc.oneof(
  fc.constant<Input>({ type: 'start', waitingOn: [] }),
  fc.constant<Input>({ type: 'deps-ready' }),
  fc.constant<Input>({ type: 'deps-failed', reason: 'r', cause: 'c' }),
  fc.constant<Input>({ type: 'stop' }),
  fc.constant<Input>({ type: 'restart' }),
  fc.constant<Input>({ type: 'output', line: 'up', at: 0 }),
  fc.record({ type: fc.constant('probe-result' as const), probe: fc.constantFrom('readiness' as const, 'liveness' as const), ok: fc.boolean(), at: fc.constant(0) }),
  fc.record({ type: fc.constant('timer' as const), timer: fc.constantFrom('readiness' as const, 'liveness' as const, 'backoff' as const, 'kill' as const), at: fc.constant(0) }),
  fc.record({ type: fc.constant('exited' as const), code: fc.constantFrom(0, 1, null), signal: fc.constant(null), at: fc.constant(0) }),
);

const LIVE = new Set(['probing', 'ready', 'stopping']);

describe('state machine properties', () => {
  it('never runs two children at once, and its phase always says whether one runs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: variants.length - 1 }), fc.array(fc.tuple(input, fc.integer({ min: 0, max: 20_000 })), { maxLength: 60 }), (v, steps) => {
        const policy = policyOf(proc('svc', variants[v]));
        let state: ProcState = initialState;
        let alive = false;
        let now = 0;
        const apply = (raw: Input) => {
          const step = transition(state, 'at' in raw ? { ...raw, at: now } : raw, policy);
          state = step.state;
          for (const effect of step.effects) {
            if (effect.type === 'kill') expect(alive).toBe(true);
            if (effect.type === 'spawn') {
              expect(alive).toBe(false);
              alive = true;
              apply({ type: 'spawned', pid: 1, at: now });
            }
          }
        };
        for (const [raw, dt] of steps) {
          now += dt;
          if (raw.type === 'exited') {
            if (!alive) continue;
            alive = false;
          }
          apply(raw);
          expect(LIVE.has(state.phase)).toBe(alive);
        }
      }),
      { numRuns: 300 },
    );
  });
});
