/**
 * Which host runs which process (pure): the same answer on every host, from
 * the plan's processes, the NATS deployment's hub region and the hosts file.
 *
 * - NATS cluster nodes and hubs: round-robin over the hub region's hosts
 *   (sorted by name); a single-node NATS on the primary host.
 * - NATS leaf nodes: round-robin over their own region's hosts.
 * - PocketBase: the primary host, the first of the hub region by name. It is
 *   one SQLite writer: it cannot run on two hosts.
 * - Caddy: every host (each one proxies to PocketBase's host).
 * - Any other service: its manifest's `placement`, "primary" (default: with
 *   PocketBase, which most services talk to) or "every".
 *
 * A dependency on a process of another host cannot be gated by this host's
 * engine: it is listed in `crossHost` and left out of the host's plan.
 */
import type { DependencyCondition } from '../manifest/compose-keys.js';
import type { Issue } from '../support/errors.js';
import type { ProcessTopology } from '../plan/types.js';
import { byHostName } from './schema.js';
import type { LoadedHosts } from './validate.js';

export const PLACEMENTS = ['primary', 'every'] as const;
export type PlacementRule = (typeof PLACEMENTS)[number];

export interface PlaceableProcess {
  readonly name: string;
  readonly service: string;
  /** Its manifest, for messages. */
  readonly file: string;
  readonly renderer?: 'nats' | 'caddy' | 'pocketbase';
  readonly topology?: ProcessTopology;
  /** The manifest's `placement`, if it says. */
  readonly placement?: PlacementRule;
  readonly dependsOn: Readonly<Record<string, DependencyCondition>>;
}

/** The hub region as a NATS manifest names it (`config.deployment.<name>.hub_region`). */
export interface HubRegionSource {
  readonly region: string;
  readonly file: string;
  readonly path: string;
}

export interface PlacementInputs {
  readonly processes: readonly PlaceableProcess[];
  readonly hosts: LoadedHosts;
  readonly hubRegion?: HubRegionSource;
  /** The NATS manifests, for a message that says where to name the hub region. */
  readonly natsFiles?: readonly string[];
}

export interface PlacedHost {
  readonly name: string;
  readonly address: string;
  readonly region: string;
  /** The processes it runs, in the plan's order. */
  readonly processes: readonly string[];
}

/** A `depends_on` whose target runs on another host: not gated there (docs/hosts.md). */
export interface CrossHostDependency {
  readonly host: string;
  readonly process: string;
  readonly dependsOn: string;
  readonly condition: DependencyCondition;
  /** Where the dependency runs. */
  readonly on: readonly string[];
}

export interface Placement {
  readonly file: string;
  readonly hubRegion: string;
  /** PocketBase's host (and every "primary" service's): the hub region's first host by name. */
  readonly primary: string;
  /** Every host of the file, sorted by name. */
  readonly hosts: readonly PlacedHost[];
  /** The hosts each process runs on. */
  readonly where: ReadonlyMap<string, readonly string[]>;
  readonly crossHost: readonly CrossHostDependency[];
  /** What a reader of `core plan` should know (a quorum on one host, a host with nothing of its region). */
  readonly notes: readonly string[];
}

export type PlacementResult = { readonly ok: true; readonly placement: Placement } | { readonly ok: false; readonly issues: readonly Issue[] };

export function placeProcesses({ processes, hosts, hubRegion, natsFiles = [] }: PlacementInputs): PlacementResult {
  const file = hosts.file;
  const names = Object.keys(hosts.hosts).sort(byHostName);
  const inRegion = (region: string) => names.filter((name) => hosts.hosts[name]!.region === region);
  const regions = [...new Set(names.map((name) => hosts.hosts[name]!.region))].sort();
  const issues: Issue[] = [];

  const hub = chooseHubRegion(hubRegion, regions, file, natsFiles);
  if (!hub.ok) return { ok: false, issues: [hub.issue] };
  const hubHosts = inRegion(hub.region);
  if (hubHosts.length === 0) {
    const where = hubRegion ? ` (${hubRegion.file}: ${hubRegion.path})` : '';
    return { ok: false, issues: [{ file, path: 'hosts', message: `no host in region "${hub.region}", the hub region${where}: hosts are in ${regions.join(', ')}` }] };
  }
  const primary = hubHosts[0]!;

  const where = new Map<string, string[]>();
  const leafCount = new Map<string, number>();
  for (const p of processes) {
    if (p.renderer === 'nats' && p.placement !== undefined && !issues.some((i) => i.file === p.file))
      issues.push({ file: p.file, path: 'placement', message: 'NATS is placed by its topology (hubs in the hub region, leaves in theirs): remove "placement"' });
    const role = p.topology?.role;
    if (role === 'node' || role === 'hub') where.set(p.name, [hubHosts[p.topology!.index % hubHosts.length]!]);
    else if (role === 'leaf') {
      const region = p.topology!.region!;
      const own = inRegion(region);
      const k = leafCount.get(region) ?? 0;
      leafCount.set(region, k + 1);
      if (own.length === 0) {
        if (k === 0)
          issues.push({ file, path: 'hosts', message: `no host in region "${region}", which runs ${p.name} (a leaf region of ${p.file}): add a host with "region": "${region}"` });
        continue;
      }
      where.set(p.name, [own[k % own.length]!]);
    } else if (p.renderer === 'pocketbase') {
      if (p.placement === 'every')
        issues.push({ file: p.file, path: 'placement', message: 'PocketBase is one SQLite writer: it runs on one host (the primary), never on "every"' });
      where.set(p.name, [primary]);
    } else if (p.renderer === 'caddy') where.set(p.name, p.placement === 'primary' ? [primary] : names);
    else if (p.renderer === 'nats')
      where.set(p.name, [primary]); // a single-node NATS
    else where.set(p.name, p.placement === 'every' ? names : [primary]);
  }
  if (issues.length) return { ok: false, issues };

  const placed = names.map((name) => ({
    name,
    address: hosts.hosts[name]!.address,
    region: hosts.hosts[name]!.region,
    processes: processes.filter((p) => where.get(p.name)?.includes(name)).map((p) => p.name),
  }));
  const crossHost: CrossHostDependency[] = [];
  for (const host of placed) {
    for (const name of host.processes) {
      const p = processes.find((q) => q.name === name)!;
      for (const [dep, condition] of Object.entries(p.dependsOn)) {
        const on = where.get(dep) ?? [];
        if (on.length && !on.includes(host.name)) crossHost.push({ host: host.name, process: name, dependsOn: dep, condition, on });
      }
    }
  }
  return { ok: true, placement: { file, hubRegion: hub.region, primary, hosts: placed, where, crossHost, notes: notes(processes, where, placed, hub.region) } };
}

function chooseHubRegion(
  source: HubRegionSource | undefined,
  regions: readonly string[],
  file: string,
  natsFiles: readonly string[],
): { ok: true; region: string } | { ok: false; issue: Issue } {
  if (source) return { ok: true, region: source.region };
  if (regions.length === 1) return { ok: true, region: regions[0]! };
  const fix = natsFiles.length
    ? `name it as "hub_region" in the deployment in force of ${natsFiles.join(', ')} (config.deployment.<CORE_DEPLOYMENT>.hub_region)`
    : 'without NATS, which names it, put every host in one region';
  return { ok: false, issue: { file, path: 'hosts', message: `hosts are in ${regions.length} regions (${regions.join(', ')}) and no hub region is named: ${fix}` } };
}

function notes(processes: readonly PlaceableProcess[], where: ReadonlyMap<string, readonly string[]>, hosts: readonly PlacedHost[], hubRegion: string): string[] {
  const out: string[] = [];
  // A Raft quorum is a majority: one host holding that many members takes the cluster down with it.
  const clusters = new Map<string, string[]>();
  for (const p of processes) {
    const cluster = p.topology?.cluster;
    if (cluster && p.topology?.role !== 'leaf') clusters.set(`${p.service}/${cluster}`, [...(clusters.get(`${p.service}/${cluster}`) ?? []), p.name]);
  }
  for (const [key, members] of clusters) {
    const quorum = Math.floor(members.length / 2) + 1;
    for (const host of hosts) {
      const here = members.filter((m) => where.get(m)?.includes(host.name));
      if (here.length >= quorum)
        out.push(
          `${here.join(', ')} (${here.length} of ${members.length} members of ${key.split('/')[0]}'s cluster) run on ${host.name}: losing that host loses the quorum; give region "${hubRegion}" ${members.length} hosts`,
        );
    }
  }
  for (const host of hosts) {
    const own = host.processes.filter((name) => (where.get(name)?.length ?? 0) === 1);
    if (own.length === 0 && host.region !== hubRegion) out.push(`${host.name} (region ${host.region}) runs only what runs on every host: no NATS leaf region is "${host.region}"`);
  }
  // The hosts' view goes over each host's own node (src/hosts/view/): without one, a host cannot report.
  const nats = processes.filter((p) => p.renderer === 'nats').map((p) => p.name);
  for (const host of hosts) {
    if (nats.length && !host.processes.some((name) => nats.includes(name)))
      out.push(`${host.name} runs no NATS node: its supervisor cannot report its processes, \`core status --all-hosts\` shows it unreachable`);
  }
  return out;
}

/** The same placement with each host's processes (and what they wait for) in `order`, the plan's dependency order. */
export function inOrder(placement: Placement, order: readonly string[]): Placement {
  const rank = new Map(order.map((name, i) => [name, i]));
  const by = (a: string, b: string) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0);
  return {
    ...placement,
    hosts: placement.hosts.map((h) => ({ ...h, processes: [...h.processes].sort(by) })),
    crossHost: [...placement.crossHost].sort((a, b) => a.host.localeCompare(b.host) || by(a.process, b.process)),
  };
}
