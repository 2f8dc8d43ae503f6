/**
 * A user service: its readiness probe run once, with the engine's own prober
 * (the check the supervisor runs); without a probe, its state as `core status`
 * reports it (running, or a job that completed with exit code 0).
 */
import { realProber } from '../engine/probes.js';
import type { ProbeSpec } from '../engine/interfaces.js';
import type { ProcessState } from '../engine/index.js';
import { StepFailure, type Chain } from './types.js';

const COMMAND_CHARS = 60;

export function probeHop(name: string, spec: ProbeSpec): string {
  switch (spec.kind) {
    case 'http':
      return `client → ${name} (GET ${spec.scheme}://${spec.host}${spec.port === undefined ? '' : `:${spec.port}`}${spec.path})`;
    case 'tcp':
      return `client → ${name} (${spec.host}:${spec.port})`;
    case 'exec': {
      const command = spec.command.length > COMMAND_CHARS ? `${spec.command.slice(0, COMMAND_CHARS)}…` : spec.command;
      return `exec → ${name} (${command})`;
    }
  }
}

/** `state`: the process as the running stack reports it (undefined: not in it). */
export function processChain(name: string, probe: ProbeSpec | undefined, state: ProcessState | undefined, timeoutMs: number): Chain {
  if (probe) {
    return {
      steps: [
        {
          name: `${name}: readiness probe`,
          hop: probeHop(name, probe),
          run: async (signal) => {
            const result = await realProber.check({ ...probe, timeoutMs: Math.min(probe.timeoutMs, timeoutMs) }, signal);
            if (!result.ok) throw new StepFailure(result.error);
          },
        },
      ],
    };
  }
  return {
    steps: [
      {
        name: `${name}: running`,
        hop: `core status → ${name}`,
        run: async () => {
          if (!state) throw new StepFailure(`${name} is not in the running stack (\`core apply\` starts what the manifests add)`);
          if (state.is_running) return;
          if (state.status === 'Completed' && state.exit_code === 0) return { skipped: `a job that completed with exit code 0; no readiness probe to run` };
          throw new StepFailure(`${name} is ${state.status}${state.is_running ? '' : `, exit code ${state.exit_code}`}${state.reason ? `: ${state.reason}` : ''}`);
        },
      },
    ],
  };
}
