/**
 * A host's supervisor telling the other hosts about its processes: a snapshot
 * on its own subject at every state change (a burst goes out as one,
 * COALESCE_MS after its first event) and at least every HEARTBEAT_MS, and one
 * as the answer to each request on REQUEST_SUBJECT. The NATS side sits behind
 * `StatusLink` (link.ts), the time behind the engine's `Clock`, so a test
 * drives both.
 */
import type { Clock, TimerHandle } from '../../engine/interfaces.js';
import type { EngineEvent, Unsubscribe } from '../../engine/index.js';
import type { ProcessState } from '../../engine/snapshot.js';
import { COALESCE_MS, HEARTBEAT_MS, snapshotOf, statusSubject, type HostIdentity, type HostSnapshot } from './snapshot.js';

/** Where snapshots go. A publish while not connected is dropped: a stale heartbeat is worse than none. */
export interface StatusLink {
  publish(subject: string, payload: string): void;
  close(): Promise<void>;
}

/** What the publisher reads of the engine. */
export interface StatusSource {
  snapshot(): readonly ProcessState[];
  subscribe(listener: (event: EngineEvent) => void): Unsubscribe;
}

export interface PublisherOptions {
  readonly here: HostIdentity;
  readonly source: StatusSource;
  readonly serviceOf: (name: string) => string;
  readonly clock: Clock;
}

/** Whether an event is worth a snapshot of its own, before the next heartbeat. */
export function changesStatus(event: EngineEvent): boolean {
  switch (event.type) {
    case 'output':
    case 'controller':
    case 'apply-started':
      return false;
    case 'probe':
      // Failing probes come tens of milliseconds apart while a process starts: their error goes
      // out with the next heartbeat; a change of phase (ready, unhealthy) at once.
      return event.from !== event.to;
    default:
      return true;
  }
}

export class StatusPublisher {
  private seq = 0;
  private pending: TimerHandle | undefined;
  private beat: TimerHandle | undefined;
  private readonly unsubscribe: Unsubscribe;
  private closed = false;

  constructor(
    private readonly options: PublisherOptions,
    private readonly link: StatusLink,
  ) {
    this.unsubscribe = options.source.subscribe((event) => {
      if (changesStatus(event)) this.changed();
    });
    this.publish();
  }

  /** A fresh snapshot, counted: what a request is answered with. */
  snapshot(): HostSnapshot {
    const { here, source, serviceOf, clock } = this.options;
    this.seq += 1;
    return snapshotOf(here, source.snapshot(), serviceOf, this.seq, clock.now());
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    this.options.clock.clearTimeout(this.pending);
    this.options.clock.clearTimeout(this.beat);
    await this.link.close();
  }

  private changed(): void {
    if (this.closed || this.pending !== undefined) return;
    this.pending = this.options.clock.setTimeout(() => this.publish(), COALESCE_MS);
  }

  /** Publish now, and the next heartbeat one period from now. */
  private publish(): void {
    const { clock, here } = this.options;
    clock.clearTimeout(this.pending);
    clock.clearTimeout(this.beat);
    this.pending = undefined;
    if (this.closed) return;
    this.link.publish(statusSubject(here.host), JSON.stringify(this.snapshot()));
    this.beat = clock.setTimeout(() => this.publish(), HEARTBEAT_MS);
  }
}
