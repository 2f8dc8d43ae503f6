/** Rules beyond the schema, each a small pure function over all manifests. */
import type { Issue } from '../support/errors.js';
import type { LoadedManifest } from './validate.js';

/** `services` names every service folder, including those whose manifest did not parse. */
export type Rule = (manifests: readonly LoadedManifest[], services: ReadonlySet<string>) => Issue[];

const dependsOn = (m: LoadedManifest) => Object.entries(m.manifest.process.compose.depends_on ?? {});

export const duplicateNames: Rule = (manifests) => {
  const seen = new Map<string, string>();
  const issues: Issue[] = [];
  for (const { manifest, file } of manifests) {
    const first = seen.get(manifest.name);
    if (first) issues.push({ file, path: 'name', message: `duplicate service name "${manifest.name}" (also in ${first})` });
    else seen.set(manifest.name, file);
  }
  return issues;
};

export const duplicateBinaries: Rule = (manifests) =>
  manifests.flatMap(({ manifest, file }) => {
    const names = manifest.binaries.map((b) => b.name);
    return names.flatMap((name, i) => (names.indexOf(name) === i ? [] : [{ file, path: `binaries[${i}].name`, message: `duplicate binary "${name}"` }]));
  });

export const dependencies: Rule = (manifests, services) => {
  const byName = new Map(manifests.map((m) => [m.manifest.name, m]));
  const issues: Issue[] = [];
  for (const m of manifests) {
    for (const [dep, { condition }] of dependsOn(m)) {
      const path = `process.compose.depends_on.${dep}`;
      const target = byName.get(dep);
      if (dep === m.manifest.name) issues.push({ file: m.file, path, message: 'a service cannot depend on itself' });
      else if (!target && services.has(dep))
        continue; // its own manifest is broken: reported there
      else if (!target) {
        const known = [...byName.keys()].filter((n) => n !== m.manifest.name).join(', ') || 'none';
        issues.push({ file: m.file, path, message: `unknown service "${dep}" (known: ${known})` });
      } else if (condition === 'process_healthy' && !target.manifest.process.compose.readiness_probe) {
        issues.push({ file: m.file, path: `${path}.condition`, message: `"${dep}" has no readiness_probe, so it can never be process_healthy` });
      } else if (condition === 'process_log_ready' && !target.manifest.process.compose.ready_log_line) {
        issues.push({ file: m.file, path: `${path}.condition`, message: `"${dep}" has no ready_log_line, so it can never be process_log_ready` });
      }
    }
  }
  return issues;
};

export const cycles: Rule = (manifests) => {
  const edges = new Map(manifests.map((m) => [m.manifest.name, dependsOn(m).map(([dep]) => dep)]));
  const files = new Map(manifests.map((m) => [m.manifest.name, m.file]));
  const state = new Map<string, 'visiting' | 'done'>();
  const issues: Issue[] = [];
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done' || !edges.has(name)) return;
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      issues.push({ file: files.get(name)!, path: 'process.compose.depends_on', message: `dependency cycle: ${cycle.join(' -> ')}` });
      return;
    }
    state.set(name, 'visiting');
    for (const dep of edges.get(name)!) if (dep !== name) visit(dep, [...trail, name]);
    state.set(name, 'done');
  };
  for (const name of [...edges.keys()].sort()) visit(name, []);
  return issues;
};

/** Folder names that would shadow a `core` command. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'validate',
  'generate',
  'schema',
  'deps',
  'up',
  'down',
  'status',
  'logs',
  // A service folder of the same name would make commander refuse the whole command tree.
  'events',
  'dashboard',
  'restart',
  'apply',
  'start',
  'stop',
  'internal',
  'help',
  'completion',
  'ps',
  'verify',
  'metrics',
  'init',
  'plan',
]);

export const reservedNames: Rule = (manifests) =>
  manifests.flatMap(({ manifest, file }) =>
    RESERVED_NAMES.has(manifest.name) ? [{ file, path: 'name', message: `"${manifest.name}" is a core command; pick another service name` }] : [],
  );

// Port clashes are checked in src/plan/ports.ts, after CORE_PORT_* overrides apply.
export const RULES: readonly Rule[] = [duplicateNames, reservedNames, duplicateBinaries, dependencies, cycles];
