/**
 * The built-in engine: one Runner per process of a ComposeDoc, a single input
 * queue, dependency gating, ordered shutdown, and queries (snapshot, waitReady).
 * After the queue drains, `settle` releases or skips waiting processes and moves
 * a shutdown along; then watchers (waitReady, stop) are re-checked.
 */
import path from 'node:path';
import type { ComposeDoc, ComposeProcess } from '../compose/schema.js';
import { applyDocument, type ApplyRequest, type ApplyResult } from './apply.js';
import type { ProcessInputs } from './diff.js';
import { binaryFingerprint, secretFingerprints } from './fingerprint.js';
import { closure, dependenciesOf, dependentsOf, gate } from './dependencies.js';
import { EventBus, type Unsubscribe } from './event-bus.js';
import type { EngineEvent, EventListener } from './events.js';
import type { Clock, OpenLog, Prober, Spawner } from './interfaces.js';
import { realClock } from './interfaces.js';
import { EventJournal } from './journal.js';
import { fileLogs, LineRing } from './logs.js';
import { policyOf } from './policy.js';
import { realProber } from './probes.js';
import { realSpawner } from './real-spawner.js';
import { Runner } from './runner.js';
import { toProcessState } from './snapshot.js';
import type { ProcessState } from './snapshot.js';
import { childEnv } from './specs.js';
import { RUNNING } from './state.js';
import type { Input, ProcState } from './state.js';
import { awaitedToComplete, describeTimeout, judge } from './wait-ready.js';
import type { NotReadyReason, ReadyView, WaitReadyOptions, WaitReadyResult } from './wait-ready.js';

export interface SupervisorOptions {
  readonly doc: ComposeDoc;
  /** The environment every child starts from; each process's `environment` goes on top. */
  readonly baseEnv: Readonly<Record<string, string>>;
  /** Per process, values for its `x-core.secret_env` keys, which the generated file leaves out. */
  readonly secrets?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** `<logDir>/<name>.log`, unless the process sets `log_location`. */
  readonly logDir: string;
  readonly clock?: Clock;
  readonly spawner?: Spawner;
  readonly prober?: Prober;
  readonly openLog?: OpenLog;
  /** The identity of an executable, compared at an apply (default: fingerprint.ts, from the disk). */
  readonly fingerprint?: (command: string) => string | undefined;
  /** Records kept in memory for `core events` (journal.ts DEFAULT_JOURNAL_CAPACITY). */
  readonly journalCapacity?: number;
  /** Told when a subscriber throws; the event still reaches the others, and the supervisor goes on. */
  readonly onSubscriberError?: (error: unknown) => void;
}

export type StartResult =
  | { readonly ok: true; readonly names: readonly string[] }
  | { readonly ok: false; readonly reason: 'unknown-process'; readonly names: readonly string[] }
  | { readonly ok: false; readonly reason: 'shutting-down' };

export interface ProjectExit {
  readonly name: string;
  readonly exitCode: number;
  readonly reason: string;
}

/** Not running, waiting or about to restart. */
const isIdle = (state: ProcState) => !RUNNING.has(state.phase) && state.phase !== 'waiting' && state.phase !== 'backing-off';

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
  readonly clock: Clock;
  /** Set while an apply runs: a second one is refused (apply.ts). */
  applying: { readonly id: number; readonly since: number } | undefined;
  applies = 0;
  private readonly queue: { runner: Runner; input: Input }[] = [];
  private draining = false;
  private watchers: (() => boolean)[] = [];
  private shuttingDown: Promise<void> | undefined;
  private ended: ProjectExit | undefined;
  private readonly bus: EventBus<EngineEvent>;
  /** The recent state changes, numbered: `core events`, the event log. */
  readonly journal: EventJournal;

  constructor(private readonly options: SupervisorOptions) {
    const { doc } = options;
    this.doc = doc;
    this.secrets = options.secrets ?? {};
    this.clock = options.clock ?? realClock;
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
      openLog: () => this.openLog(proc.log_location ?? path.join(options.logDir, `${name}.log`)),
      ring,
      enqueue: (input) => this.enqueue([{ runner, input }]),
      emit: (event) => this.emit(event),
      endProject: (exitCode, reason) => this.endProject(name, exitCode, reason),
      fingerprint: options.fingerprint ?? binaryFingerprint,
    });
    return runner;
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
    const targets = names ?? [...this.runners.keys()].filter((n) => !this.doc.processes[n]?.disabled);
    const unknown = targets.filter((n) => !this.runners.has(n));
    if (unknown.length > 0) return { ok: false, reason: 'unknown-process', names: unknown };
    const order = closure(this.doc, targets);
    const batch: { runner: Runner; input: Input }[] = [];
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

  /** Stop everything, dependents before their dependencies; resolves when all are gone. */
  stop(): Promise<void> {
    if (this.shuttingDown) return this.shuttingDown;
    const done = this.until(() => [...this.runners.values()].every((r) => isIdle(r.state)));
    this.shuttingDown = done.then(() => {
      this.shuttingDown = undefined;
      for (const runner of this.runners.values()) runner.close();
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
    if (unknown !== undefined) return Promise.resolve(this.notReady('unknown-process', unknown, `no process named ${unknown}`, options));
    const all = closure(this.doc, targets);
    const view = (name: string): ReadyView => {
      const runner = this.runner(name);
      return { state: runner.state, policy: runner.ctx.policy, awaitedToComplete: this.awaitedToComplete.has(name) };
    };
    return new Promise((resolve) => {
      let timedOut = false;
      const timer = this.clock.setTimeout(() => {
        timedOut = true;
        this.enqueue([]);
      }, options.timeoutMs);
      // Nothing happens when a process without a check has settled: a timer asks again then.
      let recheck: { at: number; handle: unknown } | undefined;
      const clearRecheck = () => {
        if (recheck) this.clock.clearTimeout(recheck.handle);
        recheck = undefined;
      };
      this.watchers.push(() => {
        const now = this.clock.now();
        const verdict = judge(all, view, now);
        if (verdict.kind === 'pending' && !timedOut && !this.shuttingDown) {
          const at = verdict.recheckAt;
          if (at !== undefined && (!recheck || at < recheck.at)) {
            clearRecheck();
            recheck = {
              at,
              handle: this.clock.setTimeout(() => {
                recheck = undefined;
                this.enqueue([]);
              }, at - now),
            };
          }
          return false;
        }
        this.clock.clearTimeout(timer);
        clearRecheck();
        if (verdict.kind === 'ok') resolve({ ok: true, names: all, outcomes: verdict.outcomes });
        else if (verdict.kind === 'not-ready') resolve(this.notReady(verdict.reason, verdict.name, verdict.message, options));
        else if (timedOut) {
          const { name, message } = describeTimeout(all, view, options.timeoutMs);
          resolve(this.notReady('timeout', name, message, options));
        } else resolve(this.notReady('shutting-down', all[0] ?? '', 'the stack is shutting down', options));
        return true;
      });
      this.enqueue([]);
    });
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
    return toProcessState({ name, state: runner.state, policy: runner.ctx.policy, requested: runner.requested, now: this.clock.now() });
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

  private notReady(reason: NotReadyReason, name: string, message: string, options: WaitReadyOptions): WaitReadyResult {
    const runner = this.runners.get(name);
    const state = runner?.state;
    return {
      ok: false,
      reason,
      name,
      message,
      exitCode: state?.lastExit ? (state.lastExit.code ?? -1) : null,
      lastProbeError: state?.lastProbeError ?? null,
      lastLines: runner?.ctx.ring.tail(options.lines ?? 20) ?? [],
    };
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
        old.update(proc, policyOf(proc));
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

  private enqueue(items: readonly { runner: Runner; input: Input }[]): void {
    this.queue.push(...items);
    if (this.draining) return;
    this.draining = true;
    try {
      do {
        for (let item = this.queue.shift(); item; item = this.queue.shift()) item.runner.apply(item.input);
        this.settle();
      } while (this.queue.length > 0);
    } finally {
      this.draining = false;
    }
    this.watchers = this.watchers.filter((done) => !done());
  }

  /**
   * Release or skip waiting processes; during shutdown (or for the processes an
   * apply stops), stop what no running dependent (among those stopping) needs.
   */
  private settle(): void {
    const view = (name: string) => {
      const runner = this.runners.get(name);
      return runner && { state: runner.state, policy: runner.ctx.policy };
    };
    for (const runner of this.runners.values()) {
      if (this.shuttingDown || this.stopSet.has(runner.name)) {
        const state = runner.state;
        // (`starting` never outlives a step; excluding it keeps this loop finite regardless.)
        const needsStop = state.phase === 'stopping' ? state.then.kind !== 'stop' : !isIdle(state) && state.phase !== 'starting';
        const among = (d: string) => this.shuttingDown !== undefined || this.stopSet.has(d);
        const blocked = (this.dependents.get(runner.name) ?? []).some((d) => among(d) && RUNNING.has(this.runner(d).state.phase));
        if (needsStop && !blocked) this.queue.push({ runner, input: { type: 'stop' } });
        continue;
      }
      if (runner.state.phase !== 'waiting') continue;
      const verdict = gate(runner.ctx.proc.depends_on, view);
      if (verdict.kind === 'go') this.queue.push({ runner, input: { type: 'deps-ready' } });
      else if (verdict.kind === 'skip') this.queue.push({ runner, input: { type: 'deps-failed', reason: verdict.reason, cause: verdict.cause } });
    }
  }

  private until(done: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      this.watchers.push(() => {
        if (!done()) return false;
        resolve();
        return true;
      });
    });
  }
}

export function createSupervisor(options: SupervisorOptions): Supervisor {
  return new Supervisor(options);
}
