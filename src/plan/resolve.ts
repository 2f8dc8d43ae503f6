/**
 * Manifests + Settings → StackPlan. Pure: no file, clock or process is touched,
 * so `core generate`, `core up` and a later runtime reconfiguration share it.
 */
import path from 'node:path';
import { IssuesError, type Issue } from '../support/errors.js';
import type { Settings } from '../support/settings.js';
import type { LoadedManifest } from '../manifest/validate.js';
import { resolvePlaceholders, type Placeholder, type PlaceholderScope } from './placeholders.js';
import { planPortNumbers, type PortNumber } from './ports.js';
import { topologicalOrder } from './graph.js';
import { planProbe } from './probes.js';
import { SECRET_KEY, secretsRead, usesSecret } from './secrets.js';
import { secretRefusal } from './secret-places.js';
import { authMode, natsUrl, passwordVar, type Credentials, type StackCredentials } from './auth.js';
import { expandServices, primaryProcesses, type PlanUnit, type TopologyOverrides } from './expand.js';
import type { PlannedPort, PlannedService, StackPlan, TlsFiles } from './types.js';
import { HOST_IN_PATH, type Tls } from '../hosts/schema.js';
import { planLinkSecurity } from '../services/nats-security.js';
import { placeUnits } from '../hosts/host-plan.js';
import { inOrder, type Placement } from '../hosts/placement.js';
import type { LoadedHosts } from '../hosts/validate.js';
import { NATS_LOCAL_PORTS } from '../services/nats-topology.js';

export interface PlanInputs {
  readonly manifests: readonly LoadedManifest[];
  readonly settings: Settings;
  /** argv prefix that runs `core` itself (node + entry), for generated helper processes. */
  readonly self: readonly string[];
  /**
   * Generated credentials of the services that ask for them (`config.auth`),
   * per service name: read or created by src/services/credentials-file.ts.
   */
  readonly credentials?: StackCredentials;
  /** A controller's topology records, which win over the manifests' (src/plan/expand.ts). */
  readonly overrides?: TopologyOverrides;
  /** The hosts file, and the host this plan is for, if one is named (src/hosts/, docs/hosts.md). */
  readonly hosts?: { readonly file: LoadedHosts; readonly here?: string };
}

/** What `${svc.<name>.auth.*}` can see of every service. */
interface AuthTarget {
  readonly renderer?: string;
  readonly credentials?: Credentials;
  readonly client?: PlannedPort;
}

export function resolvePlan(inputs: PlanInputs): StackPlan {
  return resolveStack(inputs).plan;
}

/** The plan, and with a hosts file, where each process runs (its ports listen on that host's address). */
export function resolveStack({ manifests, settings, self, credentials = {}, overrides, hosts: hostsFile }: PlanInputs): { plan: StackPlan; placement?: Placement } {
  const expansionIssues: Issue[] = [];
  const units = expandServices(manifests, settings, overrides, expansionIssues, hostsFile?.file);
  if (expansionIssues.length > 0) throw new IssuesError(expansionIssues);
  const placed = hostsFile && placeUnits(units, manifests, settings, hostsFile.file);
  if (placed && !placed.ok) throw new IssuesError([...placed.issues]);
  const placement = placed?.placement;
  const numbers = planPortNumbers(units, settings);
  const issues: Issue[] = [...numbers.issues];
  const hosts = planHosts(units, settings, issues);
  const ports = new Map<string, Record<string, PlannedPort>>();
  for (const unit of units) {
    const { manifest } = unit;
    const own: Record<string, PlannedPort> = {};
    for (const [name, declared] of Object.entries(manifest.ports)) {
      const number = numbers.ports.get(manifest.name)?.get(name);
      const host = hosts.get(`${manifest.name}.${name}`) ?? (placement ? listenAddress(unit, name, placement, hostsFile!, settings.host) : settings.host);
      if (number) own[name] = { port: number.port, protocol: declared.protocol, host };
    }
    ports.set(manifest.name, own);
  }
  // An expanded service answers `${svc.<service>.*}` with its first process (on this host, if one runs here).
  const here = hostsFile?.here;
  const primaries = primaryProcesses(units, placement && here !== undefined ? (name) => placement.where.get(name)?.includes(here) ?? false : undefined);
  for (const [service, primary] of primaries) ports.set(service, ports.get(primary) ?? {});

  const auth = planAuthTargets(units, ports, credentials, issues);
  for (const [service, primary] of primaries) if (auth.has(primary)) auth.set(service, auth.get(primary)!);
  const tls = hostsFile?.file.tls;
  const planned = planLinkSecurity(
    units.map((unit) => planService(unit, settings, ports, auth, issues)),
    settings.env,
    tls && placement ? (p) => tlsFiles(tls, settings.root, hostOf(p.name, placement, hostsFile!)) : undefined,
  );
  if (issues.length > 0) throw new IssuesError(issues);

  const edges = new Map(planned.map((s) => [s.name, Object.keys(s.dependsOn)]));
  const order = topologicalOrder(edges);
  const byName = new Map(planned.map((s) => [s.name, s]));
  const plan: StackPlan = {
    root: settings.root,
    dataDir: settings.dataDir,
    stackDir: settings.stackDir,
    depDir: settings.depDir,
    services: order.map((name) => byName.get(name)!),
    self,
  };
  return placement ? { plan, placement: inOrder(placement, order) } : { plan };
}

/**
 * With a hosts file, a port the manifest gives no `host` listens on its
 * process's host's address (on this host's, for a process that runs on every
 * host): that is where the other hosts reach it. A port nothing on another
 * host needs (NATS monitoring) stays on CORE_HOST, loopback by default.
 */
function listenAddress(unit: PlanUnit, port: string, placement: Placement, hosts: NonNullable<PlanInputs['hosts']>, loopback: string): string {
  if (unit.manifest.renderer === 'nats' && NATS_LOCAL_PORTS.includes(port)) return loopback;
  const host = hostOf(unit.manifest.name, placement, hosts);
  return host === undefined ? loopback : hosts.file.hosts[host]!.address;
}

/** The host a process runs on, this one when it runs on several. */
function hostOf(process: string, placement: Placement, hosts: NonNullable<PlanInputs['hosts']>): string | undefined {
  const on = placement.where.get(process) ?? [];
  return hosts.here !== undefined && on.includes(hosts.here) ? hosts.here : on[0];
}

/** hosts.json `tls` for one host: `{host}` replaced, paths absolute. */
function tlsFiles(tls: Tls, root: string, host: string | undefined): TlsFiles | undefined {
  if (host === undefined) return undefined;
  const at = (file: string) => path.resolve(root, file.split(HOST_IN_PATH).join(host));
  return { ca: at(tls.ca), cert: at(tls.cert), key: at(tls.key) };
}

function planAuthTargets(
  units: readonly PlanUnit[],
  ports: ReadonlyMap<string, Record<string, PlannedPort>>,
  credentials: StackCredentials,
  issues: Issue[],
): Map<string, AuthTarget> {
  const auth = new Map<string, AuthTarget>();
  for (const { manifest, file, service } of units) {
    const wanted = authMode(manifest) === 'user-password';
    // One password per service: a client fails over between a cluster's nodes with one credential.
    const own = wanted ? credentials[service] : undefined;
    if (wanted && !own) issues.push({ file, path: 'config.auth', message: 'no credentials were loaded for this service (internal: load them before planning)' });
    const client = ports.get(manifest.name)?.client;
    auth.set(manifest.name, { ...(manifest.renderer ? { renderer: manifest.renderer } : {}), ...(own ? { credentials: own } : {}), ...(client ? { client } : {}) });
  }
  return auth;
}

function planHosts(manifests: readonly LoadedManifest[], settings: Settings, issues: Issue[]): Map<string, string> {
  const hosts = new Map<string, string>();
  for (const { manifest, file } of manifests) {
    for (const [name, declared] of Object.entries(manifest.ports)) {
      if (declared.host === undefined) continue;
      const scope = baseScope(settings, 'a port host may use only ${env.*}, ${data} and ${stack}');
      const resolved = resolvePlaceholders(declared.host, scope);
      const at = `ports.${name}.host`;
      const secrets = secretsRead(declared.host);
      if (secrets.length) issues.push({ file, path: at, message: secretRefusal(at, secrets) });
      else if (!resolved.ok) issues.push({ file, path: at, message: resolved.error });
      else if (!/^[A-Za-z0-9.:\-[\]]+$/.test(resolved.value)) issues.push({ file, path: at, message: `"${resolved.value}" is not a host name or IP address` });
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
    auth: () => undefined,
    describe: (p) => (p.kind === 'env' ? envMissing(p.name) : otherwise),
  };
}

function envMissing(name: string): string {
  return `${name} is not set (set it in .env or the environment, or give a default: \${env.${name}:-value})`;
}

function planService(
  { manifest, file, service, topology }: PlanUnit,
  settings: Settings,
  ports: ReadonlyMap<string, Record<string, PlannedPort>>,
  auth: ReadonlyMap<string, AuthTarget>,
  issues: Issue[],
): PlannedService {
  const binaryPaths = Object.fromEntries(manifest.binaries.map((b) => [b.name, path.join(settings.depDir, b.name)]));
  const scope: PlaceholderScope = {
    ...baseScope(settings, ''),
    dep: (binary) => binaryPaths[binary],
    port: (target, port, field) => {
      const planned = ports.get(target ?? manifest.name)?.[port];
      return planned && (field === 'host' ? planned.host : String(planned.port));
    },
    auth: (target, field) => authValue(auth.get(target), field),
    process: manifest.name,
    describe: (p) => describe(p, manifest.name, Object.keys(binaryPaths), ports, auth),
  };
  // Paths refused for reading a secret: nothing more is said about them, so no
  // later message can echo the value.
  const refused = new Set<string>();
  const resolve = (value: string, at: string): string => {
    if (!at.startsWith('process.env.')) {
      const secrets = secretsRead(value);
      if (secrets.length) {
        if (!refused.has(at)) issues.push({ file, path: at, message: secretRefusal(at, secrets) });
        refused.add(at);
        return '';
      }
    }
    const resolved = resolvePlaceholders(value, scope);
    if (resolved.ok) return resolved.value;
    issues.push({ file, path: at, message: resolved.error });
    return '';
  };

  const { process: proc } = manifest;
  const env = Object.fromEntries(Object.entries(proc.env).map(([key, value]) => [key, resolve(value, `process.env.${key}`)]));
  // The server's own password reaches it through its environment (nats.conf reads `$VAR`).
  const ownCredentials = auth.get(manifest.name)?.credentials;
  if (ownCredentials) env[passwordVar(manifest.name)] = ownCredentials.password;
  const defaultDir = service === manifest.name ? path.join(settings.dataDir, manifest.name) : path.join(settings.dataDir, service, manifest.name);
  const workingDir = proc.working_dir === undefined ? defaultDir : path.resolve(settings.root, resolve(proc.working_dir, 'process.working_dir'));
  const { depends_on, readiness_probe, liveness_probe, ...compose } = proc.compose;
  const probeAt = (which: string) => (value: string, at: string) => resolve(value, `process.compose.${which}.${at}`);
  const reportAt = (which: string) => (at: string, message: string) => {
    const where = `process.compose.${which}.${at}`;
    if (!refused.has(where)) issues.push({ file, path: where, message });
  };
  const readiness = readiness_probe && planProbe(readiness_probe, probeAt('readiness_probe'), reportAt('readiness_probe'));
  const liveness = liveness_probe && planProbe(liveness_probe, probeAt('liveness_probe'), reportAt('liveness_probe'));

  return {
    name: manifest.name,
    service,
    ...(topology ? { topology } : {}),
    description: manifest.description,
    file,
    ...(manifest.renderer ? { renderer: manifest.renderer } : {}),
    binaries: manifest.binaries,
    binaryPaths,
    command: resolve(proc.command, 'process.command'),
    args: proc.args.map((arg, i) => resolve(arg, `process.args[${i}]`)),
    env,
    secretEnv: Object.keys(env)
      .filter((key) => SECRET_KEY.test(key) || usesSecret(proc.env[key] ?? ''))
      .sort(),
    workingDir,
    ports: ports.get(manifest.name) ?? {},
    dependsOn: Object.fromEntries(Object.entries(depends_on ?? {}).map(([dep, { condition }]) => [dep, condition])),
    ...(readiness ? { readiness } : {}),
    ...(liveness ? { liveness } : {}),
    compose: { ...compose, ...(compose.ready_log_line ? { ready_log_line: resolve(compose.ready_log_line, 'process.compose.ready_log_line') } : {}) },
    config: resolveDeep(manifest.config, 'config', resolve) as Record<string, unknown>,
    ...(proc.watch
      ? {
          watch: {
            paths: proc.watch.paths.map((p, i) => path.resolve(settings.root, resolve(p, `process.watch.paths[${i}]`))),
            ignore: [...proc.watch.ignore],
            debounceMs: proc.watch.debounce_ms,
          },
        }
      : {}),
  };
}

function authValue(target: AuthTarget | undefined, field: 'user' | 'password' | 'url'): string | undefined {
  if (!target) return undefined;
  if (field === 'url') return target.renderer === 'nats' && target.client ? natsUrl(target.client.host, target.client.port, target.credentials) : undefined;
  if (!target.credentials) return undefined;
  return field === 'user' ? target.credentials.user : target.credentials.password;
}

function resolveDeep(value: unknown, at: string, resolve: (value: string, at: string) => string): unknown {
  if (typeof value === 'string') return resolve(value, at);
  if (Array.isArray(value)) return value.map((item, i) => resolveDeep(item, `${at}[${i}]`, resolve));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveDeep(item, `${at}.${key}`, resolve)]));
  }
  return value;
}

function describe(
  p: Placeholder,
  self: string,
  binaries: readonly string[],
  ports: ReadonlyMap<string, Record<string, PlannedPort>>,
  auth: ReadonlyMap<string, AuthTarget>,
): string {
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
    case 'auth': {
      const target = auth.get(p.service);
      if (!target) return `no service "${p.service}" (services: ${[...auth.keys()].join(', ')})`;
      if (target.renderer !== 'nats') return `service "${p.service}" has no generated credentials (only a NATS service with config.auth does)`;
      return `service "${p.service}" has no credentials: set "auth": "user-password" in its config (${p.field === 'url' ? 'and a port named "client"' : `the URL, \${svc.${p.service}.auth.url}, works either way`})`;
    }
    case 'process':
      return 'the process name is known only in the fields of a process (process.*, config.*)';
    case 'data':
    case 'stack':
      return 'always resolvable';
  }
}

export type { PortNumber };
