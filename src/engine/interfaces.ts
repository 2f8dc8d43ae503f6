/**
 * The effects the engine needs, behind small interfaces: time, child processes,
 * probes and log files. The composition root (`createSupervisor`) builds the real
 * ones; tests pass fakes (tests/engine/fakes.ts) and drive them by hand.
 */

/** An opaque timer handle, only meaningful to the clock that made it. */
export type TimerHandle = unknown;

export interface Clock {
  /** Wall-clock milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export type Stream = 'stdout' | 'stderr';

export interface SpawnSpec {
  /** argv[0]: a path or a name looked up on `env.PATH`. */
  readonly command: string;
  readonly args: readonly string[];
  /** Absolute working directory. */
  readonly cwd: string;
  /** The complete environment of the child (nothing is inherited implicitly). */
  readonly env: Readonly<Record<string, string>>;
  /**
   * `is_daemon`: what the leader leaves in its group when it exits is its daemon,
   * not an orphan: the group is not killed then (real-spawner.ts).
   */
  readonly keepGroup?: boolean;
}

/** How a child ended. `error` is set when it never really ran (e.g. exec failed). */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: string | null;
  readonly error?: string;
}

/** A running child that leads its own process group. */
export interface Child {
  readonly pid: number | undefined;
  /** Each complete line of output, without its line ending. */
  onOutput(listener: (line: string, stream: Stream) => void): void;
  /** Called once, after the last output line. */
  onExit(listener: (exit: ChildExit) => void): void;
  /** Signal the child, or with `group` its whole process group. Never throws. */
  kill(signal: number, group: boolean): void;
}

export type SpawnResult = { readonly ok: true; readonly child: Child } | { readonly ok: false; readonly error: string };

export interface Spawner {
  spawn(spec: SpawnSpec): SpawnResult;
}

export type ProbeSpec =
  | {
      readonly kind: 'http';
      readonly scheme: 'http' | 'https';
      readonly host: string;
      readonly port: number | undefined;
      readonly path: string;
      readonly headers: Readonly<Record<string, string>>;
      readonly statusCode: number;
      readonly timeoutMs: number;
    }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly timeoutMs: number }
  | {
      readonly kind: 'exec';
      /** A shell string, run as `<shell[0]> <shell[1]> <command>` (`bash -c`, or the file's `x-core.probe_shell`). */
      readonly command: string;
      readonly shell: readonly [string, string];
      readonly cwd: string;
      readonly env: Readonly<Record<string, string>>;
      readonly timeoutMs: number;
    };

export type ProbeResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

export interface Prober {
  /** One check. Resolves (never rejects); an aborted check resolves as a failure. */
  check(spec: ProbeSpec, signal: AbortSignal): Promise<ProbeResult>;
}

/** An append-only log sink for one process. */
export interface LogFile {
  /** `stream`: where the line came from (process-compose's log files mark stderr lines as errors). */
  write(line: string, stream?: Stream): void;
  close(): void;
}

export type OpenLog = (path: string) => LogFile;
