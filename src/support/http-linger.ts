/**
 * A lingering close for an HTTP server's `clientError` (the control socket,
 * the dashboard): after answering a request it cannot take, read and drop what
 * the client still sends for a moment, then close.
 */
import type { Duplex } from 'node:stream';

/** Connections answered 4xx whose rest is being read and dropped (`linger`). */
const lingering = new WeakSet<Duplex>();
const LINGER_MS = 1000;
const LINGER_BYTES = 1 << 20;

/**
 * After answering a request it cannot take (a 100 KB URL), read and drop what
 * the client still sends, for at most LINGER_MS and LINGER_BYTES, then close.
 * Closing at once, with the client still writing, makes its write fail (EPIPE)
 * before it reads the answer it was sent (seen once in CI: no 431, "closed");
 * so did the parser's second error on the rest of the request, which destroyed
 * the connection. HTTP servers call this a lingering close.
 */
export function linger(client: Duplex): void {
  lingering.add(client);
  let dropped = 0;
  // The HTTP parser is done with it: what still comes is ours to drop.
  client.removeAllListeners('data');
  client.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > LINGER_BYTES) client.destroy();
  });
  client.resume();
  const timer = setTimeout(() => client.destroy(), LINGER_MS);
  timer.unref();
  client.once('close', () => clearTimeout(timer));
}

/** Answered already: a second parser error on the rest of the request must not close it early. */
export function isLingering(client: Duplex): boolean {
  return lingering.has(client);
}
