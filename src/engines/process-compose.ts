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
import { setTimeout as sleep } from 'node:timers/promises';
import { ControlClient } from '../control/client.js';
import { spawnGuardian } from '../control/guardian.js';
import { acquireLock } from '../control/lock.js';
import { RUN_MARK, stackMarks } from '../control/marks.js';
import { controlPaths } from '../control/paths.js';
import { readState, runningGroups, writeState } from '../control/state-file.js';
import type { ComposeDoc } from '../compose/schema.js';
import type { ProcessOutcome, ProcessState } from '../engine/index.js';
import type { StackPlan } from '../plan/types.js';
import { withoutSecrets } from '../plan/secrets.js';
import { writeAtomicSync } from '../support/atomic-write.js';
import { RuntimeError } from '../support/errors.js';
import { identify, isSameProcess } from '../support/proc.js';
import type { Settings } from '../support/settings.js';
import { COMPOSE_FILE } from '../compose/generate.js';
import { judgePcStates } from './pc-judge.js';

export interface PcLaunch {
  readonly binary: string;
  readonly settings: Settings;
  readonly plan: StackPlan;
  readonly targets: readonly string[];
  readonly self: readonly string[];
  /** Foreground: process-compose's own output goes to ours. */
  readonly attach: boolean;
}

export interface PcStack {
  readonly pid: number;
  readonly client: ControlClient;
  /** Resolves with process-compose's exit code (and keeps us alive until then). */
  exited(): Promise<number>;
}

export type PcReady =
  | { readonly ok: true; readonly outcomes: readonly ProcessOutcome[] }
  | { readonly ok: false; readonly name: string; readonly message: string; readonly lastProbeError: string | null; readonly lastLines: readonly string[] };

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

/** Record the pids process-compose reports, for `core down` and the guardian. */
export function recordProcesses(stateFile: string, states: readonly ProcessState[]): void {
  const state = readState(stateFile);
  if (state) writeState(stateFile, { ...state, processes: runningGroups(states) });
}

const READY_POLL_MS = 50;

/**
 * process-compose pushes nothing, so ask it every 50 ms until the targets are
 * up or one of them has failed (judged by `judgePcStates`, the built-in
 * engine's rules). Its own probes still run on their whole-second periods: this
 * only notices sooner what it knows.
 */
export async function waitProcessCompose(stack: PcStack, doc: ComposeDoc, targets: readonly string[], timeoutMs: number): Promise<PcReady> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isSameProcess({ pid: stack.pid })) return failure(stack, targets[0] ?? '', 'process-compose exited before the stack was up');
    let states: ProcessState[];
    try {
      states = await stack.client.processes();
    } catch {
      states = []; // not listening yet
    }
    const verdict = judgePcStates(doc, targets, states);
    if (verdict.kind === 'failed') return failure(stack, verdict.name, verdict.message);
    if (verdict.kind === 'ok') return { ok: true, outcomes: verdict.outcomes };
    if (Date.now() > deadline) return failure(stack, verdict.waiting, `${verdict.waiting} was not ready within ${timeoutMs / 1000} s`);
    await sleep(READY_POLL_MS);
  }
}

async function failure(stack: PcStack, name: string, message: string): Promise<PcReady> {
  const lastLines = await stack.client.logs(name, 20).catch(() => []);
  return { ok: false, name, message, lastProbeError: null, lastLines };
}

/**
 * Under process-compose, `core up` on a running stack: the compose file it
 * was started with (`-f`) has just been rewritten; process-compose reloads it
 * and runs its own diff (`POST /project/configuration`, its `UpdateProject`,
 * the code behind `POST /project` and `project update`). Its JSON body for
 * `POST /project` uses ProcessConfig's camelCase tags and a Project struct
 * without tags, so the file stays the one source of truth. Its differences
 * from the built-in apply: docs/engines.md.
 */
export async function reloadProcessCompose(client: ControlClient, waitMs: number): Promise<Record<string, string>> {
  return client.reloadProject(waitMs);
}

/** A running process-compose found through its state file (its pid) and socket. */
export function attachedStack(pid: number, client: ControlClient): PcStack {
  return { pid, client, exited: () => Promise.resolve(0) };
}
