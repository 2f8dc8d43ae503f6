/**
 * The supervisor's side of waitReady: a watcher that judges the targets
 * (wait-ready.ts, pure) after every drain of the input queue, and the two
 * timers it needs (the deadline, and a recheck when a process without a
 * readiness check will have settled, since nothing else happens then).
 */
import type { Clock } from './interfaces.js';
import type { LineRing } from './logs.js';
import type { ProcState } from './state.js';
import { describeTimeout, judge } from './wait-ready.js';
import type { NotReadyReason, ReadyView, WaitReadyOptions, WaitReadyResult } from './wait-ready.js';

/** What the watcher needs of the supervisor. */
export interface ReadyHost {
  readonly clock: Clock;
  readonly view: (name: string) => ReadyView;
  readonly shuttingDown: () => boolean;
  /** Ask `watcher` after every drain of the queue until it returns true. */
  readonly watch: (watcher: () => boolean) => void;
  /** Drain the queue now (an empty enqueue): the watchers are asked again. */
  readonly poke: () => void;
  /** A process's state and in-memory log, for a failure report. */
  readonly detail: (name: string) => { readonly state: ProcState; readonly ring: LineRing } | undefined;
}

/** Wait until every one of `all` is up, or one is not going to be, or `timeoutMs` passes. */
export function watchReady(host: ReadyHost, all: readonly string[], options: WaitReadyOptions): Promise<WaitReadyResult> {
  const { clock } = host;
  return new Promise((resolve) => {
    let timedOut = false;
    const timer = clock.setTimeout(() => {
      timedOut = true;
      host.poke();
    }, options.timeoutMs);
    // Nothing happens when a process without a check has settled: a timer asks again then.
    let recheck: { at: number; handle: unknown } | undefined;
    const clearRecheck = () => {
      if (recheck) clock.clearTimeout(recheck.handle);
      recheck = undefined;
    };
    host.watch(() => {
      const now = clock.now();
      const verdict = judge(all, host.view, now);
      if (verdict.kind === 'pending' && !timedOut && !host.shuttingDown()) {
        const at = verdict.recheckAt;
        if (at !== undefined && (!recheck || at < recheck.at)) {
          clearRecheck();
          recheck = {
            at,
            handle: clock.setTimeout(() => {
              recheck = undefined;
              host.poke();
            }, at - now),
          };
        }
        return false;
      }
      clock.clearTimeout(timer);
      clearRecheck();
      if (verdict.kind === 'ok') resolve({ ok: true, names: all, outcomes: verdict.outcomes });
      else if (verdict.kind === 'not-ready') resolve(notReady(host, verdict.reason, verdict.name, verdict.message, options));
      else if (timedOut) {
        const { name, message } = describeTimeout(all, host.view, options.timeoutMs);
        resolve(notReady(host, 'timeout', name, message, options));
      } else resolve(notReady(host, 'shutting-down', all[0] ?? '', 'the stack is shutting down', options));
      return true;
    });
    host.poke();
  });
}

/** A failure, with what there is to show of the process to blame: its exit, probe error and last lines. */
export function notReady(host: Pick<ReadyHost, 'detail'>, reason: NotReadyReason, name: string, message: string, options: WaitReadyOptions): WaitReadyResult & { ok: false } {
  const detail = host.detail(name);
  const state = detail?.state;
  return {
    ok: false,
    reason,
    name,
    message,
    exitCode: state?.lastExit ? (state.lastExit.code ?? -1) : null,
    lastProbeError: state?.lastProbeError ?? null,
    lastLines: detail?.ring.tail(options.lines ?? 20) ?? [],
  };
}
