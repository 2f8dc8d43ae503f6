/** Find the running stack of a project, if any: its state file, its supervisor, a client. */
import { ControlClient } from './client.js';
import { runningSupervisor } from './lock.js';
import { controlPaths, type ControlPaths } from './paths.js';
import { readState, type StateFile } from './state-file.js';
import type { ProcessIdentity } from '../support/proc.js';

export interface StackHandle {
  readonly paths: ControlPaths;
  readonly state: StateFile | undefined;
  /** The live supervisor, if there is one. */
  readonly supervisor: ProcessIdentity | undefined;
  readonly client: ControlClient;
}

export function findStack(stackDir: string): StackHandle {
  const paths = controlPaths(stackDir);
  const state = readState(paths.state);
  return { paths, state, supervisor: runningSupervisor(paths.lock), client: new ControlClient(state?.socket ?? paths.socket) };
}
