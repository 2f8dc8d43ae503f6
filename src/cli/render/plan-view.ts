/**
 * `core plan`: the placement as a JSON document and as lines (pure). Without a
 * hosts file the whole stack is one implicit host, `local`, on CORE_HOST.
 */
import type { Placement } from '../../hosts/placement.js';
import type { PlannedService } from '../../plan/types.js';
import { renderTable } from './table.js';

export interface PlanView {
  readonly hosts_file: string | null;
  readonly deployment: string;
  readonly hub_region: string | null;
  /** PocketBase's host (a single SQLite writer) and that of every "primary" service. */
  readonly primary: string | null;
  readonly hosts: readonly HostView[];
  readonly notes: readonly string[];
}

export interface HostView {
  readonly name: string;
  readonly address: string;
  readonly region: string | null;
  readonly primary: boolean;
  readonly processes: readonly { readonly name: string; readonly service: string; readonly role?: string }[];
  /** depends_on entries whose target runs on another host: this host's engine does not wait for them. */
  readonly not_gated: readonly { readonly process: string; readonly depends_on: string; readonly condition: string; readonly on: readonly string[] }[];
}

export const LOCAL_HOST = 'local';

export function planView(input: {
  readonly services: readonly PlannedService[];
  readonly placement?: Placement;
  readonly deployment: string;
  /** CORE_HOST, the address of the implicit host. */
  readonly address: string;
  /** Only this host. */
  readonly host?: string;
}): PlanView {
  const { services, placement } = input;
  const processView = (s: PlannedService) => ({ name: s.name, service: s.service, ...(s.topology && s.topology.role !== 'single' ? { role: s.topology.role } : {}) });
  if (!placement) {
    return {
      hosts_file: null,
      deployment: input.deployment,
      hub_region: null,
      primary: null,
      hosts: [{ name: LOCAL_HOST, address: input.address, region: null, primary: true, processes: services.map(processView), not_gated: [] }],
      notes: ['no hosts file: the whole stack runs on this machine (docs/hosts.md)'],
    };
  }
  const byName = new Map(services.map((s) => [s.name, s]));
  const hosts = placement.hosts
    .filter((h) => input.host === undefined || h.name === input.host)
    .map((h) => ({
      name: h.name,
      address: h.address,
      region: h.region,
      primary: h.name === placement.primary,
      processes: h.processes
        .map((name) => byName.get(name))
        .filter((s): s is PlannedService => s !== undefined)
        .map(processView),
      not_gated: placement.crossHost.filter((d) => d.host === h.name).map((d) => ({ process: d.process, depends_on: d.dependsOn, condition: d.condition, on: d.on })),
    }));
  return { hosts_file: placement.file, deployment: input.deployment, hub_region: placement.hubRegion, primary: placement.primary, hosts, notes: placement.notes };
}

export function planLines(view: PlanView): string[] {
  const head = view.hosts_file
    ? `${view.hosts_file}: hub region ${view.hub_region} (CORE_DEPLOYMENT=${view.deployment}); primary host ${view.primary} (*): PocketBase runs there only, as it is one SQLite writer`
    : `one host (CORE_DEPLOYMENT=${view.deployment})`;
  const rows = [
    ['HOST', 'ADDRESS', 'REGION', 'PROCESSES'],
    ...view.hosts.map((h) => [`${h.name}${h.primary && view.hosts_file ? ' *' : ''}`, h.address, h.region ?? '-', h.processes.map((p) => p.name).join(', ') || '-']),
  ];
  const lines = [head, ...renderTable(rows, { shrinkable: [], cap: 0 })];
  const notGated = view.hosts.flatMap((h) =>
    [...new Set(h.not_gated.map((d) => d.process))].map((process) => {
      const deps = h.not_gated.filter((d) => d.process === process).map((d) => `${d.depends_on} (on ${d.on.join(', ')})`);
      return `  ${h.name}: ${process} does not wait for ${deps.join(', ')}`;
    }),
  );
  if (notGated.length) lines.push("not gated across hosts (a host's engine sees only its own processes; each of these retries until its dependency answers):", ...notGated);
  for (const line of view.notes) lines.push(`note: ${line}`);
  return lines;
}
