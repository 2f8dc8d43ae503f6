/**
 * process-compose's load-time checks (loader/validators.go) on the expanded
 * processes, then namespace admission (admitter/admitter.go ApplyToProject) and
 * the `up PROCESS…` selection (app/project_runner.go selectRunningProcesses,
 * selectRunningProcessesNoDeps).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Proc } from './build.js';
import type { Findings } from './issues.js';
import { zerologLevel } from './log-level.js';

export interface CheckContext {
  readonly file: string;
  readonly cwd: string;
  readonly findings: Findings;
}

export function validateProcesses(procs: readonly Proc[], logLevel: string | undefined, ctx: CheckContext): void {
  const { file, findings } = ctx;
  const byName = new Map(procs.map((p) => [p.name, p]));
  // validateLogLevel (zerolog.ParseLevel)
  if (logLevel !== undefined && logLevel !== '' && zerologLevel(logLevel) === undefined) findings.strict(file, 'log_level', `unknown log level ${logLevel}`);
  for (const proc of procs) {
    const where = (key: string) => `processes.${proc.base}.${key}`;
    const c = proc.cfg;
    for (const code of c.success_exit_codes ?? []) {
      if (code < 0 || code > 255)
        findings.strict(file, where('success_exit_codes'), `invalid success_exit_codes value ${code} in process '${proc.name}': exit codes must be in the range 0-255`);
    }
    if (c.env_file) {
      const envFile = path.resolve(ctx.cwd, c.working_dir ?? '', c.env_file);
      if (!existsSync(envFile)) findings.strict(file, where('env_file'), `env_file '${envFile}' for process '${proc.name}' does not exist`);
    }
    if (c.readiness_probe && c.ready_log_line) findings.error(file, where('ready_log_line'), `'ready_log_line' and readiness probe defined in '${proc.name}' are incompatible`);
    for (const [dep, conf] of Object.entries(c.depends_on ?? {})) {
      const target = byName.get(dep);
      if (!target) {
        findings.error(file, where(`depends_on.${dep}`), `dependency process '${dep}' in process '${proc.name}' is not defined`);
        continue;
      }
      if (conf.condition === 'process_healthy' && !target.cfg.readiness_probe && !target.cfg.liveness_probe) {
        findings.strict(file, where(`depends_on.${dep}`), `health dependency defined in '${proc.name}' but no health check exists in '${dep}'`);
      }
      if (conf.condition === 'process_log_ready' && !target.cfg.ready_log_line) {
        findings.error(file, where(`depends_on.${dep}`), `log ready dependency defined in '${proc.name}' but no ready log line exists in '${dep}'`);
      }
      if (target.disabled && !proc.disabled) findings.strict(file, where(`depends_on.${dep}`), `dependency process '${dep}' in process '${proc.name}' is disabled`);
    }
  }
  const cycle = findCycle(procs, byName);
  if (cycle) findings.error(file, `processes.${cycle[0]}.depends_on`, `circular dependency: ${cycle.join(' → ')}`);
}

/** A dependency cycle as the list of names that closes it (a → b → a), or undefined. */
export function findCycle(procs: readonly Proc[], byName: ReadonlyMap<string, Proc>): string[] | undefined {
  const state = new Map<string, 'busy' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'busy') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'busy');
    stack.push(name);
    for (const dep of Object.keys(byName.get(name)?.cfg.depends_on ?? {})) {
      if (!byName.has(dep)) continue;
      const found = visit(dep);
      if (found) return found;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const p of [...procs].sort((a, b) => a.name.localeCompare(b.name))) {
    const found = visit(p.name);
    if (found) return found;
  }
  return undefined;
}

/** NamespaceAdmitter + ApplyToProject: processes outside the `-n` namespaces are removed, dependencies on them dropped. */
export function admitNamespaces(procs: readonly Proc[], namespaces: readonly string[]): Proc[] {
  if (namespaces.length === 0) return [...procs];
  const kept = procs.filter((p) => p.namespaces.some((n) => namespaces.includes(n)));
  const names = new Set(kept.map((p) => p.name));
  for (const p of kept) {
    if (!p.cfg.depends_on) continue;
    p.cfg.depends_on = Object.fromEntries(Object.entries(p.cfg.depends_on).filter(([dep]) => names.has(dep)));
  }
  return kept;
}

/**
 * `up A B`: A, B (a name may be a replica or a replicated group) and their
 * dependencies run, every other process is Disabled (and the selected ones
 * enabled). With --no-deps only A and B, their depends_on cleared.
 */
export function selectProcesses(procs: readonly Proc[], selected: readonly string[], noDeps: boolean, findings: Findings, file: string): void {
  if (selected.length === 0) return;
  const lookup = (name: string): Proc[] => {
    const exact = procs.filter((p) => p.name === name);
    return exact.length > 0 ? exact : procs.filter((p) => p.base === name);
  };
  for (const name of selected) if (lookup(name).length === 0) findings.error(file, '', `no such process: ${name}`);
  if (noDeps) {
    for (const p of procs) {
      const chosen = selected.includes(p.base);
      p.disabled = !chosen;
      if (chosen) p.cfg.depends_on = {};
    }
    return;
  }
  const keep = new Set<string>();
  const walk = (names: readonly string[]) => {
    for (const proc of names.flatMap(lookup)) {
      if (keep.has(proc.name)) continue;
      keep.add(proc.name);
      walk(Object.keys(proc.cfg.depends_on ?? {}));
    }
  };
  walk(selected);
  for (const p of procs) p.disabled = !keep.has(p.name) || Boolean(p.cfg.is_foreground);
}
