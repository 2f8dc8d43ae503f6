/**
 * Several files into one project, and process-level `extends`, as
 * process-compose does both (loader/merger.go mergeProjects/mergeProcess, which
 * is mergo.Merge with WithOverride + WithAppendSlice; loader/extends.go
 * resolveProcessExtends). mergo's rules, which surprise: a value overrides only
 * when it is not Go's zero value (so `disabled: false` cannot undo a `true`,
 * `restart: no` cannot undo `always`); lists are appended (`entrypoint`,
 * `success_exit_codes`), except `environment`, merged by key, and `namespace`,
 * replaced; maps merge key by key.
 */
import type { Findings } from './issues.js';
import type { PcProcess, PcProject } from './schema.js';

/** Enum values that are the zero value of their Go type (RestartPolicyNo, ProcessConditionCompleted, MonitorForNone). */
const ZERO_ENUMS: Record<string, string> = { restart: 'no', condition: 'process_completed', monitor_for: 'none' };

function isZero(value: unknown, key: string): boolean {
  if (value === undefined || value === null || value === '' || value === 0 || value === false) return true;
  if (ZERO_ENUMS[key] === value) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isPlain(value)) return Object.values(value).every((v) => v === undefined);
  return false;
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** toEnvVarMap/toEnvVarSlice: KEY=value lists merged by key, the override winning. */
export function mergeEnv(base: readonly string[], over: readonly string[]): string[] {
  const map = new Map<string, string>();
  for (const entry of [...base, ...over]) {
    const eq = entry.indexOf('=');
    if (eq > 0) map.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return [...map].map(([k, v]) => `${k}=${v}`).sort();
}

function mergeValue(dst: unknown, src: unknown, key: string): unknown {
  if (src === undefined) return dst;
  if (dst === undefined) return structuredClone(src);
  if (Array.isArray(dst) && Array.isArray(src)) {
    if (key === 'environment') return mergeEnv(dst as string[], src as string[]);
    if (key === 'namespace' || key === 'paths') return src.length > 0 ? structuredClone(src) : dst;
    return [...dst, ...structuredClone(src)];
  }
  if (isPlain(dst) && isPlain(src)) {
    const out: Record<string, unknown> = { ...dst };
    for (const [k, v] of Object.entries(src)) out[k] = mergeValue(dst[k], v, k);
    return out;
  }
  return isZero(src, key) ? dst : structuredClone(src);
}

export function mergeProjects(projects: readonly PcProject[]): PcProject {
  let merged: PcProject = {};
  for (const p of projects) merged = mergeValue(merged, p, '') as PcProject;
  return merged;
}

export function mergeProcess(base: PcProcess, over: PcProcess): PcProcess {
  return mergeValue(base, over, '') as PcProcess;
}

/** resolveProcessExtends: the parent resolved first, the child merged on top; unknown, self and circular chains fail. */
export function resolveProcessExtends(processes: Record<string, PcProcess>, file: string, findings: Findings): Record<string, PcProcess> {
  const out: Record<string, PcProcess> = { ...processes };
  const state = new Map<string, 'busy' | 'done'>();
  const resolve = (name: string, chain: readonly string[]): boolean => {
    if (state.get(name) === 'done') return true;
    const proc = out[name];
    const parent = proc?.extends;
    if (!proc || !parent) {
      state.set(name, 'done');
      return true;
    }
    const where = `processes.${name}.extends`;
    if (parent === name) return fail(findings, file, where, `process '${name}' cannot extend itself`);
    if (!(parent in out)) return fail(findings, file, where, `process '${name}' extends unknown process '${parent}'`);
    if (state.get(name) === 'busy') return fail(findings, file, where, `circular extends: ${[...chain, name].join(' → ')}`);
    state.set(name, 'busy');
    if (!resolve(parent, [...chain, name])) return false;
    const { extends: _drop, ...base } = out[parent] as PcProcess;
    const { extends: _self, ...child } = proc;
    out[name] = mergeProcess(structuredClone(base), child);
    state.set(name, 'done');
    return true;
  };
  for (const name of Object.keys(out)) if (!resolve(name, [])) break;
  return out;
}

function fail(findings: Findings, file: string, path: string, message: string): false {
  findings.error(file, path, message);
  return false;
}
