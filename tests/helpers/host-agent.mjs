/**
 * A test's hands inside one network-namespace host (tests/helpers/host-agent.ts
 * starts it with `ip netns exec`): what listens on that host's loopback (NATS
 * monitoring) is reachable only from in there. One process a host for the whole
 * file, so polling costs a line on a pipe, not a Node start.
 *
 * Reads one JSON request a line on stdin, `{ id, op, ...args }`, and answers each
 * on stdout as `{ id, value }` or `{ id, error }`, in whatever order they finish.
 * NATS connections and subscriptions are kept by name between requests. Plain
 * JavaScript: `node` runs it as it is. Ends when stdin closes.
 */
import http from 'node:http';
import readline from 'node:readline';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

const connections = new Map();
/** Subscription name → the messages it received so far (as text). */
const received = new Map();

const connection = (name) => {
  const nc = connections.get(name);
  if (!nc) throw new Error(`no connection ${name}`);
  return nc;
};

const ops = {
  /**
   * GET a URL: status and body text (the caller parses JSON). A connection a
   * request: `fetch` would reuse one the server may be closing as idle, and fail.
   */
  get: ({ url, timeoutMs = 2000 }) =>
    new Promise((resolve, reject) => {
      const request = http.get(url, { agent: false, timeout: timeoutMs }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode, body }));
        response.on('error', reject);
      });
      request.on('timeout', () => request.destroy(new Error(`GET ${url}: no answer in ${timeoutMs} ms`)));
      request.on('error', reject);
    }),
  connect: async ({ name, servers }) => {
    // No reconnect: a test that cuts a link wants to see the error, not a hidden retry.
    connections.set(name, await connect({ servers, timeout: 3000, reconnect: false }));
    return true;
  },
  streamAdd: async ({ conn, config }) => {
    const jsm = await jetstreamManager(connection(conn));
    return (await jsm.streams.add(config)).config.name;
  },
  streamInfo: async ({ conn, stream, timeoutMs = 2000 }) => {
    const jsm = await jetstreamManager(connection(conn), { timeout: timeoutMs });
    const info = await jsm.streams.info(stream);
    return { state: info.state, cluster: info.cluster };
  },
  /** A JetStream publish: the stream's acknowledgement (seq, duplicate) or an error. */
  jsPublish: async ({ conn, subject, data, msgID, timeoutMs = 2000 }) => {
    const ack = await jetstream(connection(conn), { timeout: timeoutMs }).publish(subject, data, { msgID, timeout: timeoutMs });
    return { seq: ack.seq, duplicate: ack.duplicate };
  },
  getMessage: async ({ conn, stream, seq }) => {
    const jsm = await jetstreamManager(connection(conn));
    const m = await jsm.streams.getMessage(stream, { seq });
    return m ? { seq: m.seq, subject: m.subject, data: m.string() } : null;
  },
  subscribe: async ({ conn, name, subject }) => {
    const nc = connection(conn);
    const messages = [];
    received.set(name, messages);
    nc.subscribe(subject, { callback: (error, m) => error || messages.push(m.string()) });
    await nc.flush();
    return true;
  },
  received: async ({ name }) => received.get(name) ?? [],
  publish: async ({ conn, subject, data }) => {
    const nc = connection(conn);
    nc.publish(subject, data);
    await nc.flush();
    return true;
  },
};

const out = (answer) => process.stdout.write(`${JSON.stringify(answer)}\n`);

const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const { id, op, ...args } = JSON.parse(line);
  const run = ops[op];
  if (!run) return out({ id, error: `unknown op ${op}` });
  run(args).then(
    (value) => out({ id, value }),
    (error) => out({ id, error: String(error?.message ?? error) }),
  );
});
lines.on('close', async () => {
  await Promise.allSettled([...connections.values()].map((nc) => nc.close()));
  process.exit(0);
});
out({ id: 0, value: 'ready' });
