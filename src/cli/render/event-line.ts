/** One line of text per engine event, for the terminal and for `core up -d` failures. Pure. */
import type { EngineEvent } from '../../engine/index.js';
import { unreachable } from '../../support/errors.js';

const ms = (value: number) => (value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(1)} s`);

/** undefined for events not worth a line (probe successes after ready, output). */
export function describeEvent(event: EngineEvent): string | undefined {
  switch (event.type) {
    case 'output':
      return undefined;
    case 'waiting':
      return event.on.length ? `${event.name} waiting for ${event.on.join(', ')}` : undefined;
    case 'starting':
      return event.restarts > 0 ? `${event.name} starting (restart ${event.restarts})` : undefined;
    case 'started':
      return `${event.name} started${event.pid ? ` (pid ${event.pid})` : ''}`;
    case 'probe':
      return event.ok ? undefined : event.failures > 0 ? `${event.name} ${event.probe} probe failed (${event.failures}): ${event.error ?? ''}` : undefined;
    case 'ready':
      // Without a readiness check "ready" only means spawned: "started" said so already.
      return event.by === 'none' ? undefined : `${event.name} ready in ${ms(event.afterMs)}`;
    case 'exited':
      return `${event.name} exited (${event.signal ?? `code ${event.code}`})${event.error ? `: ${event.error}` : ''}`;
    case 'restart-scheduled':
      return `${event.name} restarting in ${ms(event.delayMs)} (${event.reason})`;
    case 'skipped':
      return `${event.name} not started: ${event.reason}`;
    case 'launched':
      return `${event.name} launched its daemon (launcher exit code ${event.code})`;
    case 'stopping':
      return `${event.name} stopping (${event.reason}${event.command ? ', by its shutdown command' : ''})`;
    case 'shutdown-failed':
      return `${event.name} shutdown command failed: ${event.error}`;
    case 'killing':
      return `${event.name} did not stop within ${ms(event.afterMs)}: SIGKILL`;
    case 'stopped':
      return `${event.name} stopped`;
    case 'completed':
      return `${event.name} completed (exit code ${event.code}) after ${ms(event.afterMs)}`;
    case 'failed':
      return `${event.name} failed: ${event.reason}`;
    case 'project-exit':
      return `${event.name} ended the stack (${event.reason})`;
    case 'watch-triggered':
      return `${event.name} restarting: ${event.file} changed${event.changes > 1 ? ` (and ${event.changes - 1} more changes)` : ''}`;
    case 'reloaded':
      if (event.signalled) return `${event.name} reloaded its config in ${ms(event.afterMs)}${event.digest ? ` (${event.digest.slice(0, 19)}…)` : ''}`;
      return event.digest ? `${event.name} already runs its new config` : `${event.name} was restarting: it reads its new config as it starts`;
    case 'alert':
      return `${event.name} alert: ${event.message} (${event.line})`;
    case 'reload-failed':
      return `${event.name} config reload failed: ${event.message}`;
    case 'apply-started':
      return `apply ${event.id}${event.dryRun ? ' (dry run)' : ''} started`;
    case 'apply-diff': {
      const parts = [
        ...event.added.map((n) => `+${n}`),
        ...event.removed.map((n) => `-${n}`),
        ...event.replaced.map((r) => `~${r.name} (${r.reasons.join(', ')})`),
        ...event.updated.map((u) => `${u.name} in place (${u.fields.join(', ')})`),
      ];
      return `apply ${event.id}: ${parts.length ? parts.join('; ') : 'no change'}; ${event.unchanged} unchanged`;
    }
    case 'apply-finished':
      return `apply ${event.id} ${event.ok ? 'done' : `failed: ${event.message ?? ''}`} in ${ms(event.afterMs)}`;
    case 'controller':
      return `controller: ${event.reason}${event.message ? `: ${event.message}` : ''}`;
    default:
      return unreachable(event);
  }
}
