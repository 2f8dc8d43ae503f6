/**
 * The topology controller inside the supervisor (CORE_CONTROLLER=1), wired
 * here: once PocketBase is ready, sign in as its superuser, subscribe to
 * `core_topology`, and run a reconcile pass (reconcile.ts) on every change and
 * every (re)connect. It changes the stack only through `core apply`
 * (apply-child.ts), so it plans exactly as a user's command does.
 * Everything it has to say goes onto the engine's event bus (the event log,
 * `core events`, `core.log`); it never ends the supervisor.
 */
import type { Supervisor } from '../engine/index.js';
import type { StackPlan } from '../plan/types.js';
import type { Settings } from '../support/settings.js';
import { runApply } from './apply-child.js';
import { overridesFile, readOverrides, writeOverrides } from './overrides-file.js';
import type { ServiceInfo } from './records.js';
import { createReconcile, type ControllerReport } from './reconcile.js';
import type { TopologySource } from './realtime.js';
import { serial } from './serial.js';
import { pocketbaseTarget } from './superuser.js';
import { validateOverride } from './validate-record.js';

export interface ControllerOptions {
  readonly settings: Settings;
  readonly plan: StackPlan;
  readonly engine: Supervisor;
  /** argv prefix that runs `core` itself. */
  readonly self: readonly string[];
}

export interface Controller {
  close(): Promise<void>;
}

/** How long an apply may wait for what it starts; a retry after a busy apply; reconnect backoff. */
const APPLY_TIMEOUT_SECONDS = 120;
const BUSY_RETRY_MS = 1000;
const SIGN_IN_RETRY_MS = [250, 500, 1000, 2000, 5000, 10_000];
const OUTAGE_MS = 2000;

export function startController({ settings, plan, engine, self }: ControllerOptions): Controller {
  const report = ({ ok, reason, message }: ControllerReport) => engine.emit({ type: 'controller', name: '', at: Date.now(), ok, reason, message });
  const target = pocketbaseTarget(plan);
  if ('problem' in target) {
    report({ ok: false, reason: 'not started', message: target.problem });
    return { close: async () => {} };
  }

  const aborted = new AbortController();
  const timers = new Set<NodeJS.Timeout>();
  const later = (fn: () => void, ms: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    timers.add(timer);
  };
  let source: TopologySource | undefined;
  const file = overridesFile(settings.stackDir);
  const reconcile = createReconcile({
    list: () => source!.list(),
    setError: (id, error) => source!.setError(id, error),
    services: servicesOf(plan),
    validate: (service, value) => validateOverride(service, value, settings.deployment),
    initial: readOverrides(file),
    write: (overrides) => writeOverrides(file, overrides),
    apply: () => runApply({ self, root: settings.root, env: process.env, timeoutSeconds: APPLY_TIMEOUT_SECONDS, signal: aborted.signal }),
    report,
    retryLater: () => later(() => passes.trigger(), BUSY_RETRY_MS),
  });
  const passes = serial(reconcile, (error) => report({ ok: false, reason: 'pass failed', message: (error as Error)?.message ?? String(error) }));

  const connect = async (attempt: number): Promise<void> => {
    if (aborted.signal.aborted) return;
    try {
      // The SDK and eventsource load only here: a stack without the controller never pays for them.
      const { connectTopology } = await import('./realtime.js');
      // PocketBase closes an idle connection every 5 minutes and the SDK reconnects at
      // once: only an outage worth the name goes to the event log.
      let lostAt: number | undefined;
      const connected = await connectTopology(
        target,
        {
          onChange: () => passes.trigger(),
          onConnect: () => {
            if (lostAt !== undefined && Date.now() - lostAt > OUTAGE_MS) {
              report({ ok: true, reason: 'reconnected to PocketBase', message: `after ${((Date.now() - lostAt) / 1000).toFixed(1)} s; the collection is listed again` });
            }
            lostAt = undefined;
            passes.trigger();
          },
          onDisconnect: () => {
            lostAt ??= Date.now();
          },
        },
        aborted.signal,
      );
      if (aborted.signal.aborted) return void connected.close();
      source = connected;
      report({ ok: true, reason: 'watching core_topology', message: target.url });
      passes.trigger();
    } catch (error) {
      const wait = SIGN_IN_RETRY_MS[Math.min(attempt, SIGN_IN_RETRY_MS.length - 1)]!;
      // The first failures are PocketBase still settling; say so only once it persists.
      if (attempt >= 2) report({ ok: false, reason: 'cannot sign in to PocketBase', message: `${(error as Error)?.message ?? String(error)}; retrying in ${wait} ms` });
      later(() => void connect(attempt + 1), wait);
    }
  };

  const pocketbase = target.service.name;
  let started = false;
  const unsubscribe = engine.subscribe((event) => {
    if (started || event.type !== 'ready' || event.name !== pocketbase) return;
    started = true;
    unsubscribe();
    void connect(0);
  });

  return {
    close: async () => {
      aborted.abort();
      unsubscribe();
      for (const timer of timers) clearTimeout(timer);
      await source?.close();
      await passes.close();
    },
  };
}

/**
 * Each service's manifest file and its topology values, by service name. The
 * plan's values include the overrides it was made with: a record that leaves
 * a field empty is checked against those here, and against the manifest's by
 * `core apply`, which says so on the record if they differ in outcome.
 */
function servicesOf(plan: StackPlan): Map<string, ServiceInfo> {
  const services = new Map<string, ServiceInfo>();
  // A service may run as several processes (one per NATS node): key by the manifest's name.
  for (const p of plan.services) {
    if (!services.has(p.service)) {
      services.set(p.service, { file: p.file, ...(p.renderer ? { renderer: p.renderer } : {}), topology: p.config.topology, deployment: p.config.deployment });
    }
  }
  return services;
}
