/**
 * Names on the command line → process names. A service that runs as several
 * processes (a NATS cluster: nats-1 … nats-3) is named by its service name
 * (`core logs nats`, `core up nats`) or by one of its processes (`nats-2`).
 */
export interface NamedProcess {
  readonly name: string;
  readonly service: string;
}

export function expandNames(asked: readonly string[], processes: readonly NamedProcess[]): { names: string[]; unknown: string[] } {
  const names: string[] = [];
  const unknown: string[] = [];
  for (const name of asked) {
    const own = processes.filter((p) => p.name === name);
    const found = own.length ? own : processes.filter((p) => p.service === name);
    if (found.length === 0) unknown.push(name);
    for (const p of found) if (!names.includes(p.name)) names.push(p.name);
  }
  return { names, unknown };
}

/** Process → service pairs from the state file's `services` map (only expanded ones are listed). */
export function namedProcesses(names: readonly string[], services: Readonly<Record<string, string>> = {}): NamedProcess[] {
  return names.map((name) => ({ name, service: services[name] ?? name }));
}
