/**
 * The hosts' view on a supervisor that runs as a host of a hosts file
 * (supervise.ts starts it; without a host name nothing here runs: no timer,
 * no connection). It connects once one of this host's NATS nodes is ready and
 * publishes from then on (publisher.ts). A host with no NATS node of its own
 * cannot report: `core plan` says so, and `core status --all-hosts` shows it
 * unreachable.
 */
import { realClock, type Clock } from '../../engine/interfaces.js';
import type { StackPlan } from '../../plan/types.js';
import { natsStatusLink } from './link.js';
import { localNats } from './local-nats.js';
import { StatusPublisher, type StatusSource } from './publisher.js';
import type { HostIdentity } from './snapshot.js';

export interface HostView {
  close(): Promise<void>;
}

export interface HostViewOptions {
  readonly here: HostIdentity;
  readonly plan: Pick<StackPlan, 'services' | 'all'>;
  readonly source: StatusSource;
  readonly serviceOf: (name: string) => string;
  readonly note: (line: string) => void;
  readonly clock?: Clock;
}

/** Undefined when this host runs no NATS node. */
export function startHostView({ here, plan, source, serviceOf, note, clock = realClock }: HostViewOptions): HostView | undefined {
  const nats = localNats(plan);
  if (!nats) {
    // Worth a line only when the stack has NATS elsewhere (`core plan` notes it too); a stack without NATS has no view.
    if ((plan.all ?? []).some((s) => s.renderer === 'nats')) note(`hosts' view: host ${here.host} runs no NATS node, so it cannot report its processes to the other hosts`);
    return undefined;
  }
  let publisher: StatusPublisher | undefined;
  const link = natsStatusLink({ nats, name: `core supervisor (${here.host})`, answer: () => (publisher ? JSON.stringify(publisher.snapshot()) : ''), note });
  publisher = new StatusPublisher({ here, source, serviceOf, clock }, link);
  const nodes = new Set(nats.names);
  const stopWaiting = source.subscribe((event) => {
    if (event.type === 'ready' && nodes.has(event.name)) link.open();
  });
  return {
    async close() {
      stopWaiting();
      await publisher?.close();
      publisher = undefined;
    },
  };
}
