/**
 * Every message of a stream, in order, read by sequence through the
 * JetStream API (`$JS.API.STREAM.MSG.GET`).
 *
 * Not through a consumer: on a cluster, a new consumer's pull subject lives
 * on its leader, and the interest in it reaches the server the client is on
 * over a route a moment after the consumer was created, so a fetch made at
 * once can meet "no responders" (seen in CI). The API subjects have had
 * their interest since the servers started.
 */
import { jetstreamManager, type StoredMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

export async function streamMessages(nc: NatsConnection, stream: string): Promise<StoredMsg[]> {
  const jsm = await jetstreamManager(nc);
  const { state } = await jsm.streams.info(stream);
  const out: StoredMsg[] = [];
  if (state.messages === 0) return out;
  // A hundred requests in flight at a time; the tests' streams have no gaps.
  for (let seq = state.first_seq; seq <= state.last_seq; seq += 100) {
    const window: Promise<StoredMsg | null>[] = [];
    for (let s = seq; s <= Math.min(state.last_seq, seq + 99); s++) window.push(jsm.streams.getMessage(stream, { seq: s }));
    for (const m of await Promise.all(window)) if (m) out.push(m);
  }
  return out;
}

/**
 * Publish options for the first messages to a stream just created on a
 * cluster: the stream's interest in its subjects reaches the client's server
 * over a route a moment after the create returns, so a publish at once can
 * meet "no responders" (seen in CI). The JetStream client's own retries on
 * no responders (with its backoff) are for exactly that.
 */
export const NEW_STREAM_PUBLISH = { retries: 10 } as const;
