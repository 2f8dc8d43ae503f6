/**
 * Manifests + Settings → StackPlan. Pure: no file, clock or process is touched,
 * so `core generate`, `core up` and a later runtime reconfiguration share it.
 */
import path from 'node:path';
import { IssuesError, type Issue } from '../support/errors.js';
import type { Settings } from '../support/settings.js';
import type { LoadedManifest } from '../manifest/validate.js';
import { parsePlaceholders, resolvePlaceholders, type Placeholder, type PlaceholderScope } from './placeholders.js';
import { planPortNumbers, type PortNumber } from './ports.js';
import { topologicalOrder } from './graph.js';
import { planProbe } from './probes.js';
import { SECRET_KEY } from './secrets.js';
import type { PlannedPort, PlannedService, StackPlan } from './types.js';


export interface PlanInputs {
  readonly manifests: readonly LoadedManifest[];
  readonly settings: Settings;
  /** argv prefix that runs `core` itself (node + entry), for generated helper processes. */
  readonly self: readonly string[];
}

export function resolvePlan({ manifests, settings, self }: PlanInputs): StackPlan {
  const numbers = planPortNumbers(manifests, settings);
  const issues: Issue[] = [...numbers.issues];
  const hosts = planHosts(manifests, settings, issues);
  const ports = new Map<string, Record<string, PlannedPort>>();
  for (const { manifest } of manifests) {
    const own: Record<string, PlannedPort> = {};
    for (const [name, declared] of Object.entries(manifest.ports)) {
      const number = numbers.ports.get(manifest.name)?.get(name);
      if (number) own[name] = { port: number.port, protocol: declared.protocol, host: hosts.get(`${manifest.name}.${name}`) ?? settings.host };
    }
    ports.set(manifest.name, own);
  }

  const planned = manifests.map((loaded) => planService(loaded, settings, ports, issues));
  if (issues.length > 0) throw new IssuesError(issues);

  const edges = new Map(planned.map((s) => [s.name, Object.keys(s.dependsOn)]));
  const order = topologicalOrder(edges);
  const byName = new Map(planned.map((s) => [s.name, s]));
  return {
    root: settings.root,
    dataDir: settings.dataDir,
    stackDir: settings.stackDir,
    depDir: settings.depDir,
    services: order.map((name) => byName.get(name)!),
    self,
  };
}

function planHosts(manifests: readonly LoadedManifest[], settings: Settings, issues: Issue[]): Map<string, string> {
  const hosts = new Map<string, string>();
  for (const { manifest, file } of manifests) {
    for (const [name, declared] of Object.entries(manifest.ports)) {
      if (declared.host === undefined) continue;
      const scope = baseScope(settings, 'a port host may use only ${env.*}, ${data} and ${stack}');
      const resolved = resolvePlaceholders(declared.host, scope);
      const at = `ports.${name}.host`;
      if (!resolved.ok) issues.push({ file, path: at, message: resolved.error });
      else if (!/^[A-Za-z0-9.:\-\[\]]+$/.test(resolved.value)) issues.push({ file, path: at, message: `"${resolved.value}" is not a host name or IP address` });
      else hosts.set(`${manifest.name}.${name}`, resolved.value);
    }
  }
  return hosts;
}

function baseScope(settings: Settings, otherwise: string): PlaceholderScope {
  return {
    dep: () => undefined,
    data: settings.dataDir,
    stack: settings.stackDir,
    env: (name) => settings.env[name],
    port: () => undefined,
    describe: (p) => (p.kind === 'env' ? envMissing(p.name) : otherwise),
  };
}

function envMissing(name: string): string {
  return `${name} is not set (set it in .env or the environment, or give a default: \${env.${name}:-value})`;
}

function planService(
  { manifest, file }: LoadedManifest,
  settings: Settings,
  ports: ReadonlyMap<string, Record<string, PlannedPort>>,
  issues: Issue[],
): PlannedService {
  const binaryPaths = Object.fromEntries(manifest.binaries.map((b) => [b.name, path.join(settings.depDir, b.name)]));
  const scope: PlaceholderScope = {
    ...baseScope(settings, ''),
    dep: (binary) => binaryPaths[binary],
    port: (service, port, field) => {
      const planned = ports.get(service ?? manifest.name)?.[port];
      return planned && (field === 'host' ? planned.host : String(planned.port));
    },
    describe: (p) => describe(p, manifest.name, Object.keys(binaryPaths), ports),
  };
  const resolve = (value: string, at: string): string => {
    const resolved = resolvePlaceholders(value, scope);
    if (resolved.ok) return resolved.value;
    issues.push({ file, path: at, message: resolved.error });
    return '';
  };

  const { process: proc } = manifest;
  // An argument is on every `ps` listing and in the generated file: secrets go through env.
  const onCommandLine = [['process.command', proc.command], ...proc.args.map((arg, i) => [`process.args[${i}]`, arg])] as const;
  for (const [at, text] of onCommandLine) {
    if (usesSecret(text)) issues.push({ file, path: at, message: 'reads a secret variable: pass secrets in process.env, never on the command line (visible to every user, and written to the generated file)' });
  }
  const env = Object.fromEntries(Object.entries(proc.env).map(([key, value]) => [key, resolve(value, `process.env.${key}`)]));
  const workingDir = proc.working_dir === undefined ? path.join(settings.dataDir, manifest.name) : path.resolve(settings.root, resolve(proc.working_dir, 'process.working_dir'));
  const { depends_on, readiness_probe, liveness_probe, ...compose } = proc.compose;
  const probeAt = (which: string) => (value: string, at: string) => resolve(value, `process.compose.${which}.${at}`);
  const readiness = readiness_probe && planProbe(readiness_probe, probeAt('readiness_probe'), (at, message) => issues.push({ file, path: `process.compose.readiness_probe.${at}`, message }));
  const liveness = liveness_probe && planProbe(liveness_probe, probeAt('liveness_probe'), (at, message) => issues.push({ file, path: `process.compose.liveness_probe.${at}`, message }));

  return {
    name: manifest.name,
    description: manifest.description,
    file,
    ...(manifest.renderer ? { renderer: manifest.renderer } : {}),
    binaries: manifest.binaries,
    binaryPaths,
    command: resolve(proc.command, 'process.command'),
    args: proc.args.map((arg, i) => resolve(arg, `process.args[${i}]`)),
    env,
    secretEnv: Object.keys(env).filter((key) => SECRET_KEY.test(key) || usesSecret(proc.env[key]!)).sort(),
    workingDir,
    ports: ports.get(manifest.name) ?? {},
    dependsOn: Object.fromEntries(Object.entries(depends_on ?? {}).map(([dep, { condition }]) => [dep, condition])),
    ...(readiness ? { readiness } : {}),
    ...(liveness ? { liveness } : {}),
    compose: { ...compose, ...(compose.ready_log_line ? { ready_log_line: resolve(compose.ready_log_line, 'process.compose.ready_log_line') } : {}) },
    config: resolveDeep(manifest.config, 'config', resolve) as Record<string, unknown>,
  };
}

/** True when the text reads an env var whose name looks like a secret. */
function usesSecret(text: string): boolean {
  const parsed = parsePlaceholders(text);
  return parsed.ok && parsed.segments.some((s) => typeof s !== 'string' && s.placeholder.kind === 'env' && SECRET_KEY.test(s.placeholder.name));
}

function resolveDeep(value: unknown, at: string, resolve: (value: string, at: string) => string): unknown {
  if (typeof value === 'string') return resolve(value, at);
  if (Array.isArray(value)) return value.map((item, i) => resolveDeep(item, `${at}[${i}]`, resolve));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveDeep(item, `${at}.${key}`, resolve)]));
  }
  return value;
}

function describe(p: Placeholder, self: string, binaries: readonly string[], ports: ReadonlyMap<string, Record<string, PlannedPort>>): string {
  switch (p.kind) {
    case 'dep':
      return `"${p.binary}" is not a binary of this service (declared: ${binaries.join(', ') || 'none'})`;
    case 'env':
      return envMissing(p.name);
    case 'port': {
      const service = p.service ?? self;
      const own = ports.get(service);
      if (!own) return `no service "${service}" (services: ${[...ports.keys()].join(', ')})`;
      return `service "${service}" has no port "${p.port}" (ports: ${Object.keys(own).join(', ') || 'none'})`;
    }
    case 'data':
    case 'stack':
      return 'always resolvable';
  }
}

export type { PortNumber };
