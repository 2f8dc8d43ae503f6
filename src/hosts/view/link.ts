/**
 * The supervisor's NATS connection for the hosts' view: to this host's own
 * node only (gossiped cluster addresses ignored), kept up for as long as the
 * stack runs. It answers every request on REQUEST_SUBJECT with a fresh
 * snapshot. A connection that ends for good (its server gone past the
 * client's own retries, an auth error) is opened again, after a pause.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { LocalNats } from './local-nats.js';
import type { StatusLink } from './publisher.js';
import { REQUEST_SUBJECT } from './snapshot.js';

export interface LinkOptions {
  readonly nats: LocalNats;
  /** Shown in the server's connection list (`/connz`). */
  readonly name: string;
  /** The payload that answers a request. */
  readonly answer: () => string;
  /** A line for the supervisor's log. */
  readonly note: (line: string) => void;
}

/** Between two attempts to open a connection that could not be opened, or was closed. */
const RETRY_MS = 1000;

export interface NatsStatusLink extends StatusLink {
  /** Start connecting (the node is ready); until then, and while disconnected, publishes are dropped. */
  open(): void;
}

export function natsStatusLink({ nats, name, answer, note }: LinkOptions): NatsStatusLink {
  let nc: NatsConnection | undefined;
  let connected = false;
  let opened = false;
  let closed = false;
  const wake = new AbortController();

  const follow = async (conn: NatsConnection) => {
    for await (const s of conn.status()) {
      if (s.type === 'disconnect') connected = false;
      else if (s.type === 'reconnect') connected = true;
    }
  };

  const run = async () => {
    let told = false;
    while (!closed) {
      try {
        const conn = await connect({
          servers: [...nats.servers],
          ...(nats.user !== undefined ? { user: nats.user, pass: nats.pass } : {}),
          name,
          timeout: 2000,
          // The client retries a lost server by itself, every half second, and forever.
          maxReconnectAttempts: -1,
          reconnectTimeWait: 500,
          // This host's node, not one another host gossips: what we publish is about this host.
          ignoreClusterUpdates: true,
        });
        if (closed) {
          await conn.close();
          return;
        }
        nc = conn;
        connected = true;
        if (told) note(`hosts' view: connected to ${nats.servers.join(', ')}`);
        told = false;
        conn.subscribe(REQUEST_SUBJECT, {
          callback: (error, msg) => {
            if (!error && msg.reply) msg.respond(answer());
          },
        });
        void follow(conn);
        const ended = await conn.closed();
        connected = false;
        nc = undefined;
        if (closed) return;
        note(`hosts' view: the connection to ${nats.servers.join(', ')} closed${ended ? `: ${ended.message}` : ''}; opening it again`);
      } catch (error) {
        // Said once per outage, not at every attempt.
        if (!told) note(`hosts' view: cannot connect to ${nats.servers.join(', ')}: ${(error as Error).message}; trying again every ${RETRY_MS / 1000} s`);
        told = true;
      }
      await sleep(RETRY_MS, undefined, { signal: wake.signal }).catch(() => {});
    }
  };

  return {
    open() {
      if (opened || closed) return;
      opened = true;
      void run();
    },
    publish(subject, payload) {
      if (connected && nc) nc.publish(subject, payload);
    },
    async close() {
      closed = true;
      wake.abort();
      const conn = nc;
      nc = undefined;
      connected = false;
      await conn?.close().catch(() => {});
    },
  };
}
