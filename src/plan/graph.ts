/** Dependency order: Kahn's algorithm with name order among equals, so it is deterministic. */
export function topologicalOrder(edges: ReadonlyMap<string, readonly string[]>): string[] {
  const remaining = new Map([...edges].map(([name, deps]) => [name, new Set(deps.filter((d) => edges.has(d)))]));
  const order: string[] = [];
  while (remaining.size > 0) {
    const ready = [...remaining]
      .filter(([, deps]) => deps.size === 0)
      .map(([name]) => name)
      .sort();
    if (ready.length === 0) throw new Error(`dependency cycle among ${[...remaining.keys()].join(', ')}`);
    for (const name of ready) {
      order.push(name);
      remaining.delete(name);
      for (const deps of remaining.values()) deps.delete(name);
    }
  }
  return order;
}

/** `names` plus everything they depend on, transitively. */
export function withDependencies(names: readonly string[], edges: ReadonlyMap<string, readonly string[]>): Set<string> {
  const result = new Set<string>();
  const visit = (name: string) => {
    if (result.has(name)) return;
    result.add(name);
    for (const dep of edges.get(name) ?? []) visit(dep);
  };
  names.forEach(visit);
  return result;
}
