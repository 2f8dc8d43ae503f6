/**
 * When each process started and became ready, kept from the supervisor's
 * first event on (the dashboard's start-up waterfall and the readiness
 * histogram of the metrics are asked for later, when the events are gone).
 * Cheap: a few numbers per process, updated on `starting`, `started` and
 * `ready` events only.
 */
import type { EngineEvent } from '../engine/index.js';

/**
 * Upper bounds (seconds) of the readiness-latency histogram: a local service
 * is ready in milliseconds to a few seconds; a Raft election takes ~5 s.
 */
export const READY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

export interface ReadyHistogram {
  /** Cumulative counts, one per READY_BUCKETS entry (≤ bound), as Prometheus wants them. */
  readonly buckets: number[];
  count: number;
  /** Seconds. */
  sum: number;
}

export interface ProcessTimeline {
  /** The first run: when it was spawned and became ready (ms since the epoch), for the start-up waterfall. */
  firstStartedAt: number | undefined;
  firstReadyAt: number | undefined;
  /** The current (or last) run. */
  startedAt: number | undefined;
  readyAt: number | undefined;
  /** Spawn → ready of every run. */
  readonly ready: ReadyHistogram;
}

export class Timeline {
  private readonly byName = new Map<string, ProcessTimeline>();
  /** When the supervisor began (ms since the epoch): the waterfall's zero. */
  readonly since = Date.now();

  /** Subscribe this to the engine's bus. */
  readonly observe = (event: EngineEvent): void => {
    if (event.type === 'started') {
      const t = this.entry(event.name);
      t.startedAt = event.at;
      t.readyAt = undefined;
      t.firstStartedAt ??= event.at;
    } else if (event.type === 'ready') {
      const t = this.entry(event.name);
      t.readyAt = event.at;
      if (t.firstReadyAt === undefined && t.firstStartedAt !== undefined) t.firstReadyAt = event.at;
      const seconds = event.afterMs / 1000;
      t.ready.count++;
      t.ready.sum += seconds;
      READY_BUCKETS.forEach((bound, i) => {
        if (seconds <= bound) t.ready.buckets[i]!++;
      });
    } else if (event.type === 'apply-diff') {
      // A replaced process starts a new first run (an apply's waterfall); a removed one is gone.
      for (const name of event.removed) this.byName.delete(name);
      for (const { name } of event.replaced) {
        const t = this.byName.get(name);
        if (t) {
          t.firstStartedAt = undefined;
          t.firstReadyAt = undefined;
        }
      }
    }
  };

  get(name: string): Readonly<ProcessTimeline> | undefined {
    return this.byName.get(name);
  }

  entries(): IterableIterator<[string, Readonly<ProcessTimeline>]> {
    return this.byName.entries();
  }

  private entry(name: string): ProcessTimeline {
    let t = this.byName.get(name);
    if (!t) {
      t = {
        firstStartedAt: undefined,
        firstReadyAt: undefined,
        startedAt: undefined,
        readyAt: undefined,
        ready: { buckets: READY_BUCKETS.map(() => 0), count: 0, sum: 0 },
      };
      this.byName.set(name, t);
    }
    return t;
  }
}
