/**
 * Services → processes (pure). A service runs as one process of its own name
 * unless its renderer expands it (NATS `config.topology`): then each process
 * becomes a unit of its own, with the manifest's ports its role listens on.
 * A controller record's `topology`/`deployment` (overrides) replaces the
 * manifest's before anything is expanded. A `depends_on` naming an expanded
 * service is rewritten to every one of its processes, so PocketBase waits for
 * the whole cluster, here and in the generated process-compose.yaml.
 */
import type { LoadedHosts } from '../hosts/validate.js';
import type { Issue } from '../support/errors.js';
import type { Settings } from '../support/settings.js';
import type { LoadedManifest } from '../manifest/validate.js';
import { TopologyConfigSchema, topologyShape, validateTopology, type TopologyConfig } from '../manifest/topology.js';
import { clusteredReadinessUrl, natsProcesses, requiredPorts } from '../services/nats-topology.js';
import type { Manifest } from '../manifest/schema.js';
import { PROBE_DEFAULTS } from './probes.js';
import type { ProcessTopology } from './types.js';

/** A controller's replacement of one service's topology (src/controller/). */
export interface TopologyOverride {
  readonly topology?: unknown;
  readonly deployment?: unknown;
}

export interface TopologyOverrides {
  /** Where the overrides came from, for messages. */
  readonly file: string;
  readonly services: Readonly<Record<string, TopologyOverride>>;
}

/** One process to plan: its manifest (name = the process), and where it comes from. */
export interface PlanUnit extends LoadedManifest {
  readonly service: string;
  readonly index: number;
  readonly topology?: ProcessTopology;
}

export function expandServices(
  manifests: readonly LoadedManifest[],
  settings: Settings,
  overrides: TopologyOverrides | undefined,
  issues: Issue[],
  hosts?: LoadedHosts,
): PlanUnit[] {
  const known = new Set(manifests.map((m) => m.manifest.name));
  for (const service of Object.keys(overrides?.services ?? {}).sort()) {
    const target = manifests.find((m) => m.manifest.name === service);
    if (!target) issues.push({ file: overrides!.file, path: service, message: `names no service (services: ${[...known].join(', ')})` });
    else if (target.manifest.renderer !== 'nats') issues.push({ file: overrides!.file, path: service, message: `service "${service}" has no topology (only a NATS service has)` });
  }
  const groups = new Map<string, string[]>();
  const units: PlanUnit[] = [];
  for (const loaded of manifests) {
    const expanded = expandOne(loaded, settings, overrides, issues, hosts);
    groups.set(
      loaded.manifest.name,
      expanded.map((u) => u.manifest.name),
    );
    units.push(...expanded);
  }
  const owners = new Map<string, string>();
  for (const unit of units) {
    const owner = owners.get(unit.manifest.name);
    if (owner !== undefined && owner !== unit.service)
      issues.push({ file: unit.file, path: 'config.topology', message: `its process "${unit.manifest.name}" has the name of service "${owner}": rename one of them` });
    owners.set(unit.manifest.name, unit.service);
  }
  return units.map((unit) => withExpandedDependencies(unit, groups));
}

function expandOne(loaded: LoadedManifest, settings: Settings, overrides: TopologyOverrides | undefined, issues: Issue[], hosts?: LoadedHosts): PlanUnit[] {
  const { manifest, file } = loaded;
  if (manifest.renderer !== 'nats') return [{ ...loaded, service: manifest.name, index: 0 }];
  const override = overrides?.services[manifest.name];
  let config: TopologyConfig = TopologyConfigSchema.parse(manifest.config); // checked with the manifest
  if (override) {
    const found = validateTopology(overrides!.file, override, [manifest.name]);
    if (found.length) {
      issues.push(...found);
      return [];
    }
    config = TopologyConfigSchema.parse({ ...config, ...override });
  }
  const shape = topologyShape(config, settings.deployment, hosts ? hubHostCount(hosts, config.deployment?.[settings.deployment]?.hub_region) : 0);
  if (!shape.ok) {
    issues.push({ file: override?.deployment !== undefined ? overrides!.file : file, path: shape.path, message: shape.message });
    return [];
  }
  const specs = natsProcesses(manifest.name, shape.shape);
  const missing = [...new Set(specs.flatMap((s) => requiredPorts(s.topology)))].filter((port) => !(port in manifest.ports));
  if (missing.length) {
    issues.push({ file, path: 'ports', message: `topology "${shape.shape.topology}" needs port${missing.length === 1 ? '' : 's'} ${missing.map((p) => `"${p}"`).join(', ')}` });
    return [];
  }
  if (specs.length > 1 && !manifest.process.args.some((arg) => arg.includes('${process}'))) {
    issues.push({ file, path: 'process.args', message: 'several processes would read one config file: name it with ${process} (e.g. "${stack}/nats/${process}.conf")' });
    return [];
  }
  // A leaf starts once the hubs are healthy: its first connection then succeeds (else it retries a second later).
  const hubs = specs.filter((s) => s.topology.role === 'hub').map((s) => s.name);
  return specs.map((spec) => ({
    ...loaded,
    manifest: {
      ...manifest,
      process: withHubs(spec.topology.cluster ? clusteredProbe(manifest.process) : manifest.process, spec.topology.role === 'leaf' ? hubs : []),
      name: spec.name,
      config: { ...manifest.config, ...config },
      ports: Object.fromEntries(Object.entries(manifest.ports).filter(([name]) => !spec.dropPorts.includes(name))),
    },
    service: manifest.name,
    index: spec.topology.index,
    topology: spec.topology,
  }));
}

function withExpandedDependencies(unit: PlanUnit, groups: ReadonlyMap<string, readonly string[]>): PlanUnit {
  const compose = unit.manifest.process.compose;
  if (!compose.depends_on) return unit;
  const depends_on = Object.fromEntries(Object.entries(compose.depends_on).flatMap(([dep, condition]) => (groups.get(dep) ?? [dep]).map((name) => [name, condition] as const)));
  return { ...unit, manifest: { ...unit.manifest, process: { ...unit.manifest.process, compose: { ...compose, depends_on } } } };
}

/**
 * The process of each expanded service that `${svc.nats.port.client}` and
 * `${svc.nats.auth.url}` point at: the first one (the first hub in hub-spoke),
 * or, planning one host of several, the first that runs on that host (`local`):
 * a service on a leaf host talks to its own leaf, not across regions to a hub.
 */
export function primaryProcesses(units: readonly PlanUnit[], local?: (process: string) => boolean): Map<string, string> {
  const primary = new Map<string, string>();
  for (const unit of units) if (unit.service !== unit.manifest.name && !primary.has(unit.service)) primary.set(unit.service, unit.manifest.name);
  if (local)
    for (const [service] of primary) {
      const here = units.find((unit) => unit.service === service && unit.service !== unit.manifest.name && local(unit.manifest.name));
      if (here) primary.set(service, here.manifest.name);
    }
  return primary;
}

/**
 * A clustered node restarted on its stored state is not ready before its meta
 * leader is elected: a Raft election, 4–9 s by nats-server's timers. Its probe
 * is given CLUSTERED_PROBE_WINDOW_S before failures count as fatal (process-compose
 * stops a process whose readiness fails failure_threshold times in a row).
 */
const CLUSTERED_PROBE_WINDOW_S = 30;

function clusteredProbe(proc: Manifest['process']): Manifest['process'] {
  const probe = proc.compose.readiness_probe;
  if (!probe?.http_get?.url) return proc;
  const period = probe.period_seconds ?? PROBE_DEFAULTS.periodSeconds;
  const threshold = Math.max(probe.failure_threshold ?? PROBE_DEFAULTS.failureThreshold, Math.ceil(CLUSTERED_PROBE_WINDOW_S / period));
  return {
    ...proc,
    compose: { ...proc.compose, readiness_probe: { ...probe, failure_threshold: threshold, http_get: { ...probe.http_get, url: clusteredReadinessUrl(probe.http_get.url) } } },
  };
}

function withHubs(proc: Manifest['process'], hubs: readonly string[]): Manifest['process'] {
  if (hubs.length === 0) return proc;
  const depends_on = { ...proc.compose.depends_on, ...Object.fromEntries(hubs.map((hub) => [hub, { condition: 'process_healthy' as const }])) };
  return { ...proc, compose: { ...proc.compose, depends_on } };
}

/**
 * How many hosts the hub region has (placement.ts decides the same region: the
 * deployment's `hub_region`, else the one region every host is in; else none).
 */
function hubHostCount(hosts: LoadedHosts, hubRegion: string | undefined): number {
  const regions = Object.values(hosts.hosts).map((h) => h.region);
  const region = hubRegion ?? (new Set(regions).size === 1 ? regions[0] : undefined);
  return region === undefined ? 0 : regions.filter((r) => r === region).length;
}
