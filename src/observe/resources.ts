/**
 * The supervisor's view of what its processes cost, sampled only while
 * something looks: a `core status` (GET /resources), a Prometheus scrape, an
 * open dashboard (`watch`). With nobody looking, no timer runs and /proc is
 * not read (the idle cost stays what it was; process-compose #341).
 *
 * A reading's CPU is over a window: since the previous sample when that was
 * taken recently (a `status --watch` every second, a scrape every 5 s), else
 * over `windowMs` waited for now (a one-off `core status`).
 */
import { performance } from 'node:perf_hooks';
import { GroupSampler, type GroupUsage } from './proc-sample.js';

/** One process's resources in a reading (JSON, GET /resources). */
export interface ProcessResources {
  /** Cores over the reading's window (0.5 = half a core); null when it was not running for the whole window. */
  readonly cpu: number | null;
  readonly cpu_seconds_total: number;
  readonly rss_bytes: number;
  /** Processes in its group now (0 when not running). */
  readonly processes: number;
}

export interface ResourceReading {
  /** When it was taken (ms since the epoch). */
  readonly at: number;
  /** The window the CPU figures cover, ms. */
  readonly window_ms: number;
  readonly processes: Readonly<Record<string, ProcessResources>>;
  /** The supervisor itself (Node's own counters). */
  readonly supervisor: ProcessResources;
}

/** A previous sample older than this is not a window worth reporting: take a fresh pair. */
export const MAX_WINDOW_MS = 15_000;
/** A previous sample younger than this is too short a window: wait for the rest of `windowMs`. */
const MIN_WINDOW_MS = 100;
export const DEFAULT_WINDOW_MS = 250;

export interface ResourceHost {
  /** Name → pid (= process group) of every process running now. */
  running(): ReadonlyMap<string, number>;
}

export type ReadingListener = (reading: ResourceReading) => void;

export class Resources {
  private readonly sampler = new GroupSampler();
  private lastAt: number | undefined;
  private lastCpu = process.cpuUsage();
  private lastCpuAt = performance.now();
  private queue: Promise<unknown> = Promise.resolve();
  private watchers = new Set<{ listener: ReadingListener; everyMs: number }>();
  private timer: NodeJS.Timeout | undefined;
  private latest: ResourceReading | undefined;

  constructor(
    private readonly host: ResourceHost,
    private readonly wait: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /** A fresh reading (one at a time; concurrent callers queue). */
  read(windowMs = DEFAULT_WINDOW_MS): Promise<ResourceReading> {
    const next = this.queue.then(() => this.take(windowMs));
    this.queue = next.catch(() => {});
    return next;
  }

  /** The last reading taken, if any (no sampling). */
  last(): ResourceReading | undefined {
    return this.latest;
  }

  /**
   * Sample every `everyMs` while the listener is subscribed (the dashboard); the
   * shortest interval of all watchers wins. Call the result to stop.
   */
  watch(listener: ReadingListener, everyMs = 2000): () => void {
    const entry = { listener, everyMs };
    this.watchers.add(entry);
    this.schedule();
    return () => {
      this.watchers.delete(entry);
      this.schedule();
    };
  }

  /** A process removed from the stack: its counter goes. */
  forget(name: string): void {
    this.sampler.forget(name);
  }

  private schedule(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.watchers.size === 0) return;
    const every = Math.min(...[...this.watchers].map((w) => w.everyMs));
    this.timer = setInterval(() => {
      void this.read().then(
        (reading) => {
          for (const w of this.watchers) w.listener(reading);
        },
        () => {},
      );
    }, every);
    this.timer.unref();
  }

  private async take(windowMs: number): Promise<ResourceReading> {
    const age = this.lastAt === undefined ? Infinity : performance.now() - this.lastAt;
    if (age > MAX_WINDOW_MS) {
      this.sample();
      await this.wait(windowMs);
    } else if (age < MIN_WINDOW_MS) {
      await this.wait(Math.max(0, Math.min(windowMs, MIN_WINDOW_MS) - age));
    }
    return this.sample();
  }

  private sample(): ResourceReading {
    const now = performance.now();
    const window = this.lastAt === undefined ? 0 : now - this.lastAt;
    const usage = this.sampler.sample(this.host.running(), now);
    this.lastAt = now;
    const cpu = process.cpuUsage();
    const cpuWindowS = (now - this.lastCpuAt) / 1000;
    const supervisorCpu = (cpu.user + cpu.system - this.lastCpu.user - this.lastCpu.system) / 1e6;
    this.lastCpu = cpu;
    this.lastCpuAt = now;
    const reading: ResourceReading = {
      at: Date.now(),
      window_ms: Math.round(window),
      processes: Object.fromEntries([...usage].map(([name, u]) => [name, toJson(u)])),
      supervisor: {
        cpu: cpuWindowS > 0 ? supervisorCpu / cpuWindowS : null,
        cpu_seconds_total: (cpu.user + cpu.system) / 1e6,
        rss_bytes: process.memoryUsage.rss(),
        processes: 1,
      },
    };
    this.latest = reading;
    return reading;
  }
}

function toJson(u: GroupUsage): ProcessResources {
  return { cpu: u.cpu, cpu_seconds_total: u.cpuSecondsTotal, rss_bytes: u.rssBytes, processes: u.processes };
}
