/**
 * Fakes for driving the supervisor without time or processes: a clock the test
 * advances, children the test makes print and exit, probes the test answers.
 * In test documents a process's entrypoint[0] is its own name, so a child is
 * found by process name.
 */
import os from 'node:os';
import type { ComposeDoc, ComposeProbe, ComposeProcess } from '../../src/compose/schema.js';
import type { EngineEvent, EventListener } from '../../src/engine/events.js';
import type { Child, ChildExit, Clock, OpenLog, ProbeResult, ProbeSpec, Prober, SpawnResult, SpawnSpec, Spawner, Stream } from '../../src/engine/interfaces.js';
import { createSupervisor, type Supervisor, type SupervisorOptions } from '../../src/engine/supervisor.js';

/** Let promise callbacks (probe results) run: one macrotask turn, no wall time. */
export async function flush(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

export const T0 = Date.UTC(2026, 0, 1);

export class FakeClock implements Clock {
  private time = T0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): number {
    this.seq += 1;
    this.timers.set(this.seq, { at: this.time + Math.max(0, ms), fn });
    return this.seq;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Milliseconds since T0. */
  get elapsed(): number {
    return this.time - T0;
  }

  /** Move time forward, firing due timers in order and letting their consequences settle. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await flush();
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
    }
    this.time = end;
    await flush();
  }

  /** Delays (from now) of the timers still set. */
  pendingDelays(): number[] {
    return [...this.timers.values()].map((t) => t.at - this.time).sort((a, b) => a - b);
  }
}

export class FakeChild implements Child {
  readonly kills: { signal: number; group: boolean }[] = [];
  exited = false;
  private readonly outputs: ((line: string, stream: Stream) => void)[] = [];
  private readonly exits: ((exit: ChildExit) => void)[] = [];

  constructor(
    readonly spec: SpawnSpec,
    readonly pid: number,
    /** Signals this child survives (SIGKILL always works). */
    private readonly ignores: ReadonlySet<number>,
  ) {}

  onOutput(listener: (line: string, stream: Stream) => void): void {
    this.outputs.push(listener);
  }

  onExit(listener: (exit: ChildExit) => void): void {
    this.exits.push(listener);
  }

  kill(signal: number, group: boolean): void {
    this.kills.push({ signal, group });
    if (this.exited) return;
    if (signal === 9 || !this.ignores.has(signal)) this.exit(null, signalName(signal));
  }

  print(line: string, stream: Stream = 'stdout'): void {
    for (const listener of this.outputs) listener(line, stream);
  }

  exit(code: number | null, signal: string | null = null): void {
    if (this.exited) return;
    this.exited = true;
    for (const listener of this.exits) listener({ code, signal });
  }
}

function signalName(signal: number): string {
  return Object.entries(os.constants.signals).find(([, n]) => n === signal)?.[0] ?? `signal ${signal}`;
}

export class FakeSpawner implements Spawner {
  readonly children: FakeChild[] = [];
  private readonly failures = new Map<string, string>();
  private readonly ignored = new Map<string, Set<number>>();
  private nextPid = 1000;

  spawn(spec: SpawnSpec): SpawnResult {
    const failure = this.failures.get(spec.command);
    if (failure) return { ok: false, error: failure };
    const child = new FakeChild(spec, this.nextPid++, this.ignored.get(spec.command) ?? new Set());
    this.children.push(child);
    return { ok: true, child };
  }

  failWith(name: string, error: string): void {
    this.failures.set(name, error);
  }

  ignore(name: string, signal: number): void {
    this.ignored.set(name, new Set([...(this.ignored.get(name) ?? []), signal]));
  }

  all(name: string): FakeChild[] {
    return this.children.filter((c) => c.spec.command === name);
  }

  last(name: string): FakeChild {
    const child = this.all(name).at(-1);
    if (!child) throw new Error(`${name} was never spawned`);
    return child;
  }

  count(name: string): number {
    return this.all(name).length;
  }
}

export class FakeProber implements Prober {
  readonly calls: { key: string; at: number }[] = [];
  private readonly answers = new Map<string, ProbeResult>();

  constructor(private readonly clock: FakeClock) {}

  static key(spec: ProbeSpec): string {
    return spec.kind === 'exec' ? `exec:${spec.command}` : `${spec.kind}:${spec.port ?? ''}`;
  }

  /** Answer checks of `key` (e.g. "http:8090") from now on. Unset keys are refused. */
  set(key: string, result: ProbeResult): void {
    this.answers.set(key, result);
  }

  up(key: string): void {
    this.set(key, { ok: true });
  }

  down(key: string, error = 'connection refused'): void {
    this.set(key, { ok: false, error });
  }

  check(spec: ProbeSpec): Promise<ProbeResult> {
    const key = FakeProber.key(spec);
    this.calls.push({ key, at: this.clock.elapsed });
    return Promise.resolve(this.answers.get(key) ?? { ok: false, error: 'connection refused' });
  }

  times(key: string): number[] {
    return this.calls.filter((c) => c.key === key).map((c) => c.at);
  }
}

export function memoryLogs(): { open: OpenLog; files: Map<string, string[]> } {
  const files = new Map<string, string[]>();
  const open: OpenLog = (file) => {
    const lines = files.get(file) ?? [];
    files.set(file, lines);
    return { write: (line) => void lines.push(line), close: () => {} };
  };
  return { open, files };
}

export function httpProbe(port: number, overrides: Partial<ComposeProbe> = {}): ComposeProbe {
  return {
    http_get: { host: '127.0.0.1', scheme: 'http', path: '/health', port: String(port) },
    initial_delay_seconds: 0,
    period_seconds: 1,
    timeout_seconds: 1,
    success_threshold: 1,
    failure_threshold: 3,
    ...overrides,
  };
}

export function proc(name: string, overrides: Partial<ComposeProcess> = {}): ComposeProcess {
  return { entrypoint: [name], working_dir: '/tmp', environment: [], ...overrides };
}

/** Dependents stop first, as in core's own documents (`ordered_shutdown: false` in `extra` for process-compose's default). */
export function doc(processes: Record<string, Partial<ComposeProcess>>, extra: Partial<Omit<ComposeDoc, 'processes'>> = {}): ComposeDoc {
  return {
    version: '0.5',
    name: 'test',
    ordered_shutdown: true,
    ...extra,
    processes: Object.fromEntries(Object.entries(processes).map(([n, p]) => [n, proc(n, p)])),
  };
}

export interface Harness {
  readonly engine: Supervisor;
  readonly clock: FakeClock;
  readonly spawner: FakeSpawner;
  readonly prober: FakeProber;
  readonly events: EngineEvent[];
  readonly logs: Map<string, string[]>;
  /** Events of one type (and process), in order. */
  of<T extends EngineEvent['type']>(type: T, name?: string): (EngineEvent & { type: T })[];
  phase(name: string): string;
}

/** `onEvent`: subscribed instead of the harness's own `events` list (a test that must keep no history). */
export function harness(composeDoc: ComposeDoc, { onEvent, ...options }: Partial<SupervisorOptions> & { onEvent?: EventListener } = {}): Harness {
  const clock = new FakeClock();
  const spawner = new FakeSpawner();
  const prober = new FakeProber(clock);
  const events: EngineEvent[] = [];
  const { open, files } = memoryLogs();
  const engine = createSupervisor({
    doc: composeDoc,
    baseEnv: { PATH: '/usr/bin' },
    logDir: '/logs',
    clock,
    spawner,
    prober,
    openLog: open,
    ...options,
  });
  engine.subscribe(onEvent ?? ((event) => events.push(event)));
  return {
    engine,
    clock,
    spawner,
    prober,
    events,
    logs: files,
    of: (type, name) => events.filter((e) => e.type === type && (name === undefined || e.name === name)) as never,
    phase: (name) => engine.processState(name)?.phase ?? 'unknown',
  };
}
