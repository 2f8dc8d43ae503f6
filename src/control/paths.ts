/** Where the control plane keeps its files, all under the stack folder (0700). */
import path from 'node:path';
import { InputError } from '../support/errors.js';

export interface ControlPaths {
  readonly socket: string;
  /** process-compose's API socket when it is the engine. */
  readonly pcSocket: string;
  readonly state: string;
  readonly lock: string;
  readonly logs: string;
  readonly supervisorLog: string;
}

// sun_path holds 108 bytes on Linux (104 on macOS), including the final NUL.
const MAX_SOCKET_PATH = 103;

export function controlPaths(stackDir: string): ControlPaths {
  const socket = path.join(stackDir, 'core.sock');
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
    throw new InputError('socket-path-too-long', `${socket}: too long for a unix socket (${Buffer.byteLength(socket)} bytes, at most ${MAX_SOCKET_PATH}); set CORE_STACK_DIR to a shorter folder`);
  }
  return {
    socket,
    pcSocket: path.join(stackDir, 'pc.sock'),
    state: path.join(stackDir, 'state.json'),
    lock: path.join(stackDir, 'supervisor.lock'),
    logs: path.join(stackDir, 'logs'),
    supervisorLog: path.join(stackDir, 'logs', 'core.log'),
  };
}
