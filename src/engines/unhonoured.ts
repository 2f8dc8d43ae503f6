/**
 * What a manifest asks that the chosen engine will not do, said once by the
 * command that starts or changes the stack (`core up`, `core apply`), as a
 * warning: the stack runs, without it. The engine says what it lacks
 * (engine.ts `lacks`); this names the services concerned.
 */
import type { ComposeDoc } from '../compose/schema.js';
import type { Feature } from './engine.js';
import type { CoreError } from '../support/errors.js';

export function unhonouredWatch(engine: { lacks(feature: Feature): CoreError | undefined }, doc: ComposeDoc): string | undefined {
  const names = Object.entries(doc.processes)
    .filter(([, proc]) => proc['x-core']?.watch)
    .map(([name]) => name);
  if (names.length === 0) return undefined;
  const lacking = engine.lacks('watch');
  if (!lacking) return undefined;
  return `warning: ${names.join(', ')} ${names.length === 1 ? 'has' : 'have'} a process.watch that this engine will not honour: ${lacking.message}`;
}
