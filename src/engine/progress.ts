/**
 * What `core up` says while a target takes its time to be ready: after
 * PROGRESS_FIRST_MS, and every PROGRESS_EVERY_MS after that, one line per
 * target that is not up yet, naming what it waits for and why
 * (`api: GET http://127.0.0.1:3000/health → connect ECONNREFUSED …, 12 tries`,
 * `worker: waiting for log line "ready"`, `web: waiting for api`), rather than
 * silence. Fed by the supervisor's events; `progressLine` is pure.
 */
import type { EngineEvent } from './events.js';
import type { ProcessState } from './snapshot.js';

export const PROGRESS_FIRST_MS = 2000;
export const PROGRESS_EVERY_MS = 5000;

/** What is known of a target that is not up yet. */
export interface Waiting {
  readonly name: string;
  readonly phase: ProcessState['phase'];
  /** Failed readiness checks since it last started. */
  readonly tries: number;
  readonly lastProbeError: string | null;
  readonly logLine: string | null;
  /** The dependencies it waits for (phase `waiting`). */
  readonly on: readonly string[];
}

/** `GET url: error` reads as `GET url → error`: the probe, then what it met. */
const arrow = (error: string) => error.replace(/^(GET \S+|connect \S+): /, '$1 → ');

export function progressLine(w: Waiting): string | undefined {
  const tries = `${w.tries} ${w.tries === 1 ? 'try' : 'tries'}`;
  switch (w.phase) {
    case 'waiting':
      return `${w.name}: waiting for ${w.on.length ? w.on.join(', ') : 'its dependencies'}`;
    case 'backing-off':
      return `${w.name}: waiting to restart${w.lastProbeError ? ` (last probe error: ${w.lastProbeError})` : ''}`;
    case 'starting':
    case 'probing':
      if (w.logLine !== null) return `${w.name}: waiting for log line "${w.logLine}"`;
      if (w.lastProbeError) return `${w.name}: ${arrow(w.lastProbeError)}, ${tries}`;
      return `${w.name}: waiting for its readiness probe${w.tries ? `, ${tries}` : ''}`;
    default:
      return undefined;
  }
}

export interface ProgressHost {
  subscribe(listener: (event: EngineEvent) => void): () => void;
  snapshot(): ProcessState[];
}

/** Emit progress lines for `targets` until the returned stop is called. */
export function watchProgress(host: ProgressHost, targets: readonly string[], emit: (line: string) => void, firstMs = PROGRESS_FIRST_MS, everyMs = PROGRESS_EVERY_MS): () => void {
  const tries = new Map<string, number>();
  const on = new Map<string, readonly string[]>();
  const up = new Set<string>();
  const unsubscribe = host.subscribe((event) => {
    if (!('name' in event) || !targets.includes(event.name)) return;
    if (event.type === 'starting') tries.set(event.name, 0);
    if (event.type === 'probe' && !event.ok) tries.set(event.name, (tries.get(event.name) ?? 0) + 1);
    if (event.type === 'waiting') on.set(event.name, event.on);
    if (event.type === 'ready' || event.type === 'completed') up.add(event.name);
  });
  const tell = () => {
    for (const state of host.snapshot()) {
      if (!targets.includes(state.name) || up.has(state.name)) continue;
      const line = progressLine({
        name: state.name,
        phase: state.phase,
        tries: tries.get(state.name) ?? 0,
        lastProbeError: state.last_probe_error,
        logLine: state.waiting_for_log_line,
        on: on.get(state.name) ?? [],
      });
      if (line) emit(line);
    }
  };
  let timer = setTimeout(function again() {
    tell();
    timer = setTimeout(again, everyMs);
    timer.unref();
  }, firstMs);
  timer.unref();
  return () => {
    clearTimeout(timer);
    unsubscribe();
  };
}
