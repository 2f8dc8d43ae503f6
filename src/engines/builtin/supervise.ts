/**
 * The composition root of a running stack on the built-in engine: lock, state
 * file, guardian, engine and control server, wired together. `core up` runs it
 * in the foreground; `core up -d` runs it in a detached child.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ComposeDoc } from '../../compose/schema.js';
import { createSupervisor, DEFAULT_LOG_MAX_BYTES, fileLogs, pcLogFiles, type EngineEvent, type Supervisor } from '../../engine/index.js';
import type { StackPlan } from '../../plan/types.js';
import { withoutSecrets } from '../../plan/secrets.js';
import { identify, type ProcessIdentity } from '../../support/proc.js';
import type { Settings } from '../../support/settings.js';
import { spawnGuardian } from '../../control/guardian.js';
import { acquireLock } from '../../control/lock.js';
import { RUN_MARK, stackMarks } from '../../control/marks.js';
import { controlPaths } from '../../control/paths.js';
import { startEventLog } from '../../control/event-log.js';
import { startControlServer } from '../../control/server.js';
import { writeState, type RecordedProcess, type StateFile } from '../../control/state-file.js';
import { describeProblem, WriteHealth } from '../../control/write-health.js';
import { reapProcesses } from '../../control/reaper.js';
import { leftBy, sweepRun } from '../../control/survivors.js';
import { Resources } from '../../observe/resources.js';
import { Timeline } from '../../observe/timeline.js';
import type { MetricsSource } from '../../observe/metrics.js';
import { portsOf } from './ports-of.js';
import { startWatching } from './watch.js';
import { dashboardLauncher } from '../../dashboard/launcher.js';

export interface SuperviseOptions {
  readonly settings: Settings;
  readonly plan: StackPlan;
  readonly doc: ComposeDoc;
  /** Secret values beside the plan's (GeneratedStack `secrets`). */
  readonly secrets?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** argv prefix that runs `core` (for the guardian). */
  readonly self: readonly string[];
  /** Where failed writes are counted (the detached supervisor shares it with its own log). */
  readonly health?: WriteHealth;
  /** A line for the supervisor's log: a write that started or stopped failing. */
  readonly note?: (line: string) => void;
  /** After an apply (POST /project) changed the running document: write the compose file, off the CLI's path. */
  readonly onApplied?: (doc: ComposeDoc) => void;
}

/**
 * The engine's events reach their subscribers here: the state file (below), the
 * event log (event-log.ts), the control server's followers (server.ts); the
 * caller subscribes its printer with `engine.subscribe` before it starts anything.
 */
export interface RunningStack {
  readonly engine: Supervisor;
  readonly health: WriteHealth;
  /** Resolves when the stack has stopped, for any reason (down, Ctrl-C, exit_on_end). */
  readonly stopped: Promise<void>;
  /** Stop every process (dependents first), then the control plane. */
  shutdown(): Promise<void>;
  /** Once stopped: the code of an `exit_on_*` that ended the stack, else 0. */
  exitCode(): Promise<number>;
}

/** Retrying a state file that would not save: soon, then less often, never a busy loop. */
const SAVE_RETRY_FIRST_MS = 250;
const SAVE_RETRY_MAX_MS = 10_000;

export async function supervise({
  settings,
  plan,
  doc,
  secrets: extraSecrets = {},
  self,
  health = new WriteHealth(),
  note = () => {},
  onApplied,
}: SuperviseOptions): Promise<RunningStack> {
  const paths = controlPaths(settings.stackDir);
  const lock = acquireLock(paths.lock);
  // CORE_METRICS_ADDR: listen before anything starts, so a port in use stops `core up` with nothing started.
  let metricsSource: MetricsSource | undefined;
  const metricsHttp = settings.metricsAddr
    ? await (await import('../../observe/metrics-http.js'))
        .listenMetrics(settings.metricsAddr, () => metricsSource)
        .catch((error: unknown) => {
          lock.release();
          throw error;
        })
    : undefined;
  const processes = new Map<string, RecordedProcess>();
  // Every child carries the stack's marks from its first instruction on, so a
  // child spawned a moment before a SIGKILL, not yet in the state file, is found
  // all the same. The guardian exists before the first child does.
  const marks = stackMarks(settings.stackDir, identify(process.pid));
  const run = marks[RUN_MARK]!;
  const guardian = spawnGuardian(self, paths.state, { run });
  let base: Omit<StateFile, 'processes'> = {
    version: 1,
    engine: 'builtin',
    supervisor: identify(process.pid),
    ...(guardian.pid ? { guardian: guardian.pid } : {}),
    started_at: new Date().toISOString(),
    socket: paths.socket,
    ports: portsOf(plan, doc),
    services: servicesOf(doc),
  };
  // A state file that cannot be written (disk full, read-only) must not end the
  // supervisor: the stack keeps running, `core status` says so, and we retry with backoff.
  let retry: NodeJS.Timeout | undefined;
  let retryMs = SAVE_RETRY_FIRST_MS;
  const save = () => {
    if (retry) clearTimeout(retry);
    retry = undefined;
    try {
      writeState(paths.state, { ...base, processes: Object.fromEntries(processes) });
    } catch (error) {
      if (health.stateFailed(paths.state, error)) note(`warning: ${describeProblem(health.problems().find((p) => p.kind === 'state-not-saved')!)}`);
      retry = setTimeout(save, retryMs);
      retry.unref();
      retryMs = Math.min(retryMs * 2, SAVE_RETRY_MAX_MS);
      return;
    }
    retryMs = SAVE_RETRY_FIRST_MS;
    if (health.stateSaved()) note(`state file ${paths.state} saved again`);
  };
  // Starts and exits come in bursts (200 services: ~400 events): write once per turn.
  let saving: NodeJS.Immediate | undefined;
  const saveSoon = () => {
    saving ??= setImmediate(() => {
      saving = undefined;
      save();
    });
  };
  save();

  // Processes being stopped or restarted on request (not the whole stack): once
  // one has exited, what it forked out of its group is stopped too, found before
  // a restart can start the process again.
  const stopRequested = new Set<string>();
  let shuttingDown = false;
  const track = (event: EngineEvent) => {
    if (event.type === 'stopping' && !shuttingDown) stopRequested.add(event.name);
    // A launched daemon (`is_daemon`) has no child, so its stop ends in `stopped` or `starting`
    // with no `exited`: what it left is swept then (a stop of a backing-off process finds nothing).
    if ((event.type === 'exited' || event.type === 'stopped' || event.type === 'starting') && stopRequested.delete(event.name)) {
      const strays = leftBy(run, event.name);
      if (strays.length) void reapProcesses(strays, (ms) => sleep(ms));
    }
    if (event.type === 'started' && event.pid !== undefined) {
      const me: ProcessIdentity = identify(event.pid);
      processes.set(event.name, { ...me, pgid: event.pid });
      saveSoon();
    } else if (['exited', 'stopped', 'completed', 'failed'].includes(event.type) && processes.delete(event.name)) {
      saveSoon();
    }
  };

  // Each process gets its own secrets only; no secret reaches a process through the shared base.
  const secrets = { ...Object.fromEntries(plan.services.map((s) => [s.name, Object.fromEntries(s.secretEnv.map((key) => [key, s.env[key] ?? '']))])), ...extraSecrets };
  const baseEnv = { ...withoutSecrets(settings.env), ...marks };
  let stop: () => Promise<void> = async () => {};
  const onDropped = (file: string, error: unknown, lines: number) => {
    if (health.droppedLines(file, error, lines)) note(`warning: ${describeProblem(health.problems().find((p) => p.kind === 'logs-dropped')!)}`);
  };
  const engine = createSupervisor({
    doc,
    baseEnv,
    secrets,
    logDir: paths.logs,
    openLog: fileLogs(DEFAULT_LOG_MAX_BYTES, onDropped, run),
    openPcLog: pcLogFiles({ level: doc.log_level, noColorEnv: Boolean(settings.env.NO_COLOR), onDropped }),
    // A subscriber's bug is noted, not fatal: the stack goes on.
    onSubscriberError: (error) => note(`internal error in an event subscriber: ${(error as Error)?.stack ?? String(error)}`),
  });
  // What the metrics and the dashboard show, kept from the first event on; /proc is read only when asked.
  const resources = new Resources({ running: () => engine.runningPids() });
  const timeline = new Timeline();
  engine.subscribe(timeline.observe);
  metricsSource = { engine, resources, timeline };
  engine.subscribe((event) => {
    track(event);
    if (event.type === 'project-exit') void stop();
    if (event.type === 'apply-diff') for (const name of event.removed) resources.forget(name);
  });
  const eventLog = startEventLog(paths.events, engine.journal, onDropped);

  let markStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (markStopped = resolve));
  let stopping: Promise<void> | undefined;
  // An apply may add or remove services: their ports go to the state file (`core status`, `core logs` read them).
  const applied = (applyDoc: ComposeDoc, ports?: StateFile['ports']) => {
    if (ports) {
      base = { ...base, ports, services: servicesOf(applyDoc) };
      save();
    }
    onApplied?.(applyDoc);
  };
  // Nothing but a closure until the first `core dashboard`: the server is loaded then.
  const dashboard = dashboardLauncher({ engine, resources, timeline, root: settings.root, startedAt: Date.parse(base.started_at), ports: () => base.ports, note });
  const server = await startControlServer(paths.socket, engine, {
    onProjectStop: () => void stop(),
    problems: () => health.problems(),
    onApplied: applied,
    resources,
    timeline,
    dashboard,
  });
  const watching = startWatching({ engine, root: settings.root, ownDirs: [settings.stackDir, settings.dataDir], note });
  // CORE_CONTROLLER=1: apply PocketBase's core_topology records (docs/controller.md); loaded only then.
  const controller = settings.controller ? (await import('../../controller/start.js')).startController({ settings, plan, engine, self }) : undefined;
  // A host of a hosts file tells the other hosts about its processes over NATS (docs/hosts.md); loaded only then.
  const hostView = plan.host !== undefined ? await startHostView(settings, plan.host, plan, engine, note) : undefined;
  stop = () => {
    watching.close();
    // Set before the engine emits its first `stopping`: a whole-stack stop sweeps once, at the end.
    shuttingDown = true;
    stopping ??= (async () => {
      await hostView?.close();
      await controller?.close();
      await engine.stop();
      // Daemons that double-forked out of their process group outlive the engine's stop.
      await sweepRun(run, (ms) => sleep(ms));
      await dashboard.close();
      await server.close();
      await metricsHttp?.close();
      eventLog.close();
      processes.clear();
      if (saving) clearImmediate(saving);
      save();
      if (retry) clearTimeout(retry);
      guardian.dismiss();
      lock.release();
      markStopped();
    })();
    return stopping;
  };
  const exitCode = async () => {
    await stopped;
    return engine.projectExit?.exitCode ?? 0;
  };
  return { engine, health, stopped, shutdown: () => stop(), exitCode };
}

/** Process → service, for the processes an expanded service runs as (state file `services`). */
function servicesOf(doc: ComposeDoc): Record<string, string> {
  return Object.fromEntries(
    Object.entries(doc.processes).flatMap(([name, proc]) => (proc['x-core']?.service && proc['x-core'].service !== name ? [[name, proc['x-core'].service]] : [])),
  );
}

/** The hosts' view (src/hosts/view/), for a stack that runs as a host of a hosts file. */
async function startHostView(settings: Settings, host: string, plan: StackPlan, engine: Supervisor, note: (line: string) => void) {
  const [{ readHostsFile }, view] = await Promise.all([import('../../hosts/load.js'), import('../../hosts/view/start.js')]);
  // The file `core up` has just checked; should it have changed or gone since, the view still names the host.
  let entry: { region: string; address: string } | undefined;
  try {
    entry = readHostsFile(settings)?.hosts[host];
  } catch {
    entry = undefined;
  }
  return view.startHostView({
    here: { host, region: entry?.region ?? '', address: entry?.address ?? '' },
    plan,
    source: engine,
    serviceOf: (name) => engine.document.processes[name]?.['x-core']?.service ?? name,
    note,
  });
}
