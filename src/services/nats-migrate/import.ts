/**
 * Recreate every stream of a backup (backup.ts) on new servers and republish
 * its messages in order, each with its headers, waiting for every ack, while
 * the stream listens only on a subject of core's own (so the new servers'
 * clients cannot write into it yet); check each stream's count against the
 * backup; then give every stream its subjects and its durable consumers.
 * Sequence numbers and times are the new server's (JetStream assigns them);
 * a stream without gaps keeps its numbers through `first_seq`.
 */
import { randomBytes } from 'node:crypto';
import type { JetStreamManager, PubAck } from '@nats-io/jetstream';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, type NodeConnectionOptions } from '@nats-io/transport-node';
import { type BackupStream, readBackupIndex, readMessages } from './backup.js';
import { MigrationError } from './export.js';
import { closedConfig, isDurable, openConfig, recreateConfig, recreateConsumer, republishedHeader } from './stream-config.js';

export interface ImportOptions {
  /** How many servers share the streams: a stream's replicas are capped at it. */
  readonly clusterSize: number;
  /** The JetStream domain of the new servers, when they are reached through another domain. */
  readonly domain?: string;
  /** How long the new servers may take to accept the first stream (a cluster electing its meta leader). */
  readonly readyTimeoutMs?: number;
}

export interface ImportedStream {
  readonly name: string;
  readonly messages: number;
}

export interface ImportResult {
  readonly streams: readonly ImportedStream[];
  readonly messages: number;
}

/** Publishes in flight at once: acks are awaited in batches, order kept by the one connection. */
const WINDOW = 256;

/** What a JetStream that has just formed may answer for a moment (no meta leader yet, API not yet subscribed). */
const TRANSIENT = /no responders|timeout|not available|temporarily unavailable|insufficient resources|no suitable peers|meta leader/i;

const pause = () => new Promise((resolve) => setTimeout(resolve, 100));

/**
 * Readiness (`/healthz` 200) says the meta leader is known; the first API
 * request can still meet "no responders" (seen once in ~10 runs here). Bounded.
 */
async function whenApiAnswers(jsm: JetStreamManager, deadline: number): Promise<void> {
  for (;;) {
    try {
      await jsm.getAccountInfo();
      return;
    } catch (error) {
      const text = (error as Error).message;
      if (!TRANSIENT.test(text) || Date.now() > deadline) throw new MigrationError(`the new servers' JetStream does not answer: ${text}`);
      await pause();
    }
  }
}

async function addStream(jsm: JetStreamManager, config: Record<string, unknown>, deadline: number): Promise<void> {
  for (;;) {
    try {
      await jsm.streams.add(config as Parameters<JetStreamManager['streams']['add']>[0]);
      return;
    } catch (error) {
      const text = (error as Error).message;
      if (!TRANSIENT.test(text) || Date.now() > deadline) throw new MigrationError(`stream ${String(config.name)}: cannot be created on the new servers: ${text}`);
      await pause();
    }
  }
}

async function exists(jsm: JetStreamManager, name: string): Promise<boolean> {
  try {
    await jsm.streams.info(name);
    return true;
  } catch (error) {
    if (/stream not found/i.test((error as Error).message)) return false;
    throw error;
  }
}

/** How long a stream just made may take to be reachable from this server (interest crossing a route). */
const NEW_STREAM_REACH_MS = 5000;

/**
 * A publish to a stream just created on a cluster: the stream's interest in
 * its subjects reaches the server this client is on over a route a moment
 * after the create returns, and a publish before that meets "no responders"
 * (seen in CI on a fresh 3-node cluster). No responders means nothing was
 * stored, so only that is sent again, a little later, for NEW_STREAM_REACH_MS;
 * a timeout is not (the message may be stored: it would be there twice).
 */
export async function publishToNewStream(
  js: ReturnType<typeof jetstream>,
  subject: string,
  data: Uint8Array,
  options: Parameters<ReturnType<typeof jetstream>['publish']>[2],
): Promise<PubAck> {
  const until = Date.now() + NEW_STREAM_REACH_MS;
  for (let wait = 10; ; wait = Math.min(wait * 2, 250)) {
    try {
      return await js.publish(subject, data, options);
    } catch (error) {
      const noResponders = (error as { cause?: { isNoResponders?: () => boolean } }).cause?.isNoResponders?.() === true;
      if (!noResponders || Date.now() >= until) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

async function republish(js: ReturnType<typeof jetstream>, dir: string, stream: BackupStream, prefix: string): Promise<{ published: number; seqs: [number, number][] }> {
  const seqs: [number, number][] = [];
  let inFlight: Promise<[number, PubAck]>[] = [];
  let published = 0;
  const settle = async () => {
    for (const [original, ack] of await Promise.all(inFlight)) {
      if (ack.duplicate) throw new MigrationError(`stream ${stream.name}: message ${original} was taken for a duplicate (its Nats-Msg-Id was seen within the duplicate window)`);
      seqs.push([original, ack.seq]);
      published++;
    }
    inFlight = [];
  };
  for await (const message of readMessages(dir, stream)) {
    const h = message.headers ? natsHeaders() : undefined;
    if (h && message.headers) for (const [name, values] of Object.entries(message.headers)) if (republishedHeader(name)) for (const v of values) h.append(name, v);
    const data = Buffer.from(message.data, 'base64');
    const acked = publishToNewStream(js, `${prefix}.${message.subject}`, data, { ...(h ? { headers: h } : {}), timeout: 10_000 }).then(
      (ack): [number, PubAck] => [message.seq, ack],
      (error: Error) => {
        throw new MigrationError(`stream ${stream.name}: message ${message.seq} (${message.subject}) was not accepted: ${error.message}`);
      },
    );
    acked.catch(() => {}); // seen by settle(); until then not an unhandled rejection
    inFlight.push(acked);
    if (inFlight.length >= WINDOW) await settle();
  }
  await settle();
  return { published, seqs };
}

/** The new sequence of the first message after `ackFloor`, or one past the last. */
function seqAfter(seqs: readonly [number, number][], ackFloor: number): number {
  const next = seqs.find(([original]) => original > ackFloor);
  return next ? next[1] : (seqs.at(-1)?.[1] ?? 0) + 1;
}

/** A stream being imported: its config as recreated and the private subject it listens on until opened. */
interface Importing {
  readonly stream: BackupStream;
  readonly config: Record<string, unknown>;
  readonly sealedAfter: boolean;
  readonly prefix: string;
  readonly seqs: readonly [number, number][];
  opened: boolean;
}

/**
 * One stream, closed to clients (stream-config.ts `closedConfig`): created,
 * consumers of an interest stream, messages, counted. Only core writes to it
 * yet, so the count is the backup's or it fails.
 */
async function fillClosed(
  jsm: JetStreamManager,
  js: ReturnType<typeof jetstream>,
  backupDir: string,
  stream: BackupStream,
  clusterSize: number,
  deadline: number,
  created: (s: Importing) => void,
): Promise<Importing> {
  const { config, sealedAfter } = recreateConfig(stream, clusterSize);
  const prefix = `_CORE_CARRY.${randomBytes(6).toString('hex')}`;
  await addStream(jsm, closedConfig(config, prefix), deadline);
  const seqs: [number, number][] = [];
  const importing: Importing = { stream, config, sealedAfter, prefix, seqs, opened: false };
  created(importing);
  // An interest stream keeps a message only while a consumer wants it: consumers first.
  if (config.retention === 'interest')
    for (const c of stream.consumers.filter(isDurable))
      await addConsumer(
        jsm,
        stream.name,
        recreateConsumer({ ...c, ack_floor: 0 }, () => 1),
      );
  seqs.push(...(await republish(js, backupDir, stream, prefix)).seqs);
  const state = (await jsm.streams.info(stream.name)).state;
  if (state.messages !== stream.messages) throw new MigrationError(`stream ${stream.name}: ${stream.messages} messages in the backup, ${state.messages} in the new stream`);
  return importing;
}

async function addConsumer(jsm: JetStreamManager, stream: string, config: Record<string, unknown>): Promise<void> {
  try {
    await jsm.consumers.add(stream, config);
  } catch (error) {
    throw new MigrationError(`stream ${stream}: consumer ${String(config.durable_name)} cannot be created: ${(error as Error).message}`);
  }
}

type UpdateConfig = Parameters<JetStreamManager['streams']['update']>[1];

/** Its own subjects (clients may write from now on), its other consumers, sealed last (a sealed stream takes no messages). */
async function open(jsm: JetStreamManager, s: Importing, deadline: number): Promise<void> {
  const name = s.stream.name;
  for (;;) {
    try {
      await jsm.streams.update(name, openConfig(s.config) as UpdateConfig);
      break;
    } catch (error) {
      const text = (error as Error).message;
      if (!TRANSIENT.test(text) || Date.now() > deadline) throw new MigrationError(`stream ${name}: cannot be given its subjects on the new servers: ${text}`);
      await pause();
    }
  }
  s.opened = true;
  if (s.config.retention !== 'interest') {
    for (const c of s.stream.consumers.filter(isDurable))
      await addConsumer(
        jsm,
        name,
        recreateConsumer(c, (floor) => seqAfter(s.seqs, floor)),
      );
  }
  // Its config as the server has it (first_seq may not be sent again).
  if (s.sealedAfter) await jsm.streams.update(name, { ...(await jsm.streams.info(name)).config, sealed: true } as UpdateConfig);
}

/**
 * After a failure: remove what the import created. A stream already opened is
 * closed again first, and removed only if it holds just the backup's
 * messages; one a client wrote to meanwhile is opened again and kept (its
 * messages were acknowledged). Returns what is left, and why.
 */
async function undo(jsm: JetStreamManager, created: readonly Importing[]): Promise<string[]> {
  const left: string[] = [];
  for (const s of created) {
    const name = s.stream.name;
    try {
      if (s.opened) {
        await jsm.streams.update(name, closedConfig(s.config, s.prefix) as UpdateConfig);
        const now = (await jsm.streams.info(name)).state.messages;
        if (now !== s.stream.messages) {
          await jsm.streams.update(name, openConfig(s.config) as UpdateConfig);
          left.push(`${name} (kept: written to since it was opened)`);
          continue;
        }
      }
      await jsm.streams.delete(name);
    } catch {
      left.push(name);
    }
  }
  return left;
}

/**
 * Every stream of the backup, or none: each is filled while closed to the
 * new servers' clients, then all are opened. A failure removes the streams
 * this import created (copies of the backup, which stays; see `undo`), so the
 * servers are as they were and a retry or a way back meets no half-imported
 * stream.
 */
export async function importStreams(connection: NodeConnectionOptions, backupDir: string, options: ImportOptions): Promise<ImportResult> {
  const index = readBackupIndex(backupDir);
  const nc = await connect({ ...connection, name: 'core nats import' });
  const created: Importing[] = [];
  let jsm: JetStreamManager | undefined;
  try {
    const scope = options.domain ? { domain: options.domain } : {};
    jsm = await jetstreamManager(nc, { ...scope, checkAPI: false }); // whenApiAnswers below waits instead of failing at once
    const js = jetstream(nc, scope);
    const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
    await whenApiAnswers(jsm, deadline);
    for (const stream of index.streams) {
      // Never merge into a stream that is there already: its messages and ours could not be told apart.
      if (await exists(jsm, stream.name)) throw new MigrationError(`stream ${stream.name}: already exists on the new servers; nothing of it was imported`);
    }
    for (const stream of index.streams) await fillClosed(jsm, js, backupDir, stream, options.clusterSize, deadline, (s) => created.push(s));
    const openBy = Date.now() + (options.readyTimeoutMs ?? 30_000); // after a long republish, a bound of its own
    for (const s of created) await open(jsm, s, openBy);
    const imported: ImportedStream[] = index.streams.map((s) => ({ name: s.name, messages: s.messages }));
    return { streams: imported, messages: imported.reduce((sum, s) => sum + s.messages, 0) };
  } catch (error) {
    const left = jsm ? await undo(jsm, created) : [];
    if (left.length) throw new MigrationError(`${(error as Error).message} (and the streams it had created could not all be removed: ${left.join(', ')})`);
    throw error;
  } finally {
    await nc.close();
  }
}
