/**
 * Which processes a NATS service runs as (pure): `single-node` → `nats`;
 * `cluster` → `nats-1` … `nats-N`; `hub-spoke` → `nats-hub-1` … `nats-hub-N`
 * and `nats-leaf-<region>` (`nats-leaf-<region>-<k>` with several per region).
 * Each process keeps only the ports its role listens on; the renderer
 * (nats.ts) writes each one's config from the plan.
 */
import type { ProcessTopology } from '../plan/types.js';
import type { TopologyShape } from '../manifest/topology.js';

export interface ProcessSpec {
  readonly name: string;
  readonly topology: ProcessTopology;
  /** The manifest's ports this process does not listen on. */
  readonly dropPorts: readonly string[];
}

/** Ports the renderer needs per role, for the message when a manifest lacks one. */
export const NATS_PORTS = { client: 'client', monitor: 'monitor', cluster: 'cluster', leafnodes: 'leafnodes' } as const;

/** Ports only this host's own checks use: with a hosts file they stay on loopback (docs/hosts.md). */
export const NATS_LOCAL_PORTS: readonly string[] = [NATS_PORTS.monitor];

/**
 * Leaves count their ports from here, not from after the last hub: adding a hub
 * must not move a running leaf's ports (and one leaf more is one process more).
 * Above the most hubs a deployment may have (32).
 */
export const LEAF_INDEX = 100;

export function natsProcesses(service: string, shape: TopologyShape): ProcessSpec[] {
  const { cluster, leafnodes } = NATS_PORTS;
  if (shape.topology === 'single-node') return [{ name: service, topology: { role: 'single', index: 0 }, dropPorts: [cluster, leafnodes] }];
  if (shape.topology === 'cluster') {
    return range(shape.nodes).map((i) => ({ name: `${service}-${i + 1}`, topology: { role: 'node', index: i, cluster: service }, dropPorts: [leafnodes] }));
  }
  const hubs: ProcessSpec[] = range(shape.nodes).map((i) => ({
    name: `${service}-hub-${i + 1}`,
    topology: { role: 'hub', index: i, domain: shape.hubDomain, cluster: shape.hubDomain },
    dropPorts: [],
  }));
  const per = shape.leafNodesPerRegion;
  const leaves = shape.leafRegions.flatMap((region, r) =>
    range(per).map((k) => ({
      name: per === 1 ? `${service}-leaf-${region}` : `${service}-leaf-${region}-${k + 1}`,
      topology: { role: 'leaf' as const, index: LEAF_INDEX + r * per + k, region, domain: region, ...(per > 1 ? { cluster: region } : {}) },
      dropPorts: per > 1 ? [leafnodes] : [cluster, leafnodes],
    })),
  );
  return [...hubs, ...leaves];
}

/** The ports a role listens on and must be declared. */
export function requiredPorts(topology: ProcessTopology): string[] {
  const { client, monitor, cluster, leafnodes } = NATS_PORTS;
  return [client, monitor, ...(topology.cluster ? [cluster] : []), ...(topology.role === 'hub' ? [leafnodes] : [])];
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * A clustered server is ready when `/healthz` answers 200 with no query: 503
 * until it knows the meta leader. `js-enabled-only=true` answers 200 at once
 * and proves nothing about the cluster (measured, nats-server 2.14.5).
 */
export function clusteredReadinessUrl(url: string): string {
  return url.replace(/([?&])js-enabled-only=true(&|$)/, (_, before: string, after: string) => (after ? before : '')).replace(/[?&]$/, '');
}
