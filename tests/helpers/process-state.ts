/** A process's state as the engine reports it (snapshot.ts), running and ready unless `over` says otherwise. */
import type { ProcessState } from '../../src/engine/snapshot.js';

export const processState = (name: string, over: Partial<ProcessState> = {}): ProcessState => ({
  name,
  namespace: 'default',
  status: 'Running',
  system_time: '1s',
  age: 1e9,
  is_ready: 'Ready',
  has_ready_probe: true,
  restarts: 0,
  exit_code: 0,
  pid: 100,
  is_running: true,
  reason: null,
  last_probe_error: null,
  ready_time: null,
  phase: 'ready',
  waiting_for_log_line: null,
  ...over,
});
