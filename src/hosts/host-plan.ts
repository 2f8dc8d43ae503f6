/**
 * The stack's plan → one host's (pure): the hub region the NATS manifests name,
 * the placement of every process, and the plan of the processes one host runs.
 */
import type { Issue } from '../support/errors.js';
import type { Settings } from '../support/settings.js';
import type { LoadedManifest } from '../manifest/validate.js';
import { TopologyConfigSchema } from '../manifest/topology.js';
import type { StackPlan } from '../plan/types.js';
import type { PlanUnit } from '../plan/expand.js';
import { placeProcesses, type HubRegionSource, type PlaceableProcess, type PlacementResult } from './placement.js';
import type { LoadedHosts } from './validate.js';

/** `hub_region` of the deployment in force, from the NATS manifests; two that differ are an issue. */
export function hubRegionOf(manifests: readonly LoadedManifest[], deployment: string): { source?: HubRegionSource; issues: Issue[] } {
  const found: HubRegionSource[] = [];
  for (const { manifest, file } of manifests) {
    if (manifest.renderer !== 'nats') continue;
    const config = TopologyConfigSchema.safeParse(manifest.config);
    const region = config.success ? config.data.deployment?.[deployment]?.hub_region : undefined;
    if (region) found.push({ region, file, path: `config.deployment.${deployment}.hub_region` });
  }
  const first = found[0];
  const other = found.find((f) => f.region !== first?.region);
  if (first && other)
    return { issues: [{ file: other.file, path: other.path, message: `"${other.region}" differs from "${first.region}" (${first.file}): one stack has one hub region` }] };
  return { ...(first ? { source: first } : {}), issues: [] };
}

/** Every process of the stack placed on the hosts (`units`: the plan's processes, before their values are resolved). */
export function placeUnits(units: readonly PlanUnit[], manifests: readonly LoadedManifest[], settings: Pick<Settings, 'deployment'>, hosts: LoadedHosts): PlacementResult {
  const hub = hubRegionOf(manifests, settings.deployment);
  if (hub.issues.length) return { ok: false, issues: hub.issues };
  const processes: PlaceableProcess[] = units.map(({ manifest, file, service, topology }) => ({
    name: manifest.name,
    service,
    file,
    ...(manifest.renderer ? { renderer: manifest.renderer } : {}),
    ...(topology ? { topology } : {}),
    ...(manifest.placement ? { placement: manifest.placement } : {}),
    dependsOn: Object.fromEntries(Object.entries(manifest.process.compose.depends_on ?? {}).map(([dep, { condition }]) => [dep, condition])),
  }));
  const natsFiles = manifests.filter((m) => m.manifest.renderer === 'nats').map((m) => m.file);
  return placeProcesses({ processes, hosts, ...(hub.source ? { hubRegion: hub.source } : {}), natsFiles });
}

/**
 * The processes `host` runs, with every `depends_on` on another host's process
 * left out: this host's engine cannot see that process, so it cannot gate a
 * start on it (the process's own retries cover the wait; docs/hosts.md).
 * `all` keeps the whole stack, for what links across hosts (NATS routes).
 */
export function planForHost(plan: StackPlan, where: ReadonlyMap<string, readonly string[]>, host: string): StackPlan {
  const here = (name: string) => where.get(name)?.includes(host) ?? false;
  const services = plan.services
    .filter((s) => here(s.name))
    .map((s) => {
      const kept = Object.entries(s.dependsOn).filter(([dep]) => here(dep));
      return kept.length === Object.keys(s.dependsOn).length ? s : { ...s, dependsOn: Object.fromEntries(kept) };
    });
  return { ...plan, services, all: plan.all ?? plan.services, host };
}
