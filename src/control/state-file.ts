/**
 * The state file: who the supervisor is and which process groups it started,
 * each with its leader's start time. `core down` and the guardian act on it
 * when the supervisor is gone; `core status` reads the ports from it.
 */
import fs from 'node:fs';
import { writeAtomicSync } from '../support/atomic-write.js';
import type { ProcessState } from '../engine/index.js';
import { identify, type ProcessIdentity } from '../support/proc.js';
import type { EngineName } from '../support/settings.js';

export interface RecordedProcess extends ProcessIdentity {
  /** The process group: the child leads its own, so this equals pid. */
  readonly pgid: number;
}

export interface StateFile {
  readonly version: 1;
  readonly engine: EngineName;
  readonly supervisor: ProcessIdentity;
  /** The guardian that reaps the process groups if the supervisor dies (guardian.ts). */
  readonly guardian?: number;
  readonly started_at: string;
  readonly socket: string;
  /** Ports per service, as planned, for `core status`. */
  readonly ports: Readonly<Record<string, Readonly<Record<string, { port: number; host: string; protocol: string }>>>>;
  readonly processes: Readonly<Record<string, RecordedProcess>>;
}

export function readState(file: string): StateFile | undefined {
  try {
    const state = JSON.parse(fs.readFileSync(file, 'utf8')) as StateFile;
    return state.version === 1 ? state : undefined;
  } catch {
    return undefined;
  }
}

export function writeState(file: string, state: StateFile): void {
  writeAtomicSync(file, `${JSON.stringify(state, null, 2)}\n`);
}

/** The process groups an engine reports as running (each child leads its own group). */
export function runningGroups(states: readonly ProcessState[]): Record<string, RecordedProcess> {
  const processes: Record<string, RecordedProcess> = {};
  for (const state of states) if (state.is_running && state.pid > 0) processes[state.name] = { ...identify(state.pid), pgid: state.pid };
  return processes;
}
