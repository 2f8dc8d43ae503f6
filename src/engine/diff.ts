/**
 * What a running stack must do to become a new document: pure. Per process,
 * `add`, `remove`, `replace` (the fields that differ are the reasons) or
 * `keep`; a kept process may still take fields that apply in place.
 *
 * A process is replaced (stopped, then started with its new definition) when
 * what it was started from differs: its command or arguments (or `is_daemon`), working folder,
 * declared environment, secrets (compared by fingerprint, never by value), its
 * generated config files (`x-core.config_sha256`), the binary its command
 * names (when `.dep/` now points elsewhere), or its log file. Everything else
 * (probes, restart policy, shutdown, description, dependencies, ready line,
 * success codes, disabled) is applied in place: the process keeps its pid.
 *
 * A process whose only change is its reloadable config (`x-core.reload`, whose
 * parts `x-core.config_sha256` leaves out) is kept, with `reload` set when its
 * fingerprint changed: the apply signals it and verifies it (reload.ts).
 *
 * A dependent is never replaced because a dependency was: when a port it
 * points at changes, its own environment or arguments change, and the diff
 * sees that on its own row.
 */
import type { ComposeDoc, ComposeProcess } from '../compose/schema.js';

/** What a process runs from beyond its document: filled in by the engine, which holds the values. */
export interface ProcessInputs {
  /** Secret key → fingerprint of its value (sha256). Values never reach the diff. */
  readonly secrets?: Readonly<Record<string, string>>;
  /** Fingerprint of the executable (realpath, size, mtime, inode); undefined when unknown. */
  readonly binary?: string;
}

export interface DiffSide {
  readonly doc: ComposeDoc;
  readonly inputs?: Readonly<Record<string, ProcessInputs>>;
}

export type ProcessDiff =
  | { readonly name: string; readonly action: 'add' }
  | { readonly name: string; readonly action: 'remove' }
  | { readonly name: string; readonly action: 'replace'; readonly reasons: readonly string[]; readonly updates: readonly string[] }
  | {
      readonly name: string;
      readonly action: 'keep';
      readonly updates: readonly string[];
      /** Its reloadable config changed (`x-core.reload.sha256`): signal it rather than restart it. */
      readonly reload?: true;
    };

export interface StackDiff {
  /** Removals first (running order), then the desired document's processes in its order. */
  readonly processes: readonly ProcessDiff[];
  /** True when nothing is added, removed or replaced (in-place updates may remain). */
  readonly unchanged: boolean;
}

type Proc = ComposeProcess;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** `K=V` list → map (the last one of a key wins, as in the child's environment). */
function envMap(list: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of list) {
    const eq = entry.indexOf('=');
    if (eq > 0) map.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return map;
}

/** Keys whose values differ, or that only one side has, sorted. */
function changedKeys(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): string[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => a.get(k) !== b.get(k)).sort();
}

const named = (field: string, keys: readonly string[]) => `${field} (${keys.join(', ')})`;

/**
 * Differences that need a new run: the process was started from them. Each
 * names the field, and for environments and secrets the keys (never values).
 */
export function restartReasons(before: Proc, after: Proc, inputsBefore: ProcessInputs = {}, inputsAfter: ProcessInputs = {}): string[] {
  const reasons: string[] = [];
  if (before.entrypoint[0] !== after.entrypoint[0]) reasons.push('command');
  if (!same(before.entrypoint.slice(1), after.entrypoint.slice(1))) reasons.push('args');
  if (before.working_dir !== after.working_dir) reasons.push('working_dir');
  if (Boolean(before.is_daemon) !== Boolean(after.is_daemon)) reasons.push('is_daemon');
  const env = changedKeys(envMap(before.environment), envMap(after.environment));
  if (env.length) reasons.push(named('environment', env));
  const secretKeys = (p: Proc, inputs: ProcessInputs) => new Map((p['x-core']?.secret_env ?? []).map((k) => [k, inputs.secrets?.[k] ?? '(unset)'] as const));
  const secrets = changedKeys(secretKeys(before, inputsBefore), secretKeys(after, inputsAfter));
  if (secrets.length) reasons.push(named('secrets', secrets));
  if (before['x-core']?.config_sha256 !== after['x-core']?.config_sha256) reasons.push('config files');
  // Unknown on either side (a name looked up on PATH, a process never spawned): not compared.
  if (inputsBefore.binary !== undefined && inputsAfter.binary !== undefined && inputsBefore.binary !== inputsAfter.binary) reasons.push('binary');
  if (before.log_location !== after.log_location) reasons.push('log_location');
  return reasons;
}

/** Fields applied to the running process in place, with no restart. */
const IN_PLACE = [
  'description',
  'depends_on',
  'readiness_probe',
  'liveness_probe',
  'ready_log_line',
  'availability',
  'shutdown',
  'disabled',
  'success_exit_codes',
  'launch_timeout_seconds',
  'log_configuration',
] as const satisfies readonly (keyof Proc)[];

/** `x-core` keys applied in place; `service` never changes for a name, the rest are compared above. */
const IN_PLACE_X_CORE = ['readiness_tcp', 'one_shot', 'restart_backoff', 'liveness_failure', 'probe_shell', 'watch', 'reload', 'alerts'] as const;

export function inPlaceUpdates(before: Proc, after: Proc): string[] {
  const updates: string[] = IN_PLACE.filter((key) => !same(before[key], after[key]));
  for (const key of IN_PLACE_X_CORE) if (!same(before['x-core']?.[key], after['x-core']?.[key])) updates.push(`x-core.${key}`);
  if (before['x-core']?.service !== after['x-core']?.service) updates.push('x-core.service');
  return updates;
}

export function diffProcess(name: string, before: Proc, after: Proc, inputsBefore?: ProcessInputs, inputsAfter?: ProcessInputs): ProcessDiff {
  const reasons = restartReasons(before, after, inputsBefore, inputsAfter);
  const updates = inPlaceUpdates(before, after);
  if (reasons.length) return { name, action: 'replace', reasons, updates };
  return needsReload(before, after) ? { name, action: 'keep', updates, reload: true } : { name, action: 'keep', updates };
}

/**
 * A signal is due when the new definition reloads and its reloadable parts
 * differ from what runs (or were not tracked before). Losing `reload`, or a new
 * `verify` or `signal` alone, changes nothing the process reads.
 */
export function needsReload(before: Proc, after: Proc): boolean {
  const next = after['x-core']?.reload;
  return next !== undefined && before['x-core']?.reload?.sha256 !== next.sha256;
}

export function diffStacks(running: DiffSide, desired: DiffSide): StackDiff {
  const processes: ProcessDiff[] = [];
  for (const name of Object.keys(running.doc.processes)) if (!(name in desired.doc.processes)) processes.push({ name, action: 'remove' });
  for (const [name, after] of Object.entries(desired.doc.processes)) {
    const before = running.doc.processes[name];
    processes.push(before ? diffProcess(name, before, after, running.inputs?.[name], desired.inputs?.[name]) : { name, action: 'add' });
  }
  return { processes, unchanged: processes.every((p) => p.action === 'keep') };
}

/** The names of one action, in the diff's order. */
export function namesOf(diff: StackDiff, action: ProcessDiff['action']): string[] {
  return diff.processes.filter((p) => p.action === action).map((p) => p.name);
}
