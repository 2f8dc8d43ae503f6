/**
 * `core up` on a stopped stack: streams in stores the plan will not use would
 * be left behind (a cluster never reads the single node's store, nor a single
 * node a cluster's). Refused before anything starts; nothing is touched.
 */
import path from 'node:path';
import type { StackPlan } from '../../plan/types.js';
import { InputError } from '../../support/errors.js';
import { holdsStreams, natsServices, storeBase, storeOf } from './groups.js';
import { streamsOnDisk, subfolders } from './store.js';

/** `only`: the processes about to start (a service not among them strands nothing). */
export function refuseStrandedStreams(plan: StackPlan, only?: readonly string[]): void {
  for (const [service, processes] of natsServices(plan)) {
    if (only && !processes.some((s) => only.includes(s.name))) continue;
    const planned = processes.filter((s) => holdsStreams(s.name, service)).map((s) => s.name);
    if (planned.length === 0) continue;
    const base = storeBase(processes[0]!);
    // The processes whose stores on disk hold streams: the single node's, and every cluster node's or hub's folder.
    const candidates = [service, ...subfolders(base).filter((name) => name !== service && holdsStreams(name, service))];
    const held = candidates.map((p) => ({ p, streams: streamsOnDisk(storeOf(base, p, service)) })).filter((h) => h.streams.length > 0);
    if (held.length === 0 || held.some((h) => planned.includes(h.p))) continue;
    const where = held.map((h) => {
      const store = storeOf(base, h.p, service);
      return path.relative(plan.root, h.p === service ? path.join(store, 'jetstream') : store);
    });
    const single = held.some((h) => h.p === service);
    throw new InputError(
      'streams-left-behind',
      `${service}: ${where.join(', ')} ${where.length === 1 ? 'holds' : 'hold'} JetStream streams that ${planned.join(', ')} would not have`,
      [
        ...held.map((h) => `  ${h.p}: ${h.streams.join(', ')}`),
        `start the stack as it was (${single ? 'topology "single-node"' : `with ${held.map((h) => h.p).join(', ')}`}), then change the topology on the running stack: \`core up\` carries the streams over`,
        `or, to start without them, move ${where.join(', ')} aside yourself (core never deletes it)`,
        'nothing was started or changed',
      ],
    );
  }
}
