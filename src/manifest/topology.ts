/**
 * NATS topology in a manifest's `config` (and in a controller record, which
 * overrides it): `topology` and the named `deployment`s, one of which is in
 * force (CORE_DEPLOYMENT, default `local`). Checked like every other manifest
 * value: a bad one is an issue with its file and JSON path.
 */
import { z } from 'zod';
import { jsonPath, type Issue } from '../support/errors.js';

export const TOPOLOGIES = ['single-node', 'cluster', 'hub-spoke'] as const;
export type Topology = (typeof TOPOLOGIES)[number];

/** A region names a leaf process (`nats-leaf-<region>`) and is its JetStream domain. */
export const REGION = /^[a-z][a-z0-9]*$/;
// Past this many servers one laptop's ports and CPUs are the limit, not NATS.
const MAX_NODES = 32;

/** At least 2: one clustered server with only itself as a route never elects a meta leader (measured: 503 for good). */
const nodeCount = (what: string) =>
  z.number().int().min(2, `a JetStream cluster needs at least 2 ${what} (3 to survive the loss of one); for one server use "topology": "single-node"`).max(MAX_NODES);

export const DeploymentSchema = z
  .strictObject({
    nodes: nodeCount('nodes').optional().describe('cluster: how many servers (nats-1 … nats-N). Default 3.'),
    hub_nodes: nodeCount('hub nodes').optional().describe('hub-spoke: how many hub servers (nats-hub-1 … nats-hub-N). Default min_hub_nodes, else 3.'),
    min_hub_nodes: nodeCount('hub nodes').optional().describe('hub-spoke: the fewest hub servers this deployment runs with (used when hub_nodes is not given).'),
    hub_region: z.string().regex(REGION, 'a region is lower-case letters and digits').optional().describe('hub-spoke: the hub\'s region: its JetStream domain (default "hub").'),
    leaf_regions: z
      .array(z.string().regex(REGION, 'a region is lower-case letters and digits'))
      .max(MAX_NODES)
      .refine((regions) => new Set(regions).size === regions.length, 'regions must be unique')
      .optional()
      .describe('hub-spoke: one leaf server (or cluster of them) per region, nats-leaf-<region>; the region is its JetStream domain.'),
    leaf_nodes_per_region: z
      .number()
      .int()
      .min(1)
      .max(MAX_NODES)
      .optional()
      .describe('hub-spoke: servers per leaf region (default 1); more than one form a cluster named after the region.'),
  })
  .describe('One deployment: how many servers, which regions.');
export type Deployment = z.infer<typeof DeploymentSchema>;

export const TopologyConfigSchema = z.object({
  topology: z.enum(TOPOLOGIES).optional().describe('"single-node" (default): one server. "cluster": nodes servers with routes. "hub-spoke": a hub cluster with leaf nodes.'),
  deployment: z
    .record(z.string().regex(/^[a-z][a-z0-9_-]*$/, 'deployment names are lower-case letters, digits, _ and -'), DeploymentSchema)
    .optional()
    .describe('Named deployments; CORE_DEPLOYMENT (default "local") picks one.'),
});
export type TopologyConfig = z.infer<typeof TopologyConfigSchema>;

/** `topology`/`deployment` of a manifest or a controller record; `at` prefixes each path (`config`). */
export function validateTopology(file: string, value: unknown, at: readonly (string | number)[] = ['config']): Issue[] {
  const parsed = TopologyConfigSchema.safeParse(value);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => ({ file, path: jsonPath([...at, ...issue.path] as (string | number)[]), message: issue.message }));
}

/** What a service runs as under one deployment. */
export interface TopologyShape {
  readonly topology: Topology;
  readonly nodes: number;
  readonly hubDomain: string;
  readonly leafRegions: readonly string[];
  readonly leafNodesPerRegion: number;
}

export type ShapeResult = { readonly ok: true; readonly shape: TopologyShape } | { readonly ok: false; readonly path: string; readonly message: string };

/**
 * The deployment in force, with defaults; an unknown deployment name is an error only where the topology needs one.
 * `hubHosts`: with a hosts file, how many hosts the hub region has. Where the deployment does not fix the
 * count (`nodes`, `hub_nodes`), each of them runs a member, and never fewer than `min_hub_nodes` (else 3):
 * adding a host to the hub region grows the cluster by one (docs/hosts.md, "Growing").
 */
export function topologyShape(config: TopologyConfig, deploymentName: string, hubHosts = 0): ShapeResult {
  const topology = config.topology ?? 'single-node';
  if (topology === 'single-node') return { ok: true, shape: { topology, nodes: 1, hubDomain: 'hub', leafRegions: [], leafNodesPerRegion: 1 } };
  const deployments = config.deployment ?? {};
  const names = Object.keys(deployments);
  const deployment = deployments[deploymentName];
  if (!deployment && names.length > 0) {
    return { ok: false, path: 'config.deployment', message: `CORE_DEPLOYMENT "${deploymentName}" names no deployment here (deployments: ${names.join(', ')})` };
  }
  const d = deployment ?? {};
  const atLeast = Math.max(d.min_hub_nodes ?? 3, hubHosts);
  if (topology === 'cluster') return { ok: true, shape: { topology, nodes: d.nodes ?? atLeast, hubDomain: 'hub', leafRegions: [], leafNodesPerRegion: 1 } };
  return {
    ok: true,
    shape: {
      topology,
      nodes: Math.max(d.hub_nodes ?? atLeast, d.min_hub_nodes ?? 0),
      hubDomain: d.hub_region ?? 'hub',
      leafRegions: d.leaf_regions ?? [],
      leafNodesPerRegion: d.leaf_nodes_per_region ?? 1,
    },
  };
}
