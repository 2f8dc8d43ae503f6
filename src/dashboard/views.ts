/**
 * What the dashboard sends about the stack, built from the supervisor's
 * state. Pure: the engine's snapshot, the running document, the ports of the
 * state file and the timeline in; the JSON of `hello` and `processes` out
 * (docs/dashboard.md). Times are ms since the epoch (null: not yet).
 */
import type { ComposeDoc } from '../compose/schema.js';
import type { ProcessState } from '../engine/index.js';
import type { StateFile } from '../control/state-file.js';
import type { ProcessTimeline } from '../observe/timeline.js';

export interface Hello {
  readonly v: 1;
  readonly project: string;
  readonly root: string;
  readonly engine: 'builtin';
  readonly started_at: number;
  readonly depends_on: Readonly<Record<string, readonly string[]>>;
}

export interface PortLink {
  readonly name: string;
  readonly port: number;
  /** A link for ports that speak HTTP; null for the others (NATS, a cluster route). */
  readonly url: string | null;
}

export type ProcessView = ProcessState & {
  readonly service: string;
  /** What it waits for (as in `hello`, but current after an apply). */
  readonly depends_on: readonly string[];
  readonly ports: readonly PortLink[];
  readonly started_at: number | null;
  readonly ready_at: number | null;
  readonly first_started_at: number | null;
  readonly first_ready_at: number | null;
  /** The last lines of a process that failed or is restarting: what it said before it went. */
  readonly logs_tail?: readonly string[];
};

export type Ports = StateFile['ports'];

/** Lines of a failing process sent with it (the page shows them first). */
export const FAILURE_TAIL = 20;

export function helloOf(doc: ComposeDoc, project: { name: string; root: string; startedAt: number }): Hello {
  return {
    v: 1,
    project: project.name,
    root: project.root,
    engine: 'builtin',
    started_at: project.startedAt,
    depends_on: Object.fromEntries(Object.entries(doc.processes).map(([name, proc]) => [name, Object.keys(proc.depends_on ?? {})])),
  };
}

/**
 * A port link points at the loopback address even when a service listens on
 * all interfaces: the browser runs here. Only `http` gets a URL (an `https`
 * port would need the service's own certificate trusted; a NATS port is no page).
 */
export function portLinks(ports: Ports[string] | undefined): PortLink[] {
  return Object.entries(ports ?? {}).map(([name, p]) => ({ name, port: p.port, url: p.protocol === 'http' ? `http://127.0.0.1:${p.port}/` : null }));
}

/** A process the page should explain first: it failed, or crashed and waits to restart. */
export function isFailing(state: ProcessState): boolean {
  return state.status === 'Error' || state.status === 'Restarting' || (!state.is_running && state.status !== 'Completed' && state.exit_code !== 0);
}

const orNull = (value: number | undefined) => value ?? null;

export function processesOf(
  snapshot: readonly ProcessState[],
  doc: ComposeDoc,
  ports: Ports,
  timeline: (name: string) => Readonly<ProcessTimeline> | undefined,
  logs: (name: string, limit: number) => readonly string[] | undefined,
): ProcessView[] {
  return snapshot.map((state) => {
    const t = timeline(state.name);
    const tail = isFailing(state) ? logs(state.name, FAILURE_TAIL) : undefined;
    return {
      ...state,
      service: doc.processes[state.name]?.['x-core']?.service ?? state.name,
      depends_on: Object.keys(doc.processes[state.name]?.depends_on ?? {}),
      ports: portLinks(ports[state.name]),
      started_at: orNull(t?.startedAt),
      ready_at: orNull(t?.readyAt),
      first_started_at: orNull(t?.firstStartedAt),
      first_ready_at: orNull(t?.firstReadyAt),
      ...(tail?.length ? { logs_tail: [...tail] } : {}),
    };
  });
}

/** What changes with the clock alone (uptime) is left out: a list that differs only there is not sent again. */
export function changeKey(views: readonly ProcessView[]): string {
  return JSON.stringify(views.map(({ age: _age, system_time: _time, ...rest }) => rest));
}
