/**
 * What the supervisor tells the outside world, published once on its event bus
 * (event-bus.ts): the terminal printer, the state file, the event log
 * (event-record.ts, journal.ts), status and tests all subscribe. The state
 * machine decides most of these (`EventBody`); the runner adds the process
 * name, the time and the phases of the step that emitted it.
 */
import type { Stream } from './interfaces.js';
import type { ProbeKind } from './policy.js';
import type { Phase } from './state-model.js';

export type EventBody =
  | { readonly type: 'waiting'; readonly on: readonly string[] }
  | { readonly type: 'starting'; readonly restarts: number }
  | { readonly type: 'started'; readonly pid: number | undefined }
  | {
      readonly type: 'probe';
      readonly probe: ProbeKind;
      readonly ok: boolean;
      readonly error?: string;
      /** Consecutive failures counted against `failure_threshold` (0 before the first success). */
      readonly failures: number;
    }
  /**
   * `by: 'none'`: no readiness check, so "ready" only means spawned; `core up`
   * calls such a process running once it has stayed up for RUNNING_SETTLE_MS.
   */
  | { readonly type: 'ready'; readonly afterMs: number; readonly by: 'probe' | 'log' | 'none' }
  | {
      readonly type: 'exited';
      readonly code: number | null;
      readonly signal: string | null;
      readonly success: boolean;
      readonly error?: string;
    }
  | { readonly type: 'restart-scheduled'; readonly delayMs: number; readonly restarts: number; readonly reason: string }
  | { readonly type: 'skipped'; readonly reason: string; readonly cause: string }
  /** `is_daemon`: the launcher exited with a success code (`code`), its daemon runs on. */
  | { readonly type: 'launched'; readonly code: number | null }
  /** `command`: stopped by `shutdown.command`, not by `signal`. */
  | { readonly type: 'stopping'; readonly signal: number; readonly reason: string; readonly command?: true }
  /** `shutdown.command` failed or overran its timeout: SIGKILL follows. */
  | { readonly type: 'shutdown-failed'; readonly error: string }
  | { readonly type: 'killing'; readonly afterMs: number }
  | { readonly type: 'stopped' }
  /** Ended with a success exit code after running `afterMs`. */
  | { readonly type: 'completed'; readonly code: number | null; readonly afterMs: number }
  | { readonly type: 'failed'; readonly reason: string };

export type ProcessEvent = EventBody & {
  readonly name: string;
  readonly at: number;
  /** The process's phase before and after the transition that emitted this event (equal when it stayed). */
  readonly from: Phase;
  readonly to: Phase;
};

export type EngineEvent =
  | ProcessEvent
  | { readonly type: 'output'; readonly name: string; readonly at: number; readonly line: string; readonly stream: Stream }
  /** `exit_on_end`, `exit_on_failure` or `exit_on_skipped` fired: the whole stack is being stopped. */
  | { readonly type: 'project-exit'; readonly name: string; readonly at: number; readonly exitCode: number; readonly reason: string }
  /** A watched file changed (`process.watch`): the process is restarted by an apply of its running definition. */
  | { readonly type: 'watch-triggered'; readonly name: string; readonly at: number; readonly file: string; readonly changes: number }
  /**
   * An apply reloaded a kept process's config in place (`x-core.reload`, reload.ts): `signalled`
   * false when it already ran the new config; `digest` the verified one (null without `verify`).
   */
  | { readonly type: 'reloaded'; readonly name: string; readonly at: number; readonly afterMs: number; readonly signalled: boolean; readonly digest: string | null }
  /** An output line contained an `x-core.alerts` entry's `match` (once per alert per run): `message` says what it means. */
  | { readonly type: 'alert'; readonly name: string; readonly at: number; readonly message: string; readonly line: string }
  /** The new config was invalid (nothing signalled) or the process did not take it: it runs on its old one. */
  | { readonly type: 'reload-failed'; readonly name: string; readonly at: number; readonly message: string }
  | ApplyEvent
  | ControllerEvent;

/**
 * The topology controller (src/controller/) about a `core_topology` record or
 * its own connection: `reason` what happened (`nats: record refused`),
 * `message` why or what changed. Not about one process, so `name` is empty.
 */
export interface ControllerEvent {
  readonly type: 'controller';
  readonly name: '';
  readonly at: number;
  readonly ok: boolean;
  readonly reason: string;
  readonly message: string;
}

/** An apply (apply.ts): not about one process, so `name` is empty; `id` ties its three events together. */
export type ApplyEvent =
  | { readonly type: 'apply-started'; readonly name: ''; readonly at: number; readonly id: number; readonly dryRun: boolean }
  | {
      readonly type: 'apply-diff';
      readonly name: '';
      readonly at: number;
      readonly id: number;
      readonly added: readonly string[];
      readonly removed: readonly string[];
      /** Each with the fields that differ (secrets by key only). */
      readonly replaced: readonly { readonly name: string; readonly reasons: readonly string[] }[];
      /** Kept processes that took fields in place. */
      readonly updated: readonly { readonly name: string; readonly fields: readonly string[] }[];
      readonly unchanged: number;
    }
  | {
      readonly type: 'apply-finished';
      readonly name: '';
      readonly at: number;
      readonly id: number;
      readonly ok: boolean;
      readonly afterMs: number;
      /** Why it did not end well (a process not ready, the stack shutting down). */
      readonly message?: string;
    };

export type EventListener = (event: EngineEvent) => void;
