/**
 * One runner per process: it holds the process's state, feeds inputs through the
 * pure `transition`, and carries out the effects that come back (spawn, signal,
 * timers, probes, events). Callbacks from the child, timers and probes go back
 * through the supervisor's queue, never straight into `apply`, so one input is
 * handled at a time.
 */
import type { ComposeProcess } from '../compose/schema.js';
import type { EngineEvent } from './events.js';
import type { Child, Clock, LogFile, ProbeSpec, Prober, Spawner, Stream, TimerHandle } from './interfaces.js';
import type { LineRing } from './logs.js';
import type { Policy, ProbeKind } from './policy.js';
import { DEFAULT_SHELL, probeSpecOf, type Shell, shutdownSpecOf, spawnSpecOf } from './specs.js';
import { describeExit, ENDED, initialState, transition } from './state.js';
import type { Effect, Input, Phase, ProcState, TimerName } from './state.js';
import { unreachable } from '../support/errors.js';

export interface RunnerContext {
  readonly name: string;
  readonly proc: ComposeProcess;
  readonly policy: Policy;
  readonly env: Readonly<Record<string, string>>;
  readonly clock: Clock;
  readonly spawner: Spawner;
  readonly prober: Prober;
  /** Opened on the first spawn. */
  readonly openLog: () => LogFile;
  /**
   * process-compose's log file for this process (its own `log_location`, or the
   * project's), opened when a run starts and closed when it ends, as
   * process-compose's onProcessStart/onProcessEnd do; undefined: none.
   */
  readonly openPcLog?: () => LogFile | undefined;
  readonly ring: LineRing;
  /** Queue an input for this process (the supervisor applies it in turn). */
  readonly enqueue: (input: Input) => void;
  readonly emit: (event: EngineEvent) => void;
  readonly endProject: (exitCode: number, reason: string) => void;
  /** The identity of the executable a spawn runs (diff.ts compares it at an apply); undefined if unknown. */
  readonly fingerprint?: (command: string) => string | undefined;
  /** How `shutdown.command` runs (the document's `shell`). */
  readonly shell?: Shell;
}

/** A grid point closer than this is skipped for the next one (a timer may fire a little early). */
const GRID_SLACK_MS = 50;

/**
 * The delay to the next multiple of `periodMs` of the clock: a ticker's cadence,
 * shared by every check of that period. 200 services probed every second then wake
 * the supervisor about once a second, not 200 times (a wake-up costs more than the
 * check it runs: docs/performance.md, "Idle cost"). A check still runs once per
 * period; after a slow one the next comes sooner. A grid point less than
 * GRID_SLACK_MS (or a tenth of the period) away is skipped, so a timer that fired a
 * moment early (Node's timers run on the loop's cached time) is not followed by a
 * second check at once: the delay is in [slack, periodMs + slack).
 */
export function onGrid(now: number, periodMs: number): number {
  if (!(periodMs > 0)) return periodMs;
  const next = periodMs - (now % periodMs);
  return next < Math.min(GRID_SLACK_MS, periodMs / 10) ? next + periodMs : next;
}

export class Runner {
  state: ProcState = initialState;
  /** Asked for by a `start` since the supervisor was made (else shown as Disabled). */
  requested = false;
  private child: Child | undefined;
  /** Bumped on every spawn: callbacks of an earlier run are dropped. */
  private run = 0;
  /** The `shutdown.command` running now, and its number (a late report of an earlier one is dropped). */
  private command: Child | undefined;
  private commandRun = 0;
  private readonly timers = new Map<TimerName, TimerHandle>();
  private probes = new AbortController();
  private log: LogFile | undefined;
  private pcLog: LogFile | undefined;
  /** Each probe's check, made once per definition (a check may run every second). */
  private readonly specs = new Map<ProbeKind, ProbeSpec | undefined>();
  /** The alert messages already emitted in this run (two `match`es of one message are one alert). */
  private alerted = new Set<string>();
  /** The message of the last alert emitted, kept across runs (`core status`). */
  lastAlert: string | undefined;
  /** The executable's fingerprint at the last spawn. */
  binary: string | undefined;

  constructor(public ctx: RunnerContext) {}

  /**
   * Take a new definition in place (an apply that changed only probes, policy,
   * shutdown, …): the child runs on; the next probe, exit or stop follows it.
   */
  update(proc: ComposeProcess, policy: Policy, shell?: Shell): void {
    this.ctx = { ...this.ctx, proc, policy, ...(shell ? { shell } : {}) };
    this.specs.clear();
  }

  /**
   * Signal the running child alone, not its group (a config reload: the
   * process re-reads its files). Its pid, or undefined when no child runs or it
   * is being stopped; the child's own `kill` never hits a pid after its exit.
   */
  signal(signal: number): number | undefined {
    const phase = this.state.phase;
    if (!this.child || (phase !== 'probing' && phase !== 'ready')) return undefined;
    this.child.kill(signal, false);
    return this.child.pid;
  }

  get name(): string {
    return this.ctx.name;
  }

  apply(input: Input): void {
    const from = this.state.phase;
    const step = transition(this.state, input, this.ctx.policy);
    this.state = step.state;
    for (const effect of step.effects) this.perform(effect, from, step.state.phase);
    if (ENDED.has(this.state.phase)) this.closePcLog();
  }

  /** Release timers, in-flight probes and the log file (the child must be gone). */
  close(): void {
    this.command?.kill(9, true);
    this.command = undefined;
    for (const timer of this.timers.keys()) this.clearTimer(timer);
    this.probes.abort();
    this.log?.close();
    this.log = undefined;
    this.closePcLog();
  }

  private closePcLog(): void {
    this.pcLog?.close();
    this.pcLog = undefined;
  }

  /** `from`, `to`: the phases of the step the effect belongs to, stamped on its events. */
  private perform(effect: Effect, from: Phase, to: Phase): void {
    const { clock } = this.ctx;
    switch (effect.type) {
      case 'spawn':
        return this.spawn(from);
      case 'kill':
        return this.child?.kill(effect.signal, effect.group);
      case 'set-timer':
        return this.setTimer(effect.timer, effect.periodic ? onGrid(clock.now(), effect.ms) : effect.ms);
      case 'clear-timer':
        return this.clearTimer(effect.timer);
      case 'probe':
        return this.probe(effect.probe, effect.early);
      case 'abort-probes':
        this.probes.abort();
        this.probes = new AbortController();
        return;
      case 'shutdown-command':
        return this.runShutdownCommand();
      case 'abort-shutdown-command':
        // Its whole group: the shell and whatever it started (process-compose kills only the shell).
        return this.command?.kill(9, true);
      case 'emit':
        return this.ctx.emit({ ...effect.event, name: this.name, at: clock.now(), from, to });
      case 'end-project':
        return this.ctx.endProject(effect.exitCode, effect.reason);
      default:
        return unreachable(effect);
    }
  }

  private spawn(from: Phase): void {
    const ctx = this.ctx;
    const clock = ctx.clock;
    // A restart of its own (after the backoff) goes on in the same file, after an
    // empty line (process.go run: handleInfo("\n")); any other start opens it anew.
    if (from === 'backing-off' && this.pcLog) this.pcLog.write('\n', 'stdout');
    else {
      this.closePcLog();
      this.pcLog = ctx.openPcLog?.();
    }
    const run = ++this.run;
    this.alerted = new Set();
    const spec = spawnSpecOf(ctx.proc, ctx.env);
    this.binary = ctx.fingerprint?.(spec.command);
    const result = ctx.spawner.spawn(spec);
    // The result is applied at once, not queued: `starting` never outlives this step.
    if (!result.ok) return this.apply({ type: 'spawn-failed', error: result.error, at: clock.now() });
    const child = result.child;
    this.child = child;
    this.log ??= ctx.openLog();
    child.onOutput((line, stream) => {
      if (run === this.run) this.output(line, stream);
    });
    child.onExit((exit) => {
      if (run !== this.run) return;
      this.child = undefined;
      ctx.enqueue({ type: 'exited', code: exit.code, signal: exit.signal, ...(exit.error ? { error: exit.error } : {}), at: clock.now() });
    });
    this.apply({ type: 'spawned', pid: child.pid, at: clock.now() });
  }

  /**
   * `shutdown.command`, run as a child of its own (own group, the stack's marks in
   * its environment). Its result comes back through the queue, never at once: the
   * step that asked for it still has effects to carry out. process-compose drops
   * its output; here it goes to the process's log.
   */
  private runShutdownCommand(): void {
    const ctx = this.ctx;
    const id = ++this.commandRun;
    const done = (ok: boolean, error?: string) => ctx.enqueue({ type: 'shutdown-done', ok, ...(error !== undefined ? { error } : {}), at: ctx.clock.now() });
    const spec = shutdownSpecOf(ctx.proc, ctx.env, ctx.shell ?? DEFAULT_SHELL);
    if (!spec) return done(false, 'no shutdown command');
    const result = ctx.spawner.spawn(spec);
    if (!result.ok) return done(false, result.error);
    const command = result.child;
    this.command = command;
    command.onOutput((line, stream) => {
      // To core's log only: process-compose drops a shutdown command's output, so its own file never has it.
      if (id === this.commandRun) this.record(line, stream, ctx.clock.now(), false);
    });
    command.onExit((exit) => {
      if (id !== this.commandRun) return;
      this.command = undefined;
      const ok = exit.error === undefined && exit.code === 0;
      done(ok, ok ? undefined : `shutdown command ${describeExit(exit)}`);
    });
  }

  /** A line of the process's output (or of its shutdown command): log files, memory, subscribers. */
  private record(line: string, stream: Stream, at: number, toPcLog = true): void {
    this.log?.write(line, stream);
    if (toPcLog) this.pcLog?.write(line, stream);
    this.ctx.ring.push(line);
    this.ctx.emit({ type: 'output', name: this.name, at, line, stream });
    this.alert(line, at);
  }

  /** `x-core.alerts`: the first line of a run that contains an alert's `match` emits it. */
  private alert(line: string, at: number): void {
    const alerts = this.ctx.proc['x-core']?.alerts;
    if (!alerts) return;
    for (const { match, message } of alerts) {
      if (this.alerted.has(message) || !line.includes(match)) continue;
      this.alerted.add(message);
      this.lastAlert = message;
      this.ctx.emit({ type: 'alert', name: this.name, at, message, line });
    }
  }

  private output(line: string, stream: Stream): void {
    const at = this.ctx.clock.now();
    this.record(line, stream, at);
    // While not ready: a ready_log_line, or a prompt to check readiness now (state.ts `output`).
    if (this.state.phase === 'probing' && this.ctx.policy.readiness !== 'none') this.ctx.enqueue({ type: 'output', line, at });
  }

  private setTimer(timer: TimerName, ms: number): void {
    this.clearTimer(timer);
    const handle = this.ctx.clock.setTimeout(() => {
      this.timers.delete(timer);
      this.ctx.enqueue({ type: 'timer', timer, at: this.ctx.clock.now() });
    }, ms);
    this.timers.set(timer, handle);
  }

  private clearTimer(timer: TimerName): void {
    const handle = this.timers.get(timer);
    if (handle === undefined) return;
    this.ctx.clock.clearTimeout(handle);
    this.timers.delete(timer);
  }

  private probe(probe: ProbeKind, early?: boolean): void {
    if (!this.specs.has(probe)) this.specs.set(probe, probeSpecOf(this.ctx.proc, probe, this.ctx.env));
    const spec = this.specs.get(probe);
    if (!spec) return;
    const run = this.run;
    const signal = this.probes.signal;
    void this.ctx.prober.check(spec, signal).then((result) => {
      if (run !== this.run || signal.aborted) return;
      this.ctx.enqueue({ type: 'probe-result', probe, ...result, at: this.ctx.clock.now(), ...(early ? { early } : {}) });
    });
  }
}
