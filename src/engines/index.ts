/**
 * The one place that picks an engine by its name: commands get a
 * `StackEngine` for the running stack (named by its state file) or an
 * `EngineLauncher` for `core up`, and never ask which engine it is.
 * A launcher is loaded lazily: the built-in one brings the whole supervisor.
 */
import type { StackHandle } from '../control/connect.js';
import type { EngineName } from '../support/settings.js';
import { unreachable } from '../support/errors.js';
import { builtinStack } from './builtin/stack.js';
import type { EngineLauncher, StackEngine } from './engine.js';
import { processComposeStack } from './process-compose/stack.js';

export type * from './engine.js';

/** The running stack's engine; a state file that names none is the built-in one's (older files). */
export function connectEngine(handle: StackHandle): StackEngine {
  const name = handle.state?.engine ?? 'builtin';
  switch (name) {
    case 'builtin':
      return builtinStack(handle);
    case 'process-compose':
      return processComposeStack(handle);
    default:
      return unreachable(name);
  }
}

export async function loadLauncher(name: EngineName): Promise<EngineLauncher> {
  switch (name) {
    case 'builtin':
      return (await import('./builtin/launch.js')).builtinLauncher;
    case 'process-compose':
      return (await import('./process-compose/launch.js')).processComposeLauncher;
    default:
      return unreachable(name);
  }
}
