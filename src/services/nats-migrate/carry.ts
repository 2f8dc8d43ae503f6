/**
 * A topology change on a running stack that replaces every process holding a
 * NATS service's streams (groups.ts): what cannot be carried is refused
 * before anything changes (exit 2), checked on the running servers. Once the
 * change has stopped the old processes and the new ones are ready, the old
 * stores are read whole through temporary servers (final-read.ts) into a
 * backup folder, so every message the old servers acknowledged is carried,
 * and republished into the new processes, every count checked. What fails
 * after the change says where the streams are and how to get them back.
 * Nothing under `.data/` is deleted.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { NodeConnectionOptions } from '@nats-io/transport-node';
import { AUTH_USER } from '../../plan/auth.js';
import type { PlannedService, StackPlan } from '../../plan/types.js';
import { credentialsFile } from '../credentials-file.js';
import { InputError, RuntimeError } from '../../support/errors.js';
import { migrationsDir } from './backup.js';
import { exportStreams, MigrationError } from './export.js';
import { carriesNeeded, type CarryNeeded, roleOf, storeOf } from './groups.js';
import { importStreams } from './import.js';
import { FinalReadError, readFinalStore } from './final-read.js';
import { moveAside, streamsOnDisk } from './store.js';

type Ports = Readonly<Record<string, Readonly<Record<string, { port: number; host: string }>>>>;

/** The running stack as the carry-over needs it. */
export interface RunningNats {
  /** Every process of the running document, running or not. */
  readonly names: readonly string[];
  /** Those running now. */
  readonly running: ReadonlySet<string>;
  /** Ports per process as the state file records them. */
  readonly ports: Ports;
}

/** Checked, waiting for the change to be applied. */
export interface PendingCarry {
  readonly need: CarryNeeded;
  /** As seen before the change (clients may have written since). */
  readonly streams: number;
  readonly messages: number;
}

/** After the change: the processes still running, and the stack's marks for the temporary server. */
export interface AfterChange {
  readonly running: ReadonlySet<string>;
  readonly marks: Readonly<Record<string, string>>;
}

export interface Carried {
  readonly service: string;
  readonly from: readonly string[];
  readonly to: readonly string[];
  readonly backup: string;
  readonly streams: number;
  readonly messages: number;
  /** Old stores that could not be moved into the backup: the next start would take them for streams still to carry. */
  readonly notMoved: readonly string[];
  /** The temporary servers' start and stop (ms). */
  readonly storeServerMs: number;
}

export const hostPort = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/** The user and password the plan gives the service's clients (the server reads the same from its environment). */
export function credentials(s: PlannedService): Pick<NodeConnectionOptions, 'user' | 'pass'> {
  if (s.config.auth !== 'user-password') return {};
  const key = s.secretEnv.find((k) => /^CORE_.+_AUTH_PASSWORD$/.test(k));
  const pass = key ? s.env[key] : undefined;
  return pass ? { user: AUTH_USER, pass } : {};
}

/**
 * The running servers were started with the password the service had then,
 * which the plan may no longer ask for (auth off for a cluster): the stack's
 * password file, when there is one. A server without auth ignores them.
 */
function runningCredentials(plan: StackPlan, service: string): Pick<NodeConnectionOptions, 'user' | 'pass'> {
  try {
    const pass = fs.readFileSync(credentialsFile(plan.dataDir, service), 'utf8').trim();
    return pass ? { user: AUTH_USER, pass } : {};
  } catch {
    return {};
  }
}

function relative(plan: StackPlan, file: string): string {
  return path.relative(plan.root, file) || '.';
}

/** A process's store as the user sees it: the single node's `jetstream` folder, a cluster node's own folder. */
function storePath(plan: StackPlan, need: CarryNeeded, process: string): string {
  const store = storeOf(need.base, process, need.service);
  return relative(plan, process === need.service ? path.join(store, 'jetstream') : store);
}

/** Streams on disk in the stores of `processes` (for a process that is not running: nothing can read them). */
function storedIn(need: CarryNeeded, processes: readonly string[]): string[] {
  return processes.flatMap((p) => streamsOnDisk(storeOf(need.base, p, need.service)).map((s) => `${p}: ${s}`));
}

/**
 * Before the change is sent: read the streams of every group the plan
 * replaces, on the running servers, writing nothing. Refuses (exit 2, nothing
 * changed) what could not be carried; the streams themselves are read once
 * the old servers have stopped (`importAfterChange`).
 */
export async function checkBeforeChange(running: RunningNats, plan: StackPlan): Promise<PendingCarry[]> {
  const pending: PendingCarry[] = [];
  for (const need of carriesNeeded(running.names, plan)) {
    const refuse = (why: string, details: string[] = []) =>
      new InputError(
        'streams-not-carried',
        `${need.service}: cannot carry the JetStream streams of ${need.from.join(', ')} over to ${need.to.map((s) => s.name).join(', ')}: ${why}`,
        [...details, 'nothing was changed; the streams are where they were'],
      );
    const stopped = need.from.filter((p) => !running.running.has(p));
    if (stopped.length > 0) {
      const onDisk = storedIn(need, stopped);
      if (onDisk.length > 0)
        throw refuse(`${stopped.join(', ')} is not running, so its streams cannot be read`, [
          `start it first: set the topology back and run \`core up\`; then change the topology again`,
        ]);
      continue;
    }
    const source = need.from.flatMap((p) => {
      const client = running.ports[p]?.client;
      return client ? [hostPort(client.host, client.port)] : [];
    });
    if (source.length === 0) throw refuse('the running stack records no client port for them');
    let result: Awaited<ReturnType<typeof exportStreams>>;
    try {
      result = await exportStreams(
        { servers: source, ...runningCredentials(plan, need.service), timeout: 5000 },
        { root: migrationsDir(need.base), source: need.from, checkOnly: true },
      );
    } catch (error) {
      throw refuse((error as Error).message, error instanceof MigrationError ? [...error.details] : []);
    }
    // No streams yet: nothing in the way; the stores are still looked at once their servers stopped (one may be made meanwhile).
    if (result.streams.length === 0) {
      pending.push({ need, streams: 0, messages: 0 });
      continue;
    }
    // Checked once there is something to carry: a way back to a store left whole is no conflict when the other side is empty.
    const occupied = storedIn(
      need,
      need.to.map((s) => s.name),
    );
    if (occupied.length > 0) {
      throw refuse('the new processes already have streams in their stores', [
        ...occupied.map((s) => `  ${s}`),
        `move ${need.to.map((s) => storePath(plan, need, s.name)).join(', ')} aside first (left from an earlier topology)`,
      ]);
    }
    pending.push({ need, streams: result.streams.length, messages: result.messages });
  }
  return pending;
}

/** The way back when the streams were not carried: the old store as it is, with the old topology. */
export function goBack(plan: StackPlan, need: CarryNeeded): string[] {
  return [
    `the old store is untouched: ${need.from.map((p) => storePath(plan, need, p)).join(', ')}`,
    `to go back: set the topology as it was and run \`core up\` (the old store is used as it is); then change the topology again`,
  ];
}

interface Read {
  readonly backup: string;
  readonly streams: number;
  readonly messages: number;
  readonly storeServerMs: number;
}

/** An import that failed: where the streams were saved, how to put them in, and the way back. */
function restoreHint(plan: StackPlan, need: CarryNeeded, read: Read): string[] {
  const backup = relative(plan, read.backup);
  return [
    `the streams of ${need.service} (${read.streams} stream${read.streams === 1 ? '' : 's'}, ${read.messages} message${read.messages === 1 ? '' : 's'}) were saved from the old store once ${need.from.join(', ')} had stopped to ${backup}/`,
    `to put them into the running ${need.to.map((s) => s.name).join(', ')}: \`core ${need.service} restore ${backup}\``,
    ...goBack(plan, need),
  ];
}

/** The name the old processes' cluster had (a cluster's nodes: the service; hubs: the hub domain). */
function oldCluster(plan: StackPlan, need: CarryNeeded): string | undefined {
  if (need.from.length < 2) return undefined;
  if (roleOf(need.from[0]!, need.service) !== 'hub') return need.service;
  return plan.services.find((s) => s.service === need.service && s.topology?.role === 'hub')?.topology?.cluster ?? 'hub';
}

/** The old stores, read once their servers stopped (final-read.ts); undefined when they hold no streams. */
async function finalBackup(plan: StackPlan, need: CarryNeeded, after: AfterChange): Promise<Read | undefined> {
  const fail = (why: string, details: readonly string[] = []) =>
    new RuntimeError('streams-not-carried', `${need.service}: the topology changed, but its streams were not carried over: ${why}`, [...details, ...goBack(plan, need)]);
  const stillRunning = need.from.filter((p) => after.running.has(p));
  // Two servers on one store would corrupt it: never read one whose server may still write.
  if (stillRunning.length) throw fail(`${stillRunning.join(', ')} ${stillRunning.length === 1 ? 'is' : 'are'} still running, so the old store cannot be read`);
  if (storedIn(need, need.from).length === 0) return undefined;
  try {
    const cluster = oldCluster(plan, need);
    const read = await readFinalStore(need, { command: need.to[0]!.command, stackDir: plan.stackDir, marks: after.marks, ...(cluster ? { cluster } : {}) });
    if (!read.dir) return undefined;
    return { backup: read.dir, streams: read.streams.length, messages: read.messages, storeServerMs: Math.round(read.serverMs) };
  } catch (error) {
    throw fail((error as Error).message, error instanceof FinalReadError ? error.details : []);
  }
}

/**
 * After the change was applied and the new processes are ready: read a
 * single node's final store, republish every stream, check every count, then
 * move the old store into the backup folder (so no later start takes it for
 * streams still to carry).
 */
export async function importAfterChange(pending: readonly PendingCarry[], plan: StackPlan, after: AfterChange): Promise<Carried[]> {
  const carried: Carried[] = [];
  for (const carry of pending) {
    const { need } = carry;
    const read = await finalBackup(plan, need, after);
    if (!read) continue; // no streams when they stopped: nothing to carry, nothing in the way
    const servers = need.to.flatMap((s) => (s.ports.client ? [hostPort(s.ports.client.host, s.ports.client.port)] : []));
    try {
      await importStreams({ servers, ...credentials(need.to[0]!), timeout: 5000 }, read.backup, { clusterSize: need.to.length });
    } catch (error) {
      throw new RuntimeError(
        'streams-not-carried',
        `${need.service}: the topology changed, but carrying its streams over failed: ${(error as Error).message}`,
        restoreHint(plan, need, read),
      );
    }
    const notMoved: string[] = [];
    for (const p of need.from) {
      const store = storeOf(need.base, p, need.service);
      try {
        moveAside(p === need.service ? path.join(store, 'jetstream') : store, read.backup, p);
      } catch (error) {
        notMoved.push(`${storePath(plan, need, p)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      }
    }
    carried.push({
      service: need.service,
      from: need.from,
      to: need.to.map((s) => s.name),
      backup: read.backup,
      streams: read.streams,
      messages: read.messages,
      notMoved,
      storeServerMs: read.storeServerMs,
    });
  }
  return carried;
}

export function carriedLines(plan: StackPlan, c: Carried): string[] {
  return [carriedLine(plan, c), ...c.notMoved.map((store) => `warning: could not move the old store ${store} into the backup; move it there yourself`)];
}

function carriedLine(plan: StackPlan, c: Carried): string {
  return `carried ${c.streams} stream${c.streams === 1 ? '' : 's'}, ${c.messages} message${c.messages === 1 ? '' : 's'} over to ${c.to.join(', ')} (backup: ${relative(plan, c.backup)}/)`;
}

export function carriedJson(plan: StackPlan, c: Carried) {
  return {
    service: c.service,
    from: c.from,
    to: c.to,
    streams: c.streams,
    messages: c.messages,
    backup: relative(plan, c.backup),
    store_server_ms: c.storeServerMs,
  };
}
