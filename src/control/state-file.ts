/**
 * The state file: who the supervisor is and which process groups it started,
 * each with its leader's start time. `core down` and the guardian act on it
 * when the supervisor is gone; `core status` reads the ports from it.
 */
import fs from 'node:fs';
import { writeAtomicSync } from '../support/atomic-write.js';
import type { ProcessState } from '../engine/index.js';
import { identify, isSignallable, type ProcessIdentity } from '../support/proc.js';
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
  /** The service of each process whose name is not its service's (a NATS cluster's `nats-2` → `nats`). */
  readonly services?: Readonly<Record<string, string>>;
  readonly processes: Readonly<Record<string, RecordedProcess>>;
}

/** A state file as read: missing, sound, or corrupt (with what is wrong). */
export type LoadedState = { readonly kind: 'missing' } | { readonly kind: 'ok'; readonly state: StateFile } | { readonly kind: 'corrupt'; readonly problem: string };

export function loadState(file: string): LoadedState {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { kind: 'missing' } : { kind: 'corrupt', problem: `cannot read it (${code ?? (error as Error).message})` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'corrupt', problem: 'not JSON' };
  }
  const problem = stateProblem(json);
  return problem ? { kind: 'corrupt', problem } : { kind: 'ok', state: json as StateFile };
}

/** The state, or undefined when it is missing or corrupt. */
export function readState(file: string): StateFile | undefined {
  const loaded = loadState(file);
  return loaded.kind === 'ok' ? loaded.state : undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What a recorded identity lacks: a pid above 1 (never 0, -1 or init) and a start time. */
function identityProblem(value: unknown, where: string, group: boolean): string | undefined {
  if (!isObject(value)) return `${where}: not an object`;
  if (!isSignallable(value.pid)) return `${where}.pid: not a process id above 1`;
  if (value.start_time !== undefined && typeof value.start_time !== 'string') return `${where}.start_time: not a string`;
  if (group && !isSignallable(value.pgid)) return `${where}.pgid: not a process group id above 1`;
  return undefined;
}

/**
 * Checked by hand, not with zod: `core status` reads this on every call and
 * must stay fast. Only what a command relies on is checked.
 */
export function stateProblem(json: unknown): string | undefined {
  if (!isObject(json)) return 'not a JSON object';
  if (json.version !== 1) return `version: ${JSON.stringify(json.version)} is not 1`;
  if (json.engine !== 'builtin' && json.engine !== 'process-compose') return 'engine: missing or unknown';
  const supervisor = identityProblem(json.supervisor, 'supervisor', false);
  if (supervisor) return supervisor;
  if (json.guardian !== undefined && !isSignallable(json.guardian)) return 'guardian: not a process id above 1';
  if (typeof json.socket !== 'string') return 'socket: missing';
  if (!isObject(json.ports)) return 'ports: missing';
  for (const [name, ports] of Object.entries(json.ports)) {
    if (!isObject(ports)) return `ports.${name}: not an object`;
    for (const [port, value] of Object.entries(ports)) if (!isObject(value) || typeof value.port !== 'number') return `ports.${name}.${port}.port: not a number`;
  }
  if (!isObject(json.processes)) return 'processes: missing';
  for (const [name, value] of Object.entries(json.processes)) {
    const problem = identityProblem(value, `processes.${name}`, true);
    if (problem) return problem;
  }
  return undefined;
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
