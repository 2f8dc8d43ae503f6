/**
 * `core up --engine process-compose`: the same generated file, run by the real
 * process-compose (TUI off, its REST API on `.core-stack/pc.sock`). It becomes
 * the supervisor of record: the lock and the state file name it, so `core
 * status`, `logs`, `restart` and `down` work through the same client. A guardian
 * watches it, since process-compose alone orphans its children when it is
 * killed (its issues #38 and #49).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ControlClient } from '../../control/client.js';
import { spawnGuardian } from '../../control/guardian.js';
import { acquireLock } from '../../control/lock.js';
import { RUN_MARK, stackMarks } from '../../control/marks.js';
import { controlPaths } from '../../control/paths.js';
import { writeState } from '../../control/state-file.js';
import { COMPOSE_FILE } from '../../compose/generate.js';
import { writeComposeFile } from '../../compose/write.js';
import { createProgressRenderer } from '../../deps/format.js';
import { provisionBinaries } from '../../deps/provision.js';
import type { StackPlan } from '../../plan/types.js';
import { withoutSecrets } from '../../plan/secrets.js';
import { writeAtomicSync } from '../../support/atomic-write.js';
import { RuntimeError } from '../../support/errors.js';
import { identify } from '../../support/proc.js';
import type { Settings } from '../../support/settings.js';
import type { EngineLauncher, LaunchedStack, LaunchRequest, ReadyResult } from '../engine.js';
import { PROCESS_COMPOSE } from './binary.js';
import { recordProcesses, waitProcessCompose, type PcStack } from './ready.js';
import { pcDocument } from './reload.js';
import { LACKS } from './stack.js';

export interface PcLaunch {
  readonly binary: string;
  readonly settings: Settings;
  readonly plan: StackPlan;
  readonly targets: readonly string[];
  readonly self: readonly string[];
  /** Foreground: process-compose's own output goes to ours. */
  readonly attach: boolean;
}

export async function launchProcessCompose(launch: PcLaunch): Promise<PcStack> {
  const { settings, plan } = launch;
  const paths = controlPaths(settings.stackDir);
  const lock = acquireLock(paths.lock);
  // process-compose hands its whole environment to every process, so the
  // secrets of all the services it runs go in; it never writes them down. The
  // stack's marks go in too (control/marks.ts): process-compose carries them
  // itself, and every process it starts, forks included, is found by them.
  // This `core up` started the run: its identity names it.
  const marks = stackMarks(settings.stackDir, identify(process.pid));
  const env = { ...withoutSecrets(settings.env), ...marks };
  for (const service of plan.services) for (const key of service.secretEnv) env[key] = service.env[key] ?? '';
  const args = [
    'up',
    ...launch.targets,
    '-f',
    path.join(settings.stackDir, COMPOSE_FILE),
    '-t=false',
    '-U',
    '-u',
    paths.pcSocket,
    '-L',
    path.join(paths.logs, 'process-compose.log'),
    '--keep-project',
  ];
  const child = spawn(launch.binary, args, { cwd: settings.root, env, detached: true, stdio: launch.attach ? ['ignore', 'inherit', 'inherit'] : 'ignore' });
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
  const spawned = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', resolve);
  });
  if (spawned || !child.pid) {
    lock.release();
    throw new RuntimeError('engine-failed', `cannot start ${launch.binary}: ${spawned?.message ?? 'no pid'}`);
  }
  if (!launch.attach) child.unref();
  const supervisor = identify(child.pid);
  // The lock now names process-compose: it is the supervisor while it lives.
  writeAtomicSync(paths.lock, JSON.stringify(supervisor));
  const guardian = spawnGuardian(launch.self, paths.state, { run: marks[RUN_MARK]!, watch: true });
  writeState(paths.state, {
    version: 1,
    engine: 'process-compose',
    supervisor,
    ...(guardian.pid ? { guardian: guardian.pid } : {}),
    started_at: new Date().toISOString(),
    socket: paths.pcSocket,
    ports: Object.fromEntries(plan.services.map((s) => [s.name, s.ports])),
    services: Object.fromEntries(plan.services.filter((s) => s.service !== s.name).map((s) => [s.name, s.service])),
    processes: {},
  });
  return {
    pid: child.pid,
    client: new ControlClient(paths.pcSocket),
    exited: () => {
      child.ref(); // unref'd when detached: waiting on it must hold the event loop open
      return exited;
    },
  };
}

/**
 * process-compose needs the compose file before it starts, and its binary. It
 * has no event stream: in the foreground its own output goes to ours, and
 * detached, readiness is known only when `waitReady` answers.
 */
async function launch(request: LaunchRequest): Promise<LaunchedStack> {
  const { settings, plan, generated, targets, timeoutMs, detach } = request;
  const paths = controlPaths(settings.stackDir);
  // Without the `reload` keys core carries out itself (reload.ts): process-compose would restart on them.
  await writeComposeFile(plan, { ...generated, doc: pcDocument(generated.doc) });
  const [binary] = await provisionBinaries([PROCESS_COMPOSE], settings, { reuseLinked: true, reporter: createProgressRenderer(request.note) });
  const stack = await launchProcessCompose({ binary: binary!.path, settings, plan, targets, self: request.self, attach: !detach });
  let ready: Promise<ReadyResult> | undefined;
  const waitReady = () =>
    (ready ??= (async () => {
      const result = await waitProcessCompose(stack, generated.doc, targets, timeoutMs);
      recordProcesses(paths.state, await stack.client.processes().catch(() => []));
      if (detach && !result.ok) {
        await stack.client.stopProject().catch(() => {});
        await stack.exited();
      }
      return result;
    })());
  return {
    waitReady,
    shutdown: () => void stack.client.stopProject().catch(() => {}),
    exitCode: () => stack.exited(),
    stoppingNote: 'stopping… (process-compose, dependents first)',
  };
}

export const processComposeLauncher: EngineLauncher = { name: 'process-compose', usesDaemon: false, lacks: (feature) => LACKS[feature](), launch };
