/**
 * Pure: which streams can be carried over, and the configs that recreate a
 * stream and its durable consumers on the new servers.
 */
import type { BackupConsumer, BackupStream } from './backup.js';

type Json = Record<string, unknown>;

/** Why a stream cannot be carried over by republishing its messages, or undefined. */
export function cannotCarry(config: Json): string | undefined {
  // A mirror accepts no publishes, and a sourced stream would source everything a second time.
  if (config.mirror) return 'it mirrors another stream';
  if (Array.isArray(config.sources) && config.sources.length > 0) return 'it sources other streams';
  return undefined;
}

/** Metadata the server sets itself (`_nats.*`, since 2.11): it refuses or rewrites it on create. */
function ownMetadata(config: Json): Json | undefined {
  const metadata = config.metadata as Record<string, string> | undefined;
  if (!metadata) return undefined;
  const kept = Object.fromEntries(Object.entries(metadata).filter(([key]) => !key.startsWith('_nats.')));
  return Object.keys(kept).length ? kept : undefined;
}

/**
 * The stream's own config, with: replicas capped at the new cluster's size;
 * the first sequence of the original (so a stream without gaps keeps its
 * sequence numbers); no placement (it named the old server's cluster); not
 * sealed until its messages are in (`sealedAfter`).
 */
export function recreateConfig(stream: BackupStream, clusterSize: number): { config: Json; sealedAfter: boolean } {
  const { sealed, placement: _placement, metadata: _metadata, first_seq: _first, ...rest } = stream.config;
  const metadata = ownMetadata(stream.config);
  const replicas = Math.max(1, Math.min(Number(stream.config.num_replicas ?? 1) || 1, clusterSize));
  const config: Json = { ...rest, num_replicas: replicas, ...(metadata ? { metadata } : {}) };
  if (stream.first_seq > 1) config.first_seq = stream.first_seq;
  return { config, sealedAfter: sealed === true };
}

/** Durable consumers only: an ephemeral one belongs to a client that is gone with the old server. */
export function isDurable(consumer: BackupConsumer): boolean {
  return typeof consumer.config.durable_name === 'string' && consumer.config.durable_name !== '';
}

/**
 * A durable consumer's config on the new stream. Where it had acknowledged a
 * prefix and delivered from the start, it starts after that prefix instead
 * (`newSeqAfter`: the new sequence of the first message past the ack floor),
 * so a worker does not see again what it had finished.
 */
export function recreateConsumer(consumer: BackupConsumer, newSeqAfter: (ackFloor: number) => number): Json {
  const { metadata: _metadata, ...rest } = consumer.config;
  const metadata = ownMetadata(consumer.config);
  const config: Json = { ...rest, ...(metadata ? { metadata } : {}) };
  if (consumer.ack_floor > 0 && (config.deliver_policy ?? 'all') === 'all') {
    config.deliver_policy = 'by_start_sequence';
    config.opt_start_seq = newSeqAfter(consumer.ack_floor);
  }
  return config;
}

/** Headers that ask the server to check a condition of the original publish, which would fail on a republish. */
export function republishedHeader(name: string): boolean {
  return !name.toLowerCase().startsWith('nats-expected-');
}

/**
 * While its messages are republished, a stream listens only on a subject of
 * core's own and maps it back to the original (a subject transform): clients
 * of the new servers cannot write into it yet (their publish finds no stream
 * and is not acknowledged), so the republished messages stay in order and
 * countable, and a failed import deletes only copies. `open` then gives it its
 * own subjects (and its own transform, if it had one).
 */
export function closedConfig(config: Json, prefix: string): Json {
  return { ...config, subjects: [`${prefix}.>`], subject_transform: { src: `${prefix}.>`, dest: '>' } };
}

export function openConfig(config: Json): Json {
  return { subjects: Array.isArray(config.subjects) && config.subjects.length ? config.subjects : [String(config.name)], subject_transform: config.subject_transform };
}
