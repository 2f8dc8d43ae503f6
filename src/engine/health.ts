/** A process's health column, from its ProcessState (pure): `core status` and the hosts' status share it. */
import type { ProcessState } from './snapshot.js';

/** healthy | unhealthy | starting (not yet ready once) | - (no probe, or not running). */
export function healthOf(p: ProcessState): string {
  if (!p.is_running || !p.has_ready_probe) return '-';
  if (p.is_ready === 'Ready') return 'healthy';
  // Not ready: never yet (starting), or no longer (unhealthy). process-compose has no
  // phase of ours; it tells when the process was last ready.
  const wasReady = p.phase ? !['probing', 'starting'].includes(p.phase) : Boolean((p as { process_ready_time?: string | null }).process_ready_time);
  return wasReady ? 'unhealthy' : 'starting';
}
