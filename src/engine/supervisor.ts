/**
 * The built-in engine: one Runner per process of a ComposeDoc, a single input
 * queue (input-queue.ts), dependency gating, ordered shutdown, and queries
 * (snapshot, waitReady). After the queue drains, `settle` (settle.ts) releases
 * or skips waiting processes and moves a shutdown along; then watchers
 * (waitReady: ready-watch.ts; stop) are re-checked.
 */
import path from 'node:path';
import type { ComposeDoc, ComposeProcess } from '../compose/schema.js';
import { applyDocument, type ApplyRequest, type ApplyResult } from './apply.js';
import type { ProcessInputs } from './diff.js';
import { binaryFingerprint, secretFingerprints } from './fingerprint.js';
import { closure, dependenciesOf, dependentsOf } from './dependencies.js';
import { EventBus, type Unsubscribe } from './event-bus.js';
import type { EngineEvent, EventListener } from './events.js';
import type { Clock, LogFile, OpenLog } from './interfaces.js';
import { realClock } from './interfaces.js';
import { InputQueue, type QueuedInput } from './input-queue.js';
import { EventJournal } from './journal.js';
import { fileLogs, LineRing } from './logs.js';
import { type OpenPcLog, type PcLog, pcLogFiles } from './pc-log/sink.js';
import { policyOf } from './policy.js';
import { realProber } from './probes.js';
import { realReloadTools, type ReloadHost } from './reload.js';
import { notReady, type ReadyHost, watchReady } from './ready-watch.js';
import { realSpawner } from './real-spawner.js';
import { Runner } from './runner.js';
import { toProcessState } from './snapshot.js';
import type { ProcessState } from './snapshot.js';
import { isIdle, settleInputs } from './settle.js';
import { childEnv, DEFAULT_SHELL, type Shell } from './specs.js';
import type { ProcState } from './state.js';
import type { ProjectExit, StartResult, SupervisorOptions } from './supervisor-options.js';
import { awaitedToComplete } from './wait-ready.js';
import type { WaitReadyOptions, WaitReadyResult } from './wait-ready.js';

export type { ProjectExit, StartResult, SupervisorOptions } from './supervisor-options.js';

export class Supervisor {
  private runners = new Map<string, Runner>();
  /** The document running now: an apply replaces it (apply.ts). */
  private doc: ComposeDoc;
  private secrets: Readonly<Record<string, Readonly<Record<string, string>>>>;
  private dependents: Map<string, string[]>;
  private awaitedToComplete: ReadonlySet<string>;
  /** Processes an apply is stopping (each after its running dependents among them). */
  private stopSet = new Set<string>();
  private readonly openLog: OpenLog;
  private readonly openPcLog: OpenPcLog;
  /** The project's `log_location` file, open from the first start to the end of a stop. */
  private projectLog: PcLog | undefined;
  readonly clock: Clock;
  /** Set while an apply runs: a second one is refused (apply.ts). */
  applying: { readonly id: number; readonly since: number } | undefined;
  applies = 0;
  private readonly inputs = new InputQueue<Runner>(() =>
    settleInputs({
      runners: this.runners,
      dependents: this.dependents,
      shuttingDown: this.shuttingDown !== undefined,
      ordered: this.doc.ordered_shutdown === true,
      stopSet: this.stopSet,
    }),
  );
  private shuttingDown: Promise<void> | undefined;
  private ended: ProjectExit | undefined;
  private readonly bus: EventBus<EngineEvent>;
  /** The recent state changes, numbered: `core events`, the event log. */
  readonly journal: EventJournal;
  private readonly readyHost: ReadyHost;

  constructor(private readonly options: SupervisorOptions) {
    const { doc } = options;
    this.doc = doc;
    this.secrets = options.secrets ?? {};
    this.clock = options.clock ?? realClock;
    this.readyHost = this.makeReadyHost();
    this.bus = new EventBus(options.onSubscriberError);
    this.journal = new EventJournal(
      (name) => {
        const runner = this.runners.get(name);
        if (!runner) return undefined;
        const state = runner.state;
        return { service: runner.ctx.proc['x-core']?.service ?? name, pid: 'run' in state ? state.run.pid : undefined, restarts: state.restarts };
      },
      options.journalCapacity,
      options.onSubscriberError,
    );
    // First subscriber: every other one sees an event after it has its seq.
    this.bus.subscribe((event) => this.journal.record(event));
    this.dependents = dependentsOf(doc);
    this.openLog = options.openLog ?? fileLogs();
    this.openPcLog = options.openPcLog ?? pcLogFiles({ level: doc.log_level, noColorEnv: Boolean(options.baseEnv.NO_COLOR) });
    this.awaitedToComplete = awaitedToComplete(doc);
    for (const [name, proc] of Object.entries(doc.processes)) this.runners.set(name, this.makeRunner(name, proc));
  }

  private makeRunner(name: string, proc: ComposeProcess, ring = new LineRing()): Runner {
    const { options } = this;
    const runner: Runner = new Runner({
      name,
      proc,
      policy: policyOf(proc),
      env: childEnv(proc, options.baseEnv, this.secrets[name], name),
      clock: this.clock,
      spawner: options.spawner ?? realSpawner,
      prober: options.prober ?? realProber,
      openLog: () => this.openLog(path.join(options.logDir, `${name}.log`)),
      // The definition of now: an apply changes log_configuration in place, for the next run.
      openPcLog: () => this.pcLogOf(name, runner.ctx.proc),
      ring,
      enqueue: (input) => this.enqueue([{ runner, input }]),
      emit: (event) => this.emit(event),
      endProject: (exitCode, reason) => this.endProject(name, exitCode, reason),
      fingerprint: options.fingerprint ?? binaryFingerprint,
      shell: shellOf(this.doc),
    });
    return runner;
  }

  /**
   * process-compose's log for a run of `name`: its own `log_location` (one file
   * per process; project_runner.go runProcess), else the project's. A
   * `log_location` that is core's own log of the process (what core's generated
   * file gives process-compose) has core's plain lines only.
   */
  private pcLogOf(name: string, proc: ComposeProcess): LogFile | undefined {
    const replica = proc['x-core']?.replica ?? 0;
    const own = proc.log_location;
    if (own === undefined) return this.projectLog && entryLog(this.projectLog, name, replica, false);
    if (path.resolve(own) === path.resolve(this.options.logDir, `${name}.log`)) return undefined;
    return entryLog(this.openPcLog(own, proc.log_configuration), name, replica, true);
  }

  /**
   * Every event from now on, output lines included, in the order they happen
   * (`journal` has the numbered state changes). Call the result to stop.
   */
  subscribe(listener: EventListener): Unsubscribe {
    return this.bus.subscribe(listener);
  }

  /** Start `names` (default: every process not disabled) and what they depend on. */
  start(names?: readonly string[]): StartResult {
    if (this.shuttingDown) return { ok: false, reason: 'shutting-down' };
    // project_runner.go Run: the project's log is opened before any process starts.
    if (this.doc.log_location) this.projectLog ??= this.openPcLog(this.doc.log_location, this.doc.log_configuration);
    const targets = names ?? [...this.runners.keys()].filter((n) => !this.doc.processes[n]?.disabled);
    const unknown = targets.filter((n) => !this.runners.has(n));
    if (unknown.length > 0) return { ok: false, reason: 'unknown-process', names: unknown };
    const order = closure(this.doc, targets);
    const batch: QueuedInput<Runner>[] = [];
    for (const name of order) {
      const runner = this.runner(name);
      // A dependency that already completed (a one-shot) is not run again for a dependent.
      if (!targets.includes(name) && runner.state.phase === 'completed') continue;
      runner.requested = true;
      batch.push({ runner, input: { type: 'start', waitingOn: dependenciesOf(this.doc, name) } });
    }
    this.enqueue(batch);
    return { ok: true, names: order };
  }

  /** Take a new document, changing only what differs (apply.ts). */
  apply(request: ApplyRequest): Promise<ApplyResult> {
    return applyDocument(this, request);
  }

  /**
   * Stop everything: with `ordered_shutdown` (core's own documents always set it)
   * dependents before their dependencies, else all at once, as process-compose
   * does; resolves when all are gone.
   */
  stop(): Promise<void> {
    if (this.shuttingDown) return this.shuttingDown;
    const done = this.until(() => [...this.runners.values()].every((r) => isIdle(r.state)));
    this.shuttingDown = done.then(() => {
      this.shuttingDown = undefined;
      for (const runner of this.runners.values()) runner.close();
      this.projectLog?.close();
      this.projectLog = undefined;
    });
    this.enqueue([]);
    return this.shuttingDown;
  }

  /**
   * Stop one process (not its dependents, as process-compose does). Resolves when
   * that run is gone (false for an unknown name).
   */
  stopProcess(name: string): Promise<boolean> {
    const runner = this.runners.get(name);
    if (!runner) return Promise.resolve(false);
    const gone = this.until(() => runner.state.phase !== 'stopping').then(() => true);
    this.enqueue([{ runner, input: { type: 'stop' } }]);
    return gone;
  }

  /** Restart a running process now (no backoff), or start it if it is not running. */
  restart(name: string): StartResult {
    const runner = this.runners.get(name);
    if (!runner) return { ok: false, reason: 'unknown-process', names: [name] };
    if (this.shuttingDown) return { ok: false, reason: 'shutting-down' };
    if (isIdle(runner.state) || runner.state.phase === 'waiting') return this.start([name]);
    this.enqueue([{ runner, input: { type: 'restart' } }]);
    return { ok: true, names: [name] };
  }

  /**
   * Wait until `names` and their dependencies are all up (healthy; without a
   * check, running for RUNNING_SETTLE_MS; one-shots: completed), or one fails,
   * crashes or is restarting.
   */
  waitReady(names: readonly string[] | undefined, options: WaitReadyOptions): Promise<WaitReadyResult> {
    const targets = names ?? [...this.runners.keys()].filter((n) => !this.doc.processes[n]?.disabled);
    const unknown = targets.find((n) => !this.runners.has(n));
    if (unknown !== undefined) return Promise.resolve(notReady(this.readyHost, 'unknown-process', unknown, `no process named ${unknown}`, options));
    return watchReady(this.readyHost, closure(this.doc, targets), options);
  }

  /** What waitReady's watchers (ready-watch.ts) see of this supervisor. */
  private makeReadyHost(): ReadyHost {
    return {
      clock: this.clock,
      view: (name) => {
        const runner = this.runner(name);
        return { state: runner.state, policy: runner.ctx.policy, awaitedToComplete: this.awaitedToComplete.has(name) };
      },
      shuttingDown: () => this.shuttingDown !== undefined,
      watch: (watcher) => this.inputs.watch(watcher),
      poke: () => this.enqueue([]),
      detail: (name) => {
        const runner = this.runners.get(name);
        return runner && { state: runner.state, ring: runner.ctx.ring };
      },
    };
  }

  /** Set once `exit_on_end`, `exit_on_failure` or `exit_on_skipped` fired (the stack is then stopped). */
  get projectExit(): ProjectExit | undefined {
    return this.ended;
  }

  snapshot(): ProcessState[] {
    return [...this.runners.keys()].map((name) => this.processState(name)).filter((s): s is ProcessState => s !== undefined);
  }

  processState(name: string): ProcessState | undefined {
    const runner = this.runners.get(name);
    if (!runner) return undefined;
    return toProcessState({ name, state: runner.state, policy: runner.ctx.policy, requested: runner.requested, now: this.clock.now(), lastAlert: runner.lastAlert });
  }

  /** Name → pid of every process with a child running now (each leads its own process group). */
  runningPids(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [name, runner] of this.runners) {
      const state = runner.state;
      if ('run' in state && state.run.pid !== undefined) out.set(name, state.run.pid);
    }
    return out;
  }

  /** The last `limit` lines of a process's output held in memory. */
  logs(name: string, limit?: number): string[] | undefined {
    return this.runners.get(name)?.ctx.ring.tail(limit);
  }

  private runner(name: string): Runner {
    const runner = this.runners.get(name);
    if (!runner) throw new Error(`unknown process ${name}`);
    return runner;
  }

  /** The running document (an apply replaces it). */
  get document(): ComposeDoc {
    return this.doc;
  }

  /** Fingerprints of a process's secrets and of the executable of its last spawn (apply.ts). */
  inputsOf(name: string, secrets = this.secrets[name]): ProcessInputs {
    const binary = this.runners.get(name)?.binary;
    return { secrets: secretFingerprints(secrets), ...(binary !== undefined ? { binary } : {}) };
  }

  /** The identity of an executable on disk now (fingerprint.ts). */
  fingerprint(command: string): string | undefined {
    return (this.options.fingerprint ?? binaryFingerprint)(command);
  }

  /**
   * What a config reload of a running process needs (reload.ts): its environment
   * (secrets included, as its config file reads them), its folder, a signal to
   * its current child only, and its output meanwhile. Undefined for no such process.
   */
  reloadHost(name: string): ReloadHost | undefined {
    const runner = this.runners.get(name);
    if (!runner) return undefined;
    const runOf = () => ('run' in runner.state ? runner.state.run.pid : undefined);
    const pid = runOf();
    return {
      clock: this.clock,
      tools: this.options.reloadTools ?? realReloadTools,
      env: runner.ctx.env,
      cwd: runner.ctx.proc.working_dir,
      // Only the run that was checked: one started since read the new file (and may not handle the signal yet).
      signal: (signal) => (pid !== undefined && runOf() === pid ? runner.signal(signal) : undefined),
      captureOutput: () => {
        const lines: string[] = [];
        const stop = this.bus.subscribe((event) => {
          if (event.type === 'output' && event.name === name) lines.push(event.line);
        });
        return { lines: () => lines, stop };
      },
    };
  }

  /** The phase of a process, or undefined for none of that name. */
  phaseOf(name: string): ProcState['phase'] | undefined {
    return this.runners.get(name)?.state.phase;
  }

  /** Stop `names` (each once no running process among them depends on it); resolves when all are idle. */
  stopSome(names: readonly string[]): Promise<void> {
    if (names.length === 0) return Promise.resolve();
    for (const name of names) this.stopSet.add(name);
    const done = this.until(() => names.every((n) => !this.runners.has(n) || isIdle(this.runner(n).state)));
    this.enqueue([]);
    return done.then(() => {
      for (const name of names) this.stopSet.delete(name);
    });
  }

  /**
   * Take `doc` as the running document: runners it lacks go (they must be
   * idle), those in `fresh` are made anew (same in-memory log), the others
   * take their new definition in place and keep pid, restarts and log.
   */
  adopt(doc: ComposeDoc, secrets: Readonly<Record<string, Readonly<Record<string, string>>>>, fresh: ReadonlySet<string>): void {
    this.secrets = { ...this.secrets, ...secrets };
    this.doc = doc;
    this.dependents = dependentsOf(doc);
    this.awaitedToComplete = awaitedToComplete(doc);
    const runners = new Map<string, Runner>();
    for (const [name, proc] of Object.entries(doc.processes)) {
      const old = this.runners.get(name);
      if (old && !fresh.has(name)) {
        old.update(proc, policyOf(proc), shellOf(doc));
        runners.set(name, old);
        continue;
      }
      old?.close();
      const runner = this.makeRunner(name, proc, old?.ctx.ring);
      runner.requested = old?.requested ?? false;
      runners.set(name, runner);
    }
    for (const [name, runner] of this.runners) if (!runners.has(name)) runner.close();
    for (const name of Object.keys(this.secrets)) if (!(name in doc.processes)) delete (this.secrets as Record<string, unknown>)[name];
    this.runners = runners;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown !== undefined;
  }

  /** Published once, to every subscriber; an apply's own events (apply.ts) go through here too. */
  emit(event: EngineEvent): void {
    this.bus.publish(event);
  }

  private endProject(name: string, exitCode: number, reason: string): void {
    if (this.ended) return;
    this.ended = { name, exitCode, reason };
    this.emit({ type: 'project-exit', name, at: this.clock.now(), exitCode, reason });
    void this.stop();
  }

  private enqueue(items: readonly QueuedInput<Runner>[]): void {
    this.inputs.enqueue(items);
  }

  private until(done: () => boolean): Promise<void> {
    return this.inputs.until(done);
  }
}

function shellOf(doc: ComposeDoc): Shell {
  return doc.shell ? { command: doc.shell.shell_command, argument: doc.shell.shell_argument } : DEFAULT_SHELL;
}

export function createSupervisor(options: SupervisorOptions): Supervisor {
  return new Supervisor(options);
}

/** Lines of one process into a process-compose log; `owned`: its own file, closed with the run (the project's stays open). */
function entryLog(log: PcLog, process: string, replica: number, owned: boolean): LogFile {
  return {
    write: (message, stream) => log.write({ message, process, replica, isError: stream === 'stderr' }),
    close: () => {
      if (owned) log.close();
    },
  };
}
