/** Find the running stack of a project, if any: its state file, its supervisor, a client. */
import { ControlClient } from './client.js';
import { runningSupervisor, upInProgress, type UpInProgress } from './lock.js';
import { controlPaths, type ControlPaths } from './paths.js';
import { loadState, type StateFile } from './state-file.js';
import type { ProcessIdentity } from '../support/proc.js';

export interface StackHandle {
  readonly paths: ControlPaths;
  /** The state file, when it is there and sound. */
  readonly state: StateFile | undefined;
  /** What is wrong with a state file that is there but cannot be used (the file is `paths.state`). */
  readonly stateProblem: string | undefined;
  /** The live supervisor, if there is one. */
  readonly supervisor: ProcessIdentity | undefined;
  /** A `core up` still starting the stack, if there is one. */
  readonly up: UpInProgress | undefined;
  readonly client: ControlClient;
}

/** Throws (exit 2) when the stack folder belongs to another user (paths.ts checkOwner). */
export function findStack(stackDir: string, options: { timeoutMs?: number } = {}): StackHandle {
  const paths = controlPaths(stackDir);
  const loaded = loadState(paths.state);
  const state = loaded.kind === 'ok' ? loaded.state : undefined;
  return {
    paths,
    state,
    stateProblem: loaded.kind === 'corrupt' ? loaded.problem : undefined,
    supervisor: runningSupervisor(paths.lock),
    up: upInProgress(paths.upLock),
    client: new ControlClient(state?.socket ?? paths.socket, options.timeoutMs),
  };
}
