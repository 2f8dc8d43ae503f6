/**
 * The chains to run for a stack: its targets (targets.ts), each turned into
 * the steps of its protocol. A user service's probe is built the way the
 * engine builds it: the process-compose document from the plan, then
 * `probeSpecOf`, with the environment the supervisor gives the process.
 */
import type { ComposeDoc } from '../compose/schema.js';
import type { ProcessState } from '../engine/index.js';
import { childEnv, probeSpecOf } from '../engine/specs.js';
import { withoutSecrets } from '../plan/secrets.js';
import type { StackPlan } from '../plan/types.js';
import { natsChain } from './nats-check.js';
import { caddyChain, pocketbaseChain } from './pocketbase-check.js';
import { processChain } from './process-check.js';
import type { Target } from './targets.js';
import type { Chain } from './types.js';
import { unreachable } from '../support/errors.js';

export interface ChainInputs {
  readonly plan: StackPlan;
  readonly doc: ComposeDoc;
  /** The project's environment (the base every process starts from, less its secrets). */
  readonly env: Readonly<Record<string, string>>;
  readonly states: ReadonlyMap<string, ProcessState>;
  readonly timeoutMs: number;
}

export function chainsFor(targets: readonly Target[], inputs: ChainInputs): Chain[] {
  return targets.map((target) => {
    switch (target.kind) {
      case 'nats':
        return natsChain(target, inputs.timeoutMs);
      case 'pocketbase':
        return pocketbaseChain(target, inputs.timeoutMs);
      case 'caddy':
        return caddyChain(target, inputs.timeoutMs);
      case 'process': {
        const proc = inputs.doc.processes[target.name];
        const service = inputs.plan.services.find((s) => s.name === target.name);
        const secrets = Object.fromEntries((service?.secretEnv ?? []).map((key) => [key, service?.env[key] ?? '']));
        const probe = proc && probeSpecOf(proc, 'readiness', childEnv(proc, withoutSecrets(inputs.env), secrets, target.name));
        return processChain(target.name, probe, inputs.states.get(target.name), inputs.timeoutMs);
      }
      default:
        return unreachable(target);
    }
  });
}
