/**
 * The start-up waterfall: one bar per process from its first spawn to its
 * first readiness, relative to the stack's start, and the critical path: the
 * chain of depends_on that ends last (the last process to become ready, then
 * whichever of its dependencies became ready last, and so on), i.e. what to
 * make faster to bring the stack up sooner (process-compose's
 * `analyze critical-chain`). Pure.
 */
import { type Hello, type Proc, toMs } from './types.js';

export interface Bar {
  readonly name: string;
  /** ms after the stack's start. */
  readonly start: number;
  /** ms after the stack's start; undefined: not ready (yet). */
  readonly ready: number | undefined;
  readonly critical: boolean;
}

export interface Waterfall {
  readonly bars: Bar[];
  /** ms from the stack's start to the last bar's end (the chart's width). */
  readonly span: number;
  /** Root first. */
  readonly criticalPath: string[];
}

export function criticalPath(readyAt: ReadonlyMap<string, number>, dependsOn: Readonly<Record<string, readonly string[]>>): string[] {
  let last: string | undefined;
  for (const [name, at] of readyAt) if (last === undefined || at > readyAt.get(last)!) last = name;
  const chain: string[] = [];
  const seen = new Set<string>();
  while (last !== undefined && !seen.has(last)) {
    chain.push(last);
    seen.add(last);
    let next: string | undefined;
    for (const dep of dependsOn[last] ?? []) {
      const at = readyAt.get(dep);
      if (at !== undefined && (next === undefined || at > readyAt.get(next)!)) next = dep;
    }
    last = next;
  }
  return chain.reverse();
}

export function waterfall(processes: readonly Proc[], hello: Hello | undefined, now: number): Waterfall {
  const started = processes.map((p) => ({ name: p.name, start: toMs(p.first_started_at), ready: toMs(p.first_ready_at) })).filter((p) => p.start !== undefined);
  const zero = Math.min(toMs(hello?.started_at) ?? Number.POSITIVE_INFINITY, ...started.map((p) => p.start!));
  if (!Number.isFinite(zero)) return { bars: [], span: 0, criticalPath: [] };
  const readyAt = new Map(started.filter((p) => p.ready !== undefined).map((p) => [p.name, p.ready!]));
  const dependsOn: Record<string, readonly string[]> = { ...hello?.depends_on };
  for (const p of processes) if (Array.isArray(p.depends_on)) dependsOn[p.name] = p.depends_on;
  const path = criticalPath(readyAt, dependsOn);
  const onPath = new Set(path);
  const bars = started
    .map((p) => ({ name: p.name, start: p.start! - zero, ready: p.ready === undefined ? undefined : p.ready - zero, critical: onPath.has(p.name) }))
    .sort((a, b) => a.start - b.start || a.name.localeCompare(b.name));
  const ends = bars.map((b) => b.ready ?? Math.max(b.start, now - zero));
  return { bars, span: Math.max(1, ...ends), criticalPath: path };
}
