/**
 * Prometheus metrics of a running stack (docs/metrics.md), built with
 * prom-client. Loaded with `await import()` the first time metrics are asked
 * for (GET /metrics on the control socket, or on CORE_METRICS_ADDR): until
 * then neither this module nor prom-client is in the supervisor, and nothing
 * here runs between scrapes (no timer, no default metric that samples the
 * event loop).
 *
 * Every figure is read at scrape time: the engine's snapshot, a Resources
 * reading (CPU as a counter over deltas of /proc, so a scrape every 5 s costs
 * one sample and never waits) and the Timeline's readiness histogram.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import pkg from '../../package.json' with { type: 'json' };
import type { ProcessState, Supervisor } from '../engine/index.js';
import type { ProcState } from '../engine/state.js';
import type { Resources } from './resources.js';
import { READY_BUCKETS, type Timeline } from './timeline.js';

export const CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** What the metrics read; all of it lives in the supervisor (src/engines/builtin/supervise.ts). */
export interface MetricsSource {
  readonly engine: Pick<Supervisor, 'snapshot' | 'document'>;
  readonly resources: Pick<Resources, 'read'>;
  readonly timeline: Pick<Timeline, 'get'>;
}

/** Every phase of the state machine (src/engine/state.ts): one 0/1 series each per process. A record, so a new phase fails the type check here. */
const PHASES: Record<ProcState['phase'], true> = {
  pending: true,
  waiting: true,
  starting: true,
  probing: true,
  ready: true,
  'backing-off': true,
  stopping: true,
  stopped: true,
  completed: true,
  skipped: true,
  failed: true,
};
export const STATES = Object.keys(PHASES) as ProcState['phase'][];

const LABELS = ['process', 'service'] as const;

interface Family {
  readonly registry: Registry;
  readonly up: Gauge<'process' | 'service'>;
  readonly state: Gauge<'process' | 'service' | 'state'>;
  readonly restarts: Counter<'process' | 'service'>;
  readonly startTime: Gauge<'process' | 'service'>;
  readonly exitCode: Gauge<'process' | 'service'>;
  readonly cpu: Counter<'process' | 'service'>;
  readonly rss: Gauge<'process' | 'service'>;
  readonly ownCpu: Counter;
  readonly ownRss: Gauge;
  /** Names and services of the last scrape, for the histogram (read in the same scrape). */
  processes: readonly { name: string; service: string }[];
}

function build(source: MetricsSource): Family {
  const registry = new Registry();
  const registers = [registry];
  const labelNames = [...LABELS];
  const family: Family = {
    registry,
    up: new Gauge({ name: 'core_process_up', help: '1 while the process runs (ready or not), else 0.', labelNames, registers }),
    state: new Gauge({
      name: 'core_process_state',
      help: "1 for the process's current state of the supervisor's state machine, 0 for the others.",
      labelNames: [...labelNames, 'state'],
      registers,
    }),
    restarts: new Counter({ name: 'core_process_restarts_total', help: 'Times the supervisor restarted the process.', labelNames, registers }),
    startTime: new Gauge({
      name: 'core_process_start_time_seconds',
      help: 'When the current (or last) run of the process was spawned, seconds since the epoch.',
      labelNames,
      registers,
    }),
    exitCode: new Gauge({
      name: 'core_process_last_exit_code',
      help: 'Exit code of the last run that ended (-1: killed by a signal; 0 until one ends).',
      labelNames,
      registers,
    }),
    cpu: new Counter({
      name: 'core_process_cpu_seconds_total',
      help: "CPU seconds (user + system) of the process's whole process group, counted since metrics or resources were first read.",
      labelNames,
      registers,
    }),
    rss: new Gauge({ name: 'core_process_resident_memory_bytes', help: "Resident memory of the process's whole process group.", labelNames, registers }),
    ownCpu: new Counter({ name: 'process_cpu_seconds_total', help: "The supervisor's own CPU seconds (user + system).", registers }),
    ownRss: new Gauge({ name: 'process_resident_memory_bytes', help: "The supervisor's own resident memory.", registers }),
    processes: [],
  };
  new Gauge({ name: 'core_build_info', help: 'Always 1; the labels say which core, Node and engine run the stack.', labelNames: ['version', 'node', 'engine'], registers }).set(
    { version: pkg.version, node: process.version, engine: 'builtin' },
    1,
  );
  // The Timeline already keeps cumulative buckets, a sum and a count per process (from the first
  // event on, before anyone asked for metrics). prom-client's Histogram only takes observations,
  // and replaying bucket bounds would falsify the sum: a collector object that hands the
  // registry those numbers as they are is the honest way (prom-client formats it like its own).
  registry.registerMetric(readyHistogram(source, family) as never);
  return family;
}

/** `core_process_ready_latency_seconds`, in the shape prom-client's registry formats. */
function readyHistogram(source: MetricsSource, family: Family) {
  const name = 'core_process_ready_latency_seconds';
  const help = 'Seconds from spawn to ready, for every run of the process (readiness probe, log line, or started).';
  return {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    reset() {},
    get: async () => ({
      name,
      help,
      type: 'histogram',
      aggregator: 'sum',
      values: family.processes.flatMap(({ name, service }) => {
        const ready = source.timeline.get(name)?.ready;
        const labels = { process: name, service };
        const count = ready?.count ?? 0;
        return [
          ...READY_BUCKETS.map((le, i) => ({ metricName: 'core_process_ready_latency_seconds_bucket', labels: { ...labels, le }, value: ready?.buckets[i] ?? 0 })),
          { metricName: 'core_process_ready_latency_seconds_bucket', labels: { ...labels, le: '+Inf' }, value: count },
          { metricName: 'core_process_ready_latency_seconds_sum', labels, value: ready?.sum ?? 0 },
          { metricName: 'core_process_ready_latency_seconds_count', labels, value: count },
        ];
      }),
    }),
  };
}

function serviceOf(engine: MetricsSource['engine'], name: string): string {
  return engine.document.processes[name]?.['x-core']?.service ?? name;
}

/** Fill every family from one snapshot and one reading (synchronous: a scrape sees one moment). */
function fill(family: Family, snapshot: readonly ProcessState[], source: MetricsSource, reading: Awaited<ReturnType<Resources['read']>>): void {
  for (const metric of [family.up, family.state, family.restarts, family.startTime, family.exitCode, family.cpu, family.rss, family.ownCpu, family.ownRss]) metric.reset();
  family.processes = snapshot.map((p) => ({ name: p.name, service: serviceOf(source.engine, p.name) }));
  snapshot.forEach((p, i) => {
    const labels = { process: p.name, service: family.processes[i]!.service };
    family.up.set(labels, p.is_running ? 1 : 0);
    for (const state of STATES) family.state.set({ ...labels, state }, p.phase === state ? 1 : 0);
    family.restarts.inc(labels, p.restarts);
    const startedAt = source.timeline.get(p.name)?.startedAt;
    if (startedAt !== undefined) family.startTime.set(labels, startedAt / 1000);
    family.exitCode.set(labels, p.exit_code);
    const usage = reading.processes[p.name];
    family.cpu.inc(labels, usage?.cpu_seconds_total ?? 0);
    family.rss.set(labels, usage?.rss_bytes ?? 0);
  });
  family.ownCpu.inc(reading.supervisor.cpu_seconds_total);
  family.ownRss.set(reading.supervisor.rss_bytes);
}

export interface Metrics {
  /** One scrape: the text exposition (format 0.0.4). */
  scrape(): Promise<string>;
}

/** Scrapes one at a time: each fills the families and formats them before the next fills them again. */
export function createMetrics(source: MetricsSource): Metrics {
  let family: Family | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const once = async () => {
    family ??= build(source);
    // Window 0: the CPU figure is a counter, so no wait for a window is needed (a first
    // scrape takes the baseline; Prometheus's rate() does the rest).
    const reading = await source.resources.read(0);
    fill(family, source.engine.snapshot(), source, reading);
    return family.registry.metrics();
  };
  return {
    scrape() {
      const next = queue.then(once);
      queue = next.catch(() => {});
      return next;
    },
  };
}

const bySource = new WeakMap<object, Metrics>();

/** The metrics of this supervisor, made on first use and kept (the control socket and the HTTP listener share them). */
export function metricsOf(source: MetricsSource): Metrics {
  let metrics = bySource.get(source.engine);
  if (!metrics) {
    metrics = createMetrics(source);
    bySource.set(source.engine, metrics);
  }
  return metrics;
}
