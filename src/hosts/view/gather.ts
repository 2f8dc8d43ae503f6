/**
 * `core status --all-hosts` gathering the hosts' answers (pure): what came
 * back, when the wait is over, and a report per host. A host counts as
 * reachable only when its supervisor answered this request: a host that did
 * not is `unreachable`, never shown with the states it last had (which may
 * be long gone), only with the time of the last heartbeat seen while waiting.
 */
import { byHostName } from '../schema.js';
import type { HostIdentity, HostProcess, HostSnapshot } from './snapshot.js';

/** A host of the hosts file, and whether a NATS node runs on it (a host without one cannot report). */
export interface ExpectedHost extends HostIdentity {
  readonly nats: boolean;
}

export type HostReport =
  | (HostIdentity & {
      readonly reachable: true;
      readonly seq: number;
      readonly time: string;
      readonly processes: readonly HostProcess[];
      /** Answered though the hosts file here does not name it (a copy of the project out of date). */
      readonly unknown?: true;
    })
  | (HostIdentity & {
      readonly reachable: false;
      /** The time in its last heartbeat seen while waiting; null when none was. */
      readonly last_seen: string | null;
      readonly why: string;
    });

export class Gathering {
  private readonly answers = new Map<string, HostSnapshot>();
  private readonly heartbeats = new Map<string, HostSnapshot>();

  constructor(private readonly expected: readonly ExpectedHost[]) {}

  /** A supervisor's answer to this request. */
  answer(snapshot: HostSnapshot): void {
    keepNewest(this.answers, snapshot);
  }

  /** A snapshot on a host's own subject, seen while waiting. */
  heartbeat(snapshot: HostSnapshot): void {
    keepNewest(this.heartbeats, snapshot);
  }

  /** Every host that can answer has: no need to wait longer. */
  get complete(): boolean {
    return this.expected.every((h) => !h.nats || this.answers.has(h.host));
  }

  /** One report per host of the file (sorted by name), then any other host that answered. */
  reports(waitedMs: number): HostReport[] {
    const known = new Set(this.expected.map((h) => h.host));
    const named = [...this.expected]
      .sort((a, b) => byHostName(a.host, b.host))
      .map((h): HostReport => {
        const identity = { host: h.host, region: h.region, address: h.address };
        const answer = this.answers.get(h.host);
        if (answer) return { ...identity, reachable: true, seq: answer.seq, time: answer.time, processes: answer.processes };
        const heard = this.heartbeats.get(h.host);
        const why = !h.nats ? 'runs no NATS node: it cannot report' : `no answer in ${(waitedMs / 1000).toFixed(1)} s`;
        return { ...identity, reachable: false, last_seen: heard?.time ?? null, why };
      });
    const others = [...this.answers.values()]
      .filter((s) => !known.has(s.host))
      .sort((a, b) => byHostName(a.host, b.host))
      .map((s): HostReport => ({ host: s.host, region: s.region, address: s.address, reachable: true, seq: s.seq, time: s.time, processes: s.processes, unknown: true }));
    return [...named, ...others];
  }
}

/**
 * One supervisor's messages arrive in the order it sent them (one connection):
 * the last one received is its newest. Not the highest `seq`: a supervisor
 * started again counts from 0.
 */
function keepNewest(into: Map<string, HostSnapshot>, snapshot: HostSnapshot): void {
  into.set(snapshot.host, snapshot);
}
