/**
 * NATS through its own protocol: a publish/subscribe round trip on a subject
 * of our own, and a JetStream write and read on a temporary memory stream,
 * read back by sequence through the API (`$JS.API.STREAM.MSG.GET`), not
 * through a new consumer: on a cluster the interest in a new consumer's pull
 * subject reaches the other nodes a moment late (tests/helpers/stream-read.ts).
 * The stream is deleted in a finally. Every client call has the step's timeout:
 * a SIGSTOPped server accepts the TCP connection and then says nothing.
 */
import { connect, createInbox, type NatsConnection } from '@nats-io/transport-node';
import { JetStreamApiCodes, JetStreamApiError, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { lazyCrypto } from '../support/builtins.js';
import { readGreeting } from './nats-hello.js';
import { withCleanUp } from './clean-up.js';
import { describeError } from './describe-error.js';
import { addressText, type NatsTarget } from './targets.js';
import { StepFailure, type Chain } from './types.js';

let failedConnects = 0;

/**
 * Connects that failed in this process: @nats-io/transport-node 3.4 may leave
 * the socket of one that timed out open (nats-hello.ts), and only the process's
 * end closes it.
 */
export function failedNatsConnects(): number {
  return failedConnects;
}

export function natsHop(target: NatsTarget): string {
  return `client → ${target.service} (${target.servers.map(addressText).join(', ')})`;
}

export function natsChain(target: NatsTarget, timeoutMs: number): Chain {
  let nc: NatsConnection | undefined;
  const hop = natsHop(target);
  const name = (what: string) => `${target.service}: ${what}`;
  return {
    steps: [
      {
        name: name('publish/subscribe'),
        hop,
        run: async () => {
          await Promise.all(target.servers.map((server) => readGreeting(server, timeoutMs, target.servers.length > 1)));
          try {
            nc = await connect({
              servers: target.servers.map(addressText),
              timeout: timeoutMs,
              reconnect: false,
              name: 'core verify',
              ...(target.credentials ? { user: target.credentials.user, pass: target.credentials.password } : {}),
            });
          } catch (error) {
            failedConnects++;
            throw error;
          }
          await roundTrip(nc, timeoutMs);
        },
      },
      {
        name: name('jetstream write/read'),
        hop,
        run: async () => {
          if (!target.jetstream) return { skipped: 'JetStream is off (config.jetstream: false)' };
          await jetStreamRoundTrip(nc!, timeoutMs);
        },
      },
    ],
    close: async () => {
      await nc?.close();
    },
  };
}

async function roundTrip(nc: NatsConnection, timeoutMs: number): Promise<void> {
  const subject = createInbox('_CORE_VERIFY');
  const payload = lazyCrypto().randomUUID();
  const sub = nc.subscribe(subject, { max: 1, timeout: timeoutMs });
  // The subscription has reached the server once it answers a PING sent after it.
  await nc.flush();
  nc.publish(subject, payload);
  for await (const message of sub) {
    if (message.string() !== payload) throw new StepFailure(`received "${message.string()}" on ${subject}, not what was published`);
    return;
  }
  throw new StepFailure(`no message came back on ${subject}`);
}

async function jetStreamRoundTrip(nc: NatsConnection, timeoutMs: number): Promise<void> {
  const id = lazyCrypto().randomBytes(6).toString('hex').toUpperCase();
  const stream = `CORE_VERIFY_${id}`;
  const subject = `_CORE_VERIFY.${id}`;
  const payload = lazyCrypto().randomUUID();
  const jsm = await jetstreamManager(nc, { timeout: timeoutMs });
  await withCleanUp(
    async () => {
      // Inside the body: an add whose answer is lost may still have made the stream.
      await jsm.streams.add({ name: stream, subjects: [subject], storage: StorageType.Memory, num_replicas: 1, max_msgs: 1 });
      const ack = await jsm.jetstream().publish(subject, payload, { timeout: timeoutMs });
      if (ack.stream !== stream) throw new StepFailure(`the write was stored in stream ${ack.stream}, not in ${stream}`);
      const stored = await jsm.streams.getMessage(stream, { seq: ack.seq });
      if (!stored) throw new StepFailure(`${stream}: message ${ack.seq} was acknowledged but cannot be read back`);
      if (stored.string() !== payload) throw new StepFailure(`${stream}: message ${ack.seq} reads back different from what was written`);
    },
    // A stream left behind would be the user's to find: deleting it is part of the step.
    async () => {
      try {
        await jsm.streams.delete(stream);
        return undefined;
      } catch (error) {
        if (isNotFound(error)) return undefined;
        return `the temporary stream ${stream} could not be deleted (${describeError(error, timeoutMs)}); \`nats stream rm ${stream}\` deletes it`;
      }
    },
    timeoutMs,
  );
}

/** JetStream's "stream not found" (10059): the add never made it, nothing to delete. */
function isNotFound(error: unknown): boolean {
  return (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) || /stream not found/i.test((error as Error).message);
}
