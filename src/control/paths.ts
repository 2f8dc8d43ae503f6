/** Where the control plane keeps its files, all under the stack folder (0700). */
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../support/errors.js';

export interface ControlPaths {
  readonly socket: string;
  /** process-compose's API socket when it is the engine. */
  readonly pcSocket: string;
  readonly state: string;
  readonly lock: string;
  /** A `core up` in progress (lock.ts recordUp). */
  readonly upLock: string;
  readonly logs: string;
  readonly supervisorLog: string;
  /** The event log of the current (or last) supervisor run (event-log.ts). */
  readonly events: string;
}

// sun_path holds 108 bytes on Linux (104 on macOS), including the final NUL.
const MAX_SOCKET_PATH = 103;

export function controlPaths(stackDir: string): ControlPaths {
  checkOwner(stackDir);
  const socket = path.join(stackDir, 'core.sock');
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
    throw new InputError(
      'socket-path-too-long',
      `${socket}: too long for a unix socket (${Buffer.byteLength(socket)} bytes, at most ${MAX_SOCKET_PATH}); set CORE_STACK_DIR to a shorter folder`,
    );
  }
  return {
    socket,
    pcSocket: path.join(stackDir, 'pc.sock'),
    state: path.join(stackDir, 'state.json'),
    lock: path.join(stackDir, 'supervisor.lock'),
    upLock: path.join(stackDir, 'up.lock'),
    logs: path.join(stackDir, 'logs'),
    supervisorLog: path.join(stackDir, 'logs', 'core.log'),
    events: path.join(stackDir, 'events.ndjson'),
  };
}

/**
 * A stack folder belongs to the user who started the stack (it is 0700). For
 * anyone else "not running" would be a lie and every write a failure: say whose
 * it is. One stat, so every command that reads or writes it can afford it.
 */
export function checkOwner(stackDir: string): void {
  const uid = process.getuid?.();
  if (uid === undefined) return; // not POSIX: no owners to compare
  let owner: number;
  try {
    owner = fs.statSync(stackDir).uid;
  } catch {
    return; // not there yet: whoever creates it owns it
  }
  if (owner === uid) return;
  const name = userName(owner);
  throw new InputError(
    'not-owner',
    `${stackDir} belongs to ${name ? `user ${name} (uid ${owner})` : `uid ${owner}`}, not to you (uid ${uid}); its stack can only be seen or changed by that user`,
  );
}

function userName(uid: number): string | undefined {
  try {
    const line = fs
      .readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((entry) => entry.split(':')[2] === String(uid));
    return line?.split(':')[0] || undefined;
  } catch {
    return undefined;
  }
}
