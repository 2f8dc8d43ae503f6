/**
 * Ports after overrides: CORE_PORT_<PROCESS>_<NAME> wins, else declared + CORE_PORT_OFFSET.
 * Process k (0-based) of a service that runs as several gets the service's port + k:
 * CORE_PORT_<SERVICE>_<NAME> then moves that base for all of them.
 */
import { portOverrideVar, type Settings } from '../support/settings.js';
import type { Issue } from '../support/errors.js';
import type { PlanUnit } from './expand.js';

export interface PortNumber {
  readonly port: number;
  /** Where the number came from, for messages. */
  readonly origin: string;
}

export function planPortNumbers(
  units: readonly Pick<PlanUnit, 'manifest' | 'file' | 'service' | 'index'>[],
  settings: Settings,
): { ports: Map<string, Map<string, PortNumber>>; issues: Issue[] } {
  const ports = new Map<string, Map<string, PortNumber>>();
  const issues: Issue[] = [];
  const owners = new Map<number, string>();
  // An offset that pushes ports past 65535 is one mistake: said once, naming the variable.
  const overflow: string[] = [];
  let highest = 0;
  for (const { manifest, file, service, index } of units) {
    const own = new Map<string, PortNumber>();
    ports.set(manifest.name, own);
    for (const [name, declared] of Object.entries(manifest.ports)) {
      const variable = portOverrideVar(manifest.name, name);
      const override = settings.portOverrides[variable];
      const base = service === manifest.name ? undefined : portOverrideVar(service, name);
      const baseOverride = base === undefined ? undefined : settings.portOverrides[base];
      const planned: PortNumber =
        override !== undefined
          ? { port: override, origin: variable }
          : baseOverride !== undefined
            ? { port: baseOverride + index, origin: index ? `${base} ${baseOverride} + ${index}` : base! }
            : { port: declared.port + settings.portOffset + index, origin: portOrigin(declared.port, settings.portOffset, index) };
      if (planned.port > 65535) {
        overflow.push(`${manifest.name}.${name} ${declared.port} → ${planned.port}`);
        highest = Math.max(highest, declared.port);
        // Planned at its declared number, so placeholders naming it (probe URLs) do not fail a
        // second time; the issue above stops the plan from being used.
        own.set(name, { port: declared.port, origin: 'declared' });
        continue;
      }
      const owner = owners.get(planned.port);
      if (owner) issues.push({ file, path: `ports.${name}.port`, message: `port ${planned.port} (${planned.origin}) is also used by ${owner}` });
      else owners.set(planned.port, `${manifest.name}.${name}${planned.origin === 'declared' ? '' : ` (${planned.origin})`}`);
      own.set(name, planned);
    }
  }
  if (overflow.length > 0) {
    const count = `${overflow.length} port${overflow.length === 1 ? '' : 's'}`;
    issues.push({
      file: 'environment',
      path: 'CORE_PORT_OFFSET',
      message: `${settings.portOffset} puts ${count} above 65535 (${overflow.join(', ')}); the largest offset that fits is ${65535 - highest}`,
    });
  }
  const known = [
    ...new Set(
      units.flatMap(({ manifest, service }) =>
        Object.keys(manifest.ports).flatMap((name) => [portOverrideVar(manifest.name, name), ...(service === manifest.name ? [] : [portOverrideVar(service, name)])]),
      ),
    ),
  ];
  for (const variable of Object.keys(settings.portOverrides).sort()) {
    if (!known.includes(variable)) issues.push({ file: 'environment', path: variable, message: `names no port of any service (ports: ${known.join(', ') || 'none'})` });
  }
  return { ports, issues };
}

function portOrigin(declared: number, offset: number, index: number): string {
  if (!offset && !index) return 'declared';
  return [`port ${declared}`, ...(offset ? [`CORE_PORT_OFFSET ${offset}`] : []), ...(index ? [`process index ${index}`] : [])].join(' + ');
}
