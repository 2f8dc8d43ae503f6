/**
 * Pure: which NATS processes make up a service's JetStream, and which
 * topology changes replace all of them (and so must carry their streams).
 * Process names follow the plan (issue 12): `nats` (single node), `nats-<n>`
 * (cluster), `nats-hub-<n>` and `nats-leaf-<region>[-<k>]` (hub-spoke).
 * Leaves keep their own domain's streams in their own store: they are not part
 * of the group that holds the service's streams.
 */
import path from 'node:path';
import type { PlannedService, StackPlan } from '../../plan/types.js';

export type Role = 'single' | 'node' | 'hub' | 'leaf';

/** The role a process name has within service `service`, or undefined when it is not one of its processes. */
export function roleOf(name: string, service: string): Role | undefined {
  if (name === service) return 'single';
  if (!name.startsWith(`${service}-`)) return undefined;
  const rest = name.slice(service.length + 1);
  if (/^\d+$/.test(rest)) return 'node';
  if (/^hub-\d+$/.test(rest)) return 'hub';
  if (/^leaf-.+$/.test(rest)) return 'leaf';
  return undefined;
}

/** Processes that hold the service's streams: the single node, the cluster's nodes or the hubs. */
export function holdsStreams(name: string, service: string): boolean {
  const role = roleOf(name, service);
  return role !== undefined && role !== 'leaf';
}

/** NATS services of the plan with JetStream on, each with its planned processes. */
export function natsServices(plan: StackPlan): Map<string, PlannedService[]> {
  const services = new Map<string, PlannedService[]>();
  for (const s of plan.services) {
    if (s.renderer !== 'nats' || s.config.jetstream === false) continue;
    const name = s.service;
    services.set(name, [...(services.get(name) ?? []), s]);
  }
  return services;
}

/** The folder the service's stores live in (`.data/nats`, the manifest's `store_dir`; services/nats.ts). */
export function storeBase(s: PlannedService): string {
  return String(s.config.store_dir ?? '');
}

/** Where a process of the service keeps its streams (nats-server's `store_dir`). */
export function storeOf(base: string, process: string, service: string): string {
  return process === service ? base : path.join(base, process);
}

export interface CarryNeeded {
  readonly service: string;
  /** The running processes that hold the streams now. */
  readonly from: readonly string[];
  /** The planned processes that will hold them. */
  readonly to: readonly PlannedService[];
  readonly base: string;
}

/**
 * A carry-over is needed where the plan replaces every process that holds a
 * service's streams (single node → cluster, cluster → hub-spoke, back to a
 * single node): none of them survives, so no replica carries the data along.
 */
export function carriesNeeded(runningNames: readonly string[], plan: StackPlan): CarryNeeded[] {
  const needed: CarryNeeded[] = [];
  for (const [service, processes] of natsServices(plan)) {
    const from = runningNames.filter((n) => holdsStreams(n, service));
    const to = processes.filter((s) => holdsStreams(s.name, service));
    if (from.length === 0 || to.length === 0) continue;
    if (from.some((n) => to.some((s) => s.name === n))) continue;
    needed.push({ service, from, to, base: storeBase(to[0]!) });
  }
  return needed;
}
