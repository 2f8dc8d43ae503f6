/**
 * The merged project → the list of processes process-compose would run, in its
 * loader's order (loader.go Load → mutators.go): defaults, replica cloning,
 * `is_disabled`, PC_DISABLED_PROCESSES, templates; then the validators
 * (validators.go), namespace admission (admitter/) and the `up PROCESS…`
 * selection (app/project_runner.go selectRunningProcesses[NoDeps]).
 */
import { renderTemplate, type Vars } from './expand.js';
import type { Findings } from './issues.js';
import type { PcProbe, PcProcess } from './schema.js';

export interface Proc {
  /** The replica name: the doc key. */
  readonly name: string;
  /** The name in the file (process-compose's proc.Name, also PC_PROC_NAME). */
  readonly base: string;
  readonly replicaNum: number;
  readonly replicas: number;
  readonly namespaces: readonly string[];
  disabled: boolean;
  cfg: PcProcess;
}

/** CalculateReplicaName: `name-N`, zero-padded to the width of the count (10 replicas: web-00 … web-09). */
export function replicaName(name: string, replicas: number, num: number): string {
  if (replicas <= 1) return name;
  const width = 1 + Math.floor(Math.log10(replicas));
  return `${name}-${String(num).padStart(width, '0')}`;
}

export function expandProcesses(processes: Record<string, PcProcess>, env: Readonly<Record<string, string | undefined>>): Proc[] {
  const groups = new Map<string, string[]>();
  const out: Proc[] = [];
  for (const [base, cfg] of Object.entries(processes)) {
    const replicas = cfg.replicas && cfg.replicas > 0 ? cfg.replicas : 1;
    const namespaces = [...new Set((cfg.namespace ?? []).filter((n) => n !== ''))];
    for (let num = 0; num < replicas; num++) {
      const name = replicaName(base, replicas, num);
      groups.set(base, [...(groups.get(base) ?? []), name]);
      out.push({ name, base, replicaNum: num, replicas, namespaces: namespaces.length > 0 ? namespaces : ['default'], disabled: cfg.disabled ?? false, cfg: structuredClone(cfg) });
    }
  }
  // A dependency on a replicated process means every replica, unless one is named explicitly.
  for (const proc of out) {
    const deps = proc.cfg.depends_on;
    if (!deps) continue;
    const rewritten: NonNullable<PcProcess['depends_on']> = {};
    for (const [dep, conf] of Object.entries(deps)) {
      const replicas = groups.get(dep);
      if (replicas && replicas.length > 1) for (const r of replicas) rewritten[r] = deps[r] ?? conf;
      else rewritten[dep] = conf;
    }
    proc.cfg.depends_on = rewritten;
  }
  const envDisabled = new Set((env.PC_DISABLED_PROCESSES ?? '').split(',').filter(Boolean));
  for (const proc of out) {
    // copyWorkingDirToProbes: an exec probe runs in the process's working_dir unless it names its own.
    for (const probe of [proc.cfg.readiness_probe, proc.cfg.liveness_probe]) {
      if (probe?.exec && !probe.exec.working_dir && proc.cfg.working_dir) probe.exec.working_dir = proc.cfg.working_dir;
    }
    if (proc.cfg.is_disabled === 'true') proc.disabled = true;
    if (proc.cfg.is_disabled === 'false') proc.disabled = false;
    if (envDisabled.has(proc.name)) proc.disabled = true;
    if (proc.cfg.is_foreground) proc.disabled = true;
  }
  return out;
}

/** renderTemplates: project vars, process vars and PC_REPLICA_NUM into command, working_dir, log_location, description, environment, probes. */
export function renderProcesses(procs: Proc[], projectVars: Vars, file: string, findings: Findings): boolean {
  for (const proc of procs) {
    const vars: Vars = { ...projectVars, ...(proc.cfg.vars ?? {}), PC_REPLICA_NUM: proc.replicaNum };
    const render = (key: string, value: string | undefined): string | undefined => {
      if (value === undefined) return undefined;
      const r = renderTemplate(value, vars);
      if (r.ok) return r.text;
      findings.error(file, `processes.${proc.base}.${key}`, `error rendering template for process ${proc.name}: ${r.message}`);
      return undefined;
    };
    const c = proc.cfg;
    const before = findings.errors.length;
    if (!c.is_template_disabled) c.command = render('command', c.command);
    c.working_dir = render('working_dir', c.working_dir);
    c.log_location = render('log_location', c.log_location);
    c.description = render('description', c.description);
    if (c.environment) c.environment = c.environment.map((e, i) => render(`environment.${i}`, e) ?? '');
    for (const [key, probe] of [['readiness_probe', c.readiness_probe] as const, ['liveness_probe', c.liveness_probe] as const]) {
      if (probe) renderProbe(probe, (k, v) => render(`${key}.${k}`, v));
    }
    if (findings.errors.length > before) return false;
  }
  return true;
}

function renderProbe(probe: PcProbe, render: (key: string, v: string | undefined) => string | undefined): void {
  if (probe.exec) probe.exec.command = render('exec.command', probe.exec.command);
  else if (probe.http_get) {
    const h = probe.http_get;
    h.path = render('http_get.path', h.path);
    h.host = render('http_get.host', h.host);
    h.scheme = render('http_get.scheme', h.scheme);
    h.port = render('http_get.port', h.port);
  }
}
