/**
 * `.core-stack/host`: the host a stack was started as (`core up --host`), so a
 * command on the running stack (`core up`, `apply`, `restart`) plans for the
 * same host without being told again, and one naming another host is refused
 * rather than turning this host's processes into that one's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeAtomicSync } from '../support/atomic-write.js';

const hostFile = (stackDir: string) => path.join(stackDir, 'host');

/** Written by a fresh `core up`; removed when the stack runs without a host. */
export function recordHost(stackDir: string, host: string | undefined): void {
  if (host === undefined) fs.rmSync(hostFile(stackDir), { force: true });
  else writeAtomicSync(hostFile(stackDir), `${host}\n`);
}

export function recordedHost(stackDir: string): string | undefined {
  try {
    return fs.readFileSync(hostFile(stackDir), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
