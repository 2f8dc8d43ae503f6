/**
 * After the change stopped the old processes: their stores read whole,
 * through temporary servers (store-server.ts: one on a single node's store, a
 * cluster on a cluster's or the hubs'), into a backup folder, every count
 * checked. So the carry-over holds every message the old servers acknowledged
 * before they stopped, not only those there when the change began. The stores
 * are only read; if they cannot be, they stay where they are, untouched.
 */
import { MigrationError, exportStreams, type ExportResult } from './export.js';
import { migrationsDir } from './backup.js';
import type { CarryNeeded } from './groups.js';
import { storeOf } from './groups.js';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NodeConnectionOptions } from '@nats-io/transport-node';
import { startStoreServer, StoreServerError } from './store-server.js';
import { streamsOnDisk } from './store.js';

export interface FinalReadOptions {
  /** The nats-server binary the plan runs. */
  readonly command: string;
  /** The stack folder: the temporary server's config goes in a 0700 folder under it. */
  readonly stackDir: string;
  readonly marks: Readonly<Record<string, string>>;
  /** The old cluster's name (several old processes). */
  readonly cluster?: string;
  /** How long a cluster may take to recover every stream (a leader for each). */
  readonly readyTimeoutMs?: number;
}

/**
 * A cluster answers /healthz before it may list every stream; a replicated
 * stream answers once it has a leader again. Waits (bounded) until each
 * stream on disk answers its info, so the export sees them all.
 */
async function whenStreamsAnswer(connection: NodeConnectionOptions, expected: readonly string[], deadline: number): Promise<void> {
  if (expected.length === 0) return;
  const nc = await connect({ ...connection, name: 'core nats carry (waiting for the streams)' });
  try {
    const jsm = await jetstreamManager(nc, { checkAPI: false });
    let waiting: string[] = [...expected];
    for (;;) {
      const still: string[] = [];
      for (const name of waiting) await jsm.streams.info(name).catch(() => still.push(name));
      waiting = still;
      if (waiting.length === 0) return;
      if (Date.now() > deadline) throw new MigrationError(`stream${waiting.length === 1 ? '' : 's'} ${waiting.join(', ')} did not answer`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await nc.close();
  }
}

export interface FinalRead extends ExportResult {
  /** How long the temporary servers took to start and to stop (ms), for the record. */
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
  const processes = need.from.join(', ');
  const started = performance.now();
  let server: Awaited<ReturnType<typeof startStoreServer>>;
  try {
    server = await startStoreServer({
      command: options.command,
      members: need.from.map((p) => ({ name: p, storeDir: storeOf(need.base, p, need.service) })),
      ...(options.cluster ? { cluster: options.cluster } : {}),
      workDir: options.stackDir,
      marks: options.marks,
    });
  } catch (error) {
    const lines = error instanceof StoreServerError ? error.lastLines : [];
    throw new FinalReadError(
      `${need.from.length === 1 ? 'a temporary nats-server on the old store' : 'a temporary cluster on the old stores'} of ${processes} could not start: ${(error as Error).message}`,
      [...(lines.length ? ['its last lines:', ...lines.map((l) => `  ${l}`)] : [])],
    );
  }
  const connection = { servers: [...server.servers], user: server.user, pass: server.pass, timeout: 5000 };
  // Every stream the stores hold on disk (the connection's account, `$G`) must be there: none is ever skipped unseen.
  const expected = [...new Set(need.from.flatMap((p) => streamsOnDisk(storeOf(need.base, p, need.service))))].flatMap((s) => (s.startsWith('$G/') ? [s.slice(3)] : []));
  let serverMs = 0;
  let result: ExportResult;
  try {
    await whenStreamsAnswer(connection, expected, Date.now() + (options.readyTimeoutMs ?? 30_000));
    serverMs = performance.now() - started;
    result = await exportStreams({ servers: [...server.servers], user: server.user, pass: server.pass, timeout: 5000 }, { root: migrationsDir(need.base), source: need.from });
    const missing = expected.filter((name) => !result.streams.some((s) => s.name === name));
    if (missing.length) throw new MigrationError(`stream${missing.length === 1 ? '' : 's'} ${missing.join(', ')} on disk but not served`);
  } catch (error) {
    throw new FinalReadError(
      `reading the old store${need.from.length === 1 ? '' : 's'} of ${processes} failed: ${(error as Error).message}`,
      error instanceof MigrationError ? [...error.details] : [],
    );
  } finally {
    const stopping = performance.now();
    await server.stop();
    serverMs += performance.now() - stopping;
  }
  return { ...result, serverMs };
}
