/**
 * After the change stopped the single node: its store read whole, through a
 * temporary server (store-server.ts), into a backup folder, every count
 * checked. So the carry-over holds every message the old server acknowledged
 * before it stopped, not only those there when the change began. The store is
 * only read; if it cannot be, it stays where it is, untouched.
 */
import { MigrationError, exportStreams, type ExportResult } from './export.js';
import { migrationsDir } from './backup.js';
import type { CarryNeeded } from './groups.js';
import { storeOf } from './groups.js';
import { startStoreServer, StoreServerError } from './store-server.js';

export interface FinalReadOptions {
  /** The nats-server binary the plan runs. */
  readonly command: string;
  /** The stack folder: the temporary server's config goes in a 0700 folder under it. */
  readonly stackDir: string;
  readonly marks: Readonly<Record<string, string>>;
}

export interface FinalRead extends ExportResult {
  /** How long the temporary server took to start and to stop (ms), for the record. */
  readonly serverMs: number;
}

/** Why it failed, and the server's last lines when it was the server. */
export class FinalReadError extends Error {
  constructor(
    message: string,
    readonly details: readonly string[],
  ) {
    super(message);
  }
}

export async function readFinalStore(need: CarryNeeded, options: FinalReadOptions): Promise<FinalRead> {
  const process = need.from[0]!;
  const started = performance.now();
  let server: Awaited<ReturnType<typeof startStoreServer>>;
  try {
    server = await startStoreServer({
      command: options.command,
      storeDir: storeOf(need.base, process, need.service),
      workDir: options.stackDir,
      marks: options.marks,
      name: `${need.service}-carry`,
    });
  } catch (error) {
    const lines = error instanceof StoreServerError ? error.lastLines : [];
    throw new FinalReadError(`a temporary nats-server on the old store of ${process} could not start: ${(error as Error).message}`, [
      ...(lines.length ? ['its last lines:', ...lines.map((l) => `  ${l}`)] : []),
    ]);
  }
  let serverMs = performance.now() - started;
  let result: ExportResult;
  try {
    result = await exportStreams({ servers: [server.server], user: server.user, pass: server.pass, timeout: 5000 }, { root: migrationsDir(need.base), source: need.from });
  } catch (error) {
    throw new FinalReadError(`reading the old store of ${process} failed: ${(error as Error).message}`, error instanceof MigrationError ? [...error.details] : []);
  } finally {
    const stopping = performance.now();
    await server.stop();
    serverMs += performance.now() - stopping;
  }
  return { ...result, serverMs };
}
