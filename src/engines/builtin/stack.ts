/**
 * A stack the built-in engine runs, as a command sees it (engine.ts
 * `StackEngine`), over `.core-stack/core.sock`. Every change is an apply of a
 * document (`POST /project`, control/project-route.ts): core's own diff, in
 * dependency order; `start` and `restart` are applies of part of the stack.
 * Light on purpose: the engine itself runs in the supervisor, not here.
 */
import { APPLY_KEY, ControlError } from '../../control/client.js';
import type { StackHandle } from '../../control/connect.js';
import type { ApplyOptions, ProjectBody } from '../../control/project-route.js';
import { closure } from '../../engine/dependencies.js';
import { InputError, RuntimeError } from '../../support/errors.js';
import type { Applied, ApplyReport, DesiredStack, StackChange, StackEngine } from '../engine.js';
import { expandNames } from '../../plan/process-names.js';
import { portsOf } from './ports-of.js';

/** Each process's secret values (`x-core.secret_env`): sent over the socket, never written. */
function secretsOf({ plan, generated }: DesiredStack): Record<string, Readonly<Record<string, string>>> {
  return {
    ...Object.fromEntries(plan.services.filter((s) => s.secretEnv.length).map((s) => [s.name, Object.fromEntries(s.secretEnv.map((key) => [key, s.env[key] ?? '']))])),
    ...generated.secrets,
  };
}

/**
 * What a new run needs before the supervisor can start it: binaries, free
 * ports for processes new to the stack, config files and working folders.
 */
async function prepareFiles(desired: DesiredStack, handle: StackHandle, only: readonly string[] | undefined, progress: (line: string) => void): Promise<void> {
  const [{ checkPortsFree }, { writeChangedServiceFiles }, { createProgressRenderer }, { provisionBinaries }, { rendererFor }] = await Promise.all([
    import('../../control/port-check.js'),
    import('../../compose/write.js'),
    import('../../deps/format.js'),
    import('../../deps/provision.js'),
    import('../../services/index.js'),
  ]);
  const services = desired.plan.services.filter((s) => !only || only.includes(s.name));
  await provisionBinaries(
    services.flatMap((s) => s.binaries),
    desired.settings,
    { reuseLinked: true, reporter: createProgressRenderer(progress) },
  );
  const running = new Set((await handle.client.processes()).map((p) => p.name));
  // A whole-document apply stops the processes it removes before it starts new ones: their ports
  // are free by then (a NATS single node's client port becomes nats-1's in a topology change).
  const leaving = only ? [] : [...running].filter((name) => !desired.generated.doc.processes[name]);
  const freed = new Set(leaving.flatMap((name) => Object.values(handle.state?.ports[name] ?? {}).map((p) => `${p.host}:${p.port}`)));
  const fresh = services
    .filter((s) => !running.has(s.name))
    .map((s) => ({ ...s, ports: Object.fromEntries(Object.entries(s.ports).filter(([, p]) => !freed.has(`${p.host}:${p.port}`))) }));
  await checkPortsFree(fresh);
  // Only the config files of the definitions taken: another service runs on with the files it
  // started from (its own restart after a crash must not pick up a definition not applied).
  const files = only ? services.flatMap((s) => rendererFor(s)?.(s, desired.plan).files ?? []) : desired.generated.files;
  await writeChangedServiceFiles({ ...desired.generated, files });
}

/**
 * The `x-core` options of `POST /project` for each kind of change. `core start`:
 * what it brings up that is not running (stopped, or new to the manifests)
 * starts with its definition as it is now, as `core up svc` would; what runs is
 * never restarted, and the rest keeps the definition it runs with.
 */
function optionsOf(change: StackChange, desired: DesiredStack, running: ReadonlySet<string>): Omit<ApplyOptions, 'secrets' | 'timeout_ms' | 'dry_run'> {
  const { names } = change;
  switch (change.kind) {
    case 'apply':
      return {};
    case 'up': {
      const processes = desired.generated.doc.processes;
      return { start: names.length ? [...names] : Object.keys(processes).filter((n) => !processes[n]!.disabled) };
    }
    case 'start':
      return { start: [...names], only: closure(desired.generated.doc, names).filter((n) => !running.has(n)) };
    case 'restart':
      return { only: [...names], restart: [...names], ...(change.wait === false ? { no_wait: true } : {}) };
  }
}

async function apply(handle: StackHandle, asked: StackChange): Promise<Applied> {
  const startedAt = performance.now();
  const dryRun = asked.dryRun === true;
  const desired = await asked.desired();
  // A service that runs as several processes stands for all of them (`core restart nats`).
  const names = asked.names.flatMap((name) => {
    const processes = expandNames([name], desired.plan.services).names;
    return processes.length ? processes : [name]; // an unknown name is the supervisor's to refuse
  });
  const change = { ...asked, names };
  const running = change.kind === 'start' ? new Set((await handle.client.processes()).filter((p) => p.is_running).map((p) => p.name)) : new Set<string>();
  const options = optionsOf(change, desired, running);
  if (!dryRun) await prepareFiles(desired, handle, options.only, change.progress);
  const body: ProjectBody & { 'x-core': ApplyOptions } = {
    ...desired.generated.doc,
    'x-core': {
      secrets: secretsOf(desired),
      timeout_ms: change.timeoutMs,
      ...(dryRun ? { dry_run: true } : { ports: portsOf(desired.plan, desired.generated.doc) }),
      ...options,
    },
  };
  let answer: Record<string, unknown>;
  try {
    answer = await handle.client.applyProject(body, change.timeoutMs + 10_000);
  } catch (error) {
    if (error instanceof ControlError && error.status === 409) throw new RuntimeError('apply-refused', error.message.replace(/^POST \/project: /, ''));
    if (error instanceof ControlError && error.status === 400) throw new InputError('apply-refused', error.message.replace(/^POST \/project: /, ''));
    throw new RuntimeError('apply-failed', `apply: ${(error as Error).message}`);
  }
  return { kind: 'diff', report: answer[APPLY_KEY] as ApplyReport, totalMs: Math.round(performance.now() - startedAt), dryRun };
}

export function builtinStack(handle: StackHandle): StackEngine {
  const { client } = handle;
  return {
    name: 'builtin',
    lacks: () => undefined,
    snapshot: () => client.processes(),
    logs: (name, lines) => client.logs(name, lines),
    apply: (change) => apply(handle, change),
    stop: async (names) => {
      for (const name of names) await client.stop(name);
    },
    stopAll: async () => void (await client.stopProject()),
    events: (since) => client.events(since),
    follow: (since, onRecord, signal) => client.followEvents(since, onRecord, signal),
  };
}
