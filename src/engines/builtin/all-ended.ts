/**
 * process-compose run headless ends when every process it started has ended
 * (completed, failed, skipped or stopped), with exit code 0 unless an
 * `exit_on_*` fired. Core's own `core up` keeps its supervisor (and control
 * socket) up instead, so this is asked for only by `core up -f` in the foreground.
 */
import { closure } from '../../engine/dependencies.js';
import type { Supervisor } from '../../engine/index.js';

const ENDED = new Set(['stopped', 'failed', 'skipped', 'completed']);

/** Calls `onEnd` once, when every one of `targets` and what they need has ended; returns the unsubscribe. */
export function whenAllEnded(engine: Supervisor, targets: readonly string[], onEnd: () => void): () => void {
  const names = closure(engine.document, targets);
  let done = names.length === 0;
  // Nothing to run (every process disabled): ended before it began, as process-compose has nothing to wait for.
  if (done) queueMicrotask(onEnd);
  const unsubscribe = engine.subscribe(() => {
    if (done || !names.every((name) => ENDED.has(engine.phaseOf(name) ?? 'stopped'))) return;
    done = true;
    onEnd();
  });
  return unsubscribe;
}
