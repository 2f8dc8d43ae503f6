/**
 * The one engine interface. Both engines, the built-in supervisor
 * (`engines/builtin/`) and the real process-compose (`engines/process-compose/`),
 * sit behind it, so no command asks which one runs; `engines/index.ts` is the
 * one place that picks an engine by its name.
 *
 * An engine has two faces:
 * - `EngineLauncher`: starts a stack (`core up`, from nothing), in the
 *   foreground or detached, and answers with one `ReadyResult`.
 * - `StackEngine`: a running stack as a command sees it (`core apply`, `start`,
 *   `stop`, `restart`, `events`, `up` on a running stack): snapshot, logs, apply,
 *   stop, events.
 * Where the engines differ, the interface says so as values: `lacks(feature)`
 * gives the error the CLI shows, and `Applied` says how a change was carried out.
 * Types only: loading this costs nothing.
 */
import type { ChildProcess } from 'node:child_process';
import type { GeneratedStack } from '../compose/generate.js';
import type { EventsPage, FollowEnd } from '../control/client.js';
import type { EngineEvent, EventRecord, ProcessOutcome, ProcessState, Reloaded, StackDiff } from '../engine/index.js';
import type { StackPlan } from '../plan/types.js';
import type { CoreError } from '../support/errors.js';
import type { EngineName, Settings } from '../support/settings.js';

/** Why a process is not up, with what helps to see why. */
export interface NotReady {
  readonly ok: false;
  /** The process to blame (for a skipped one, the dependency that failed when known). */
  readonly name: string;
  readonly message: string;
  readonly lastProbeError: string | null;
  readonly lastLines: readonly string[];
}

/**
 * The one readiness result of both engines: `core up` (foreground, detached,
 * the detached supervisor's answer), an apply, `core restart --wait`. The
 * built-in engine's `WaitReadyResult` is one (with more detail).
 */
export type ReadyResult = { readonly ok: true; readonly outcomes: readonly ProcessOutcome[] } | NotReady;

/** What an apply did (the `x-core.apply` part of a `POST /project` answer, control/project-route.ts). */
export interface ApplyReport {
  readonly ok: boolean;
  readonly diff: StackDiff;
  readonly started: readonly string[];
  readonly stopped: readonly string[];
  readonly outcomes?: readonly ProcessOutcome[];
  /** Kept processes whose config was reloaded in place (`x-core.reload`), with the time it took. */
  readonly reloaded?: readonly Reloaded[];
  /** `names`: every process whose config reload failed (they run on their old config). */
  readonly failure?: Omit<NotReady, 'ok'> & { readonly names?: readonly string[] };
}

/** The stack as the manifests and `.env` define it now. */
export interface DesiredStack {
  readonly settings: Settings;
  readonly plan: StackPlan;
  readonly generated: GeneratedStack;
}

/** What a command asks of a running stack. */
export interface StackChange {
  /**
   * `apply`: the whole document (`core apply`); `up`: the whole document, and bring
   * up `names` (`core up` on a running stack; all enabled when empty); `start`:
   * bring up `names` as the stack defines them; `restart`: `names` again, with
   * their definition from the manifests where the engine can.
   */
  readonly kind: 'apply' | 'up' | 'start' | 'restart';
  readonly names: readonly string[];
  /** Loaded only when the engine needs it, so an engine that does not (process-compose's start) never reads the manifests. */
  readonly desired: () => Promise<DesiredStack>;
  readonly timeoutMs: number;
  readonly dryRun?: boolean;
  /** false: answer once started, not ready (`core restart` without --wait). */
  readonly wait?: boolean;
  /** Progress lines of provisioning (binaries). */
  readonly progress: (line: string) => void;
}

/** How a change was carried out: the CLI renders each kind (cli/render/apply-report.ts). */
export type Applied =
  /** The built-in engine: core's own diff, applied in dependency order. */
  | { readonly kind: 'diff'; readonly report: ApplyReport; readonly totalMs: number; readonly dryRun: boolean }
  /** process-compose reloaded its file and ran its own diff: its status word per changed process. */
  | { readonly kind: 'reload'; readonly report: ApplyReport; readonly status: Readonly<Record<string, string>>; readonly totalMs: number; readonly untouched: number }
  /** The engine was asked (its own start or restart) and answers at once. */
  | { readonly kind: 'asked'; readonly verb: 'starting' | 'restarting'; readonly names: readonly string[] };

/** Capabilities one engine has and another lacks. */
export type Feature =
  /** `core events`: a numbered event stream. */
  | 'events'
  /** `core dashboard`: the web page served by the supervisor. */
  | 'dashboard'
  /** `core apply --dry-run`. */
  | 'dry-run'
  /** `process.watch`: a process restarted when a watched file changes (a warning, not an error: the stack runs without it). */
  | 'watch';

/** A running stack, whichever engine runs it. */
export interface StackEngine {
  readonly name: EngineName;
  /** The error a command shows when this engine cannot do `feature`; undefined when it can. */
  lacks(feature: Feature): CoreError | undefined;
  /** Every process, in process-compose's ProcessState shape. */
  snapshot(): Promise<ProcessState[]>;
  logs(name: string, lines: number): Promise<string[]>;
  /** Errors in the manifests (exit 2) come before the engine is asked anything. */
  apply(change: StackChange): Promise<Applied>;
  /** Stop these processes, not their dependents; resolves once asked (poll `snapshot` to see them go). */
  stop(names: readonly string[]): Promise<void>;
  /** Stop the whole stack, dependents first (`core down`). */
  stopAll(): Promise<void>;
  /** Only where `lacks('events')` is undefined. */
  events(since: number): Promise<EventsPage>;
  follow(since: number, onRecord: (record: EventRecord) => void, signal?: AbortSignal): Promise<FollowEnd>;
}

export interface LaunchRequest {
  readonly settings: Settings;
  readonly plan: StackPlan;
  readonly generated: GeneratedStack;
  readonly targets: readonly string[];
  readonly timeoutMs: number;
  /** argv prefix that runs `core` (for the guardian). */
  readonly self: readonly string[];
  /**
   * Detached: the engine runs on after `core up` returns, and a stack that is not
   * ready has been stopped by the time `waitReady` answers. Foreground: the
   * engine's output reaches the terminal (`printer` for the built-in engine's
   * events; process-compose writes to ours).
   */
  readonly detach: boolean;
  readonly printer?: (event: EngineEvent) => void;
  /** Foreground: stop once every target (and what it needs) has ended, as process-compose does headless (`core up -f`). */
  readonly endWhenDone?: boolean;
  /** Detached: a target's readiness check passed (the built-in engine tells as it happens). */
  readonly onReady?: (name: string, afterMs: number) => void;
  /** A line for the user (stderr). */
  readonly note: (line: string) => void;
  /** The detached supervisor program.ts started early, for an engine that `usesDaemon`. */
  readonly daemon?: ChildProcess;
}

export interface LaunchedStack {
  /** Every target up, or the one that will not be. */
  waitReady(): Promise<ReadyResult>;
  /** Stop everything, dependents first (Ctrl-C in the foreground). */
  shutdown(): void;
  /** Once everything has stopped: the engine's own exit status (an `exit_on_*`, process-compose's code). */
  exitCode(): Promise<number>;
  /** What the user is told when Ctrl-C stops the stack. */
  readonly stoppingNote: string;
}

export interface EngineLauncher {
  readonly name: EngineName;
  /** Runs detached in the supervisor `core up -d` spawns before it loads anything (program.ts). */
  readonly usesDaemon: boolean;
  /** As `StackEngine.lacks`, before anything runs (`core up` warns of a `watch` it will not honour). */
  lacks(feature: Feature): CoreError | undefined;
  launch(request: LaunchRequest): Promise<LaunchedStack>;
}
