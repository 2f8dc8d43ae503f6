/**
 * Read every stream of a running NATS server (or cluster) into a backup
 * folder (backup.ts): config, durable consumers and every message with its
 * original sequence and time, subject, headers and payload. Only reads: the
 * source is never changed. The count read must equal the stream's own count,
 * and the stream must not have moved on meanwhile, or the export fails and
 * leaves no backup (a half backup must never pass for a whole one).
 */
import { type JetStreamManager, jetstreamManager, type StoredMsg, type StreamState } from '@nats-io/jetstream';
import { connect, type NodeConnectionOptions } from '@nats-io/transport-node';
import { BACKUP_VERSION, type BackupConsumer, type BackupMessage, type BackupStream, BackupWriter, backupName } from './backup.js';
import { cannotCarry } from './stream-config.js';

export interface ExportOptions {
  /** Where backups go (`<data>/nats/migrations`). */
  readonly root: string;
  /** The processes read from, for the record (`nats`). */
  readonly source: readonly string[];
  /** JetStream domain to read from, when the servers are reached through another domain. */
  readonly domain?: string;
  readonly now?: Date;
  /**
   * Read every message to check it can be carried (mirrors, duplicate
   * `Nats-Msg-Id`s), write nothing: the look at a running server before the
   * change, while clients may still write to it (so no "changed while read").
   */
  readonly checkOnly?: boolean;
}

export interface ExportResult {
  /** The backup folder; undefined when there were no streams (nothing is written). */
  readonly dir: string | undefined;
  readonly streams: readonly BackupStream[];
  readonly messages: number;
}

/** An expected failure: the message names the stream; `details` say what to do. */
export class MigrationError extends Error {
  constructor(
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message);
  }
}

function toMessage(m: StoredMsg): BackupMessage {
  const headers: Record<string, string[]> = {};
  for (const [name, values] of m.header) headers[name] = [...values];
  return {
    seq: m.seq,
    time: m.timestamp,
    subject: m.subject,
    ...(Object.keys(headers).length ? { headers } : {}),
    data: Buffer.from(m.data).toString('base64'),
  };
}

/**
 * Two stored messages with one `Nats-Msg-Id` (published further apart than the
 * duplicate window) cannot both be republished: within the window the server
 * drops the second. Found while reading, so the change is refused before it starts.
 */
function sameId(stream: string, ids: Map<string, number>, message: BackupMessage): void {
  const id = message.headers?.['Nats-Msg-Id']?.[0];
  if (id === undefined) return;
  const first = ids.get(id);
  if (first !== undefined) {
    throw new MigrationError(
      `stream ${stream}: messages ${first} and ${message.seq} have the same Nats-Msg-Id ${JSON.stringify(id)}; republished, the second would be dropped as a duplicate`,
      ['keep the topology as it is, or remove one of them first'],
    );
  }
  ids.set(id, message.seq);
}

/** Requests in flight at once where every sequence is known to hold a message. */
const WINDOW = 64;

/**
 * A stream's messages up to `last_seq`, in order, by sequence (STREAM.MSG.GET):
 * a pure read, where a consumer would not be (a work-queue stream refuses a
 * second one; an interest stream counts it). Without gaps, each sequence is
 * asked for by number, `WINDOW` at a time; with gaps (deleted messages, a KV
 * bucket's history), one at a time, each the next at or after the last.
 * Ends early where one is gone or was written after `state` was taken: the
 * caller's counts say so.
 */
async function* storedMessages(jsm: JetStreamManager, name: string, state: StreamState): AsyncGenerator<StoredMsg> {
  const first = Math.max(state.first_seq, 1);
  if ((state.num_deleted ?? 0) === 0 && state.last_seq - first + 1 === state.messages) {
    for (let seq = first; seq <= state.last_seq; seq += WINDOW) {
      const batch: Promise<StoredMsg | null>[] = [];
      for (let s = seq; s <= Math.min(state.last_seq, seq + WINDOW - 1); s++) batch.push(jsm.streams.getMessage(name, { seq: s }));
      for (const m of await Promise.all(batch)) if (m) yield m;
    }
    return;
  }
  let seq = first;
  for (;;) {
    const m = await jsm.streams.getMessage(name, { seq, next_by_subj: '>' } as unknown as { seq: number });
    if (!m || m.seq > state.last_seq) return;
    yield m;
    seq = m.seq + 1;
  }
}

export async function exportStreams(connection: NodeConnectionOptions, options: ExportOptions): Promise<ExportResult> {
  const nc = await connect({ ...connection, name: 'core nats export' });
  try {
    const jsm = await jetstreamManager(nc, options.domain ? { domain: options.domain } : {});
    const infos = [];
    for await (const info of jsm.streams.list()) infos.push(info);
    if (infos.length === 0) return { dir: undefined, streams: [], messages: 0 };
    for (const info of infos) {
      const why = cannotCarry(info.config as unknown as Record<string, unknown>);
      if (why) {
        throw new MigrationError(`stream ${info.config.name}: cannot be carried over: ${why}`, [
          `delete it before the change and create it again afterwards (it fills itself again from its origin), or keep the topology as it is`,
        ]);
      }
    }
    const writer = options.checkOnly ? undefined : new BackupWriter(options.root, backupName(options.now ?? new Date()));
    try {
      const streams: BackupStream[] = [];
      for (const info of infos.sort((a, b) => a.config.name.localeCompare(b.config.name))) {
        const name = info.config.name;
        const { messages, first_seq, last_seq } = info.state;
        const consumers: BackupConsumer[] = [];
        for await (const c of jsm.consumers.list(name)) consumers.push({ config: c.config as unknown as Record<string, unknown>, ack_floor: c.ack_floor.stream_seq });
        const out = writer?.openStream() ?? { file: '', write: () => {}, close: () => {} };
        let read = 0;
        const ids = new Map<string, number>();
        try {
          for await (const m of storedMessages(jsm, name, info.state)) {
            if (read >= messages) break;
            const message = toMessage(m);
            sameId(name, ids, message);
            out.write(message);
            read++;
          }
        } finally {
          out.close();
        }
        if (!writer) {
          streams.push({ name, config: info.config as unknown as Record<string, unknown>, messages: read, first_seq, last_seq, consumers, file: '' });
          continue;
        }
        const after = await jsm.streams.info(name);
        if (read !== messages) throw new MigrationError(`stream ${name}: read ${read} messages, but the stream holds ${messages}`);
        if (after.state.last_seq !== last_seq || after.state.messages !== messages) {
          throw new MigrationError(`stream ${name}: changed while it was read (${messages} → ${after.state.messages} messages)`, ['stop what writes to it, then apply again']);
        }
        streams.push({ name, config: info.config as unknown as Record<string, unknown>, messages, first_seq, last_seq, consumers, file: out.file });
      }
      if (!writer) return { dir: undefined, streams, messages: streams.reduce((sum, s) => sum + s.messages, 0) };
      const dir = writer.finish({ version: BACKUP_VERSION, created_at: (options.now ?? new Date()).toISOString(), source: options.source, streams });
      return { dir, streams, messages: streams.reduce((sum, s) => sum + s.messages, 0) };
    } catch (error) {
      writer?.abandon();
      throw error;
    }
  } finally {
    await nc.close();
  }
}
