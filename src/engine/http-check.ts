/**
 * The http(s) check of a probe, over a connection kept between checks.
 *
 * Why kept: 200 checks a second, each over a new connection through Node's http
 * client (what the supervisor did; process-compose and Kubernetes also connect
 * anew), cost ~8.5 % of a core; over kept connections, fired together on the
 * period's grid (runner.ts onGrid), ~2.2 % with Node's client and ~0.75 % with
 * this reader (`node bench/probe-cost.mjs`; docs/performance.md, "Idle cost").
 * What a reused connection proves, and what it does not:
 * - that the server's process is alive and answers this request with this status
 *   within the timeout. A server that died has its sockets closed by the kernel:
 *   the kept connection fails before any answer, and the check is made again at
 *   once on a new connection (refused: the check fails). A hung one (event loop
 *   stuck, SIGSTOP) does not answer: the check times out, as on a new connection;
 * - not that the listening socket still accepts new connections (a full accept
 *   queue, out of file descriptors, a listener closed to drain). So a connection
 *   is used only for REUSE_MS after it was opened: such a server is seen within
 *   REUSE_MS plus one period. After any failure the connection is closed, so every
 *   check until one passes opens a new one.
 *
 * Why not Node's http client with a keep-alive Agent (a well-kept client): its
 * request and response objects, streams and agent bookkeeping are most of that
 * ~2.2 %, and the supervisor's idle goal is under 3 % in all. A check needs
 * little of HTTP: send a GET, read the status line. A connection is kept only when the answer's end is certain (HTTP/1.1, no `Connection: close`,
 * and exactly a Content-Length's worth of body, or a complete chunked body);
 * any other answer is judged by its status and its connection closed, as is one
 * whose body is not all there with its head (a health answer is one small write).
 */
import { validateHeaderName, validateHeaderValue } from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { ProbeSpec } from './interfaces.js';

/** A kept connection is not used once it is this old: a new one checks the server still accepts. */
export const REUSE_MS = 5_000;
/**
 * Nor once it sat unused this long: common server idle timeouts (Node's 5 s,
 * uvicorn's 5 s) would close it just as a check is sent. So only checks more
 * frequent than this reuse a connection (rarer ones cost little).
 */
export const IDLE_MS = 4_000;
/** Response headers larger than this fail the check (a health answer is small). */
const MAX_HEAD_BYTES = 16 * 1024;

/** An http probe's target; `statusCode` is the status that passes: only a connection that brought it is kept. */
export type HttpCheck = Omit<Extract<ProbeSpec, { kind: 'http' }>, 'kind' | 'timeoutMs'>;

/** What a connection reports to the check using it; none while it sits in the pool. */
interface Handler {
  data(chunk: Buffer): void;
  ended(error?: Error): void;
}

class Connection {
  handler: Handler | undefined;
  lastUsed: number;
  constructor(
    readonly socket: net.Socket,
    readonly openedAt: number,
    readonly key: string,
  ) {
    this.lastUsed = openedAt;
    // Listeners set once; each check takes the connection over through `handler`.
    socket.on('data', (chunk: Buffer) => (this.handler ? this.handler.data(chunk) : socket.destroy()));
    socket.on('error', (error) => this.handler?.ended(error));
    socket.on('close', () => {
      if (pool.get(key) === this) pool.delete(key);
      this.handler?.ended();
    });
    // Never what keeps the supervisor alive: a running check has its own timer.
    socket.unref();
  }
}

/** One idle connection per origin. */
const pool = new Map<string, Connection>();

export const portOf = (check: HttpCheck) => check.port ?? (check.scheme === 'https' ? 443 : 80);

function open(check: HttpCheck, key: string, now: number): Connection {
  const { host } = check;
  const port = portOf(check);
  const socket =
    check.scheme === 'https'
      ? // A health check asks "is it up", not "who is it"; local stacks use self-signed certificates.
        tls.connect({ host, port, rejectUnauthorized: false, ...(net.isIP(host) ? {} : { servername: host }) })
      : net.connect({ host, port }).setNoDelay(true);
  return new Connection(socket, now, key);
}

/** The idle connection to reuse, if it is young and fresh enough; taken out of the pool. */
function take(key: string, now: number): Connection | undefined {
  const kept = pool.get(key);
  if (!kept) return undefined;
  pool.delete(key);
  if (!kept.socket.destroyed && now - kept.openedAt < REUSE_MS && now - kept.lastUsed < IDLE_MS) return kept;
  kept.socket.destroy();
  return undefined;
}

/**
 * The origin's pool key and the request's bytes, made once per check spec (the
 * runner keeps its spec for as long as the definition holds: a check may run every second).
 */
const prepared = new WeakMap<HttpCheck, { readonly key: string; readonly request: Buffer }>();

function prepare(check: HttpCheck): { readonly key: string; readonly request: Buffer } {
  let ready = prepared.get(check);
  if (!ready) {
    const key = `${check.scheme}://${check.host}:${portOf(check)}`;
    ready = { key, request: requestOf(check) };
    prepared.set(check, ready);
  }
  return ready;
}

/** The request's bytes; throws on a header or path Node's http client would refuse too. */
function requestOf(check: HttpCheck): Buffer {
  // Node's http client refuses the same (INVALID_PATH_REGEX).
  if (/[^\u0021-\u00ff]/.test(check.path)) throw new Error('Request path contains unescaped characters');
  const lines = [`GET ${check.path} HTTP/1.1`];
  const names = Object.keys(check.headers).map((n) => n.toLowerCase());
  if (!names.includes('host')) {
    const host = net.isIPv6(check.host) ? `[${check.host}]` : check.host;
    lines.push(`Host: ${host}${check.port === undefined ? '' : `:${check.port}`}`);
  }
  for (const [name, value] of Object.entries(check.headers)) {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    lines.push(`${name}: ${value}`);
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

/** An answer's status, and whether its connection can carry the next check. */
export interface Answer {
  readonly status: number;
  /** Its end is certain and reached: HTTP/1.1, and exactly one Content-Length's body or a whole chunked one. */
  readonly reusable: boolean;
}

/**
 * Where a chunked body that starts at `from` ends (just past its last chunk), or
 * -1 when it is not all in `bytes` or has trailers (then it is not reused).
 */
export function chunkedEnd(bytes: Buffer, from: number): number {
  let at = from;
  for (;;) {
    const eol = bytes.indexOf('\r\n', at);
    if (eol < 0) return -1;
    const size = Number.parseInt(bytes.toString('latin1', at, eol).split(';')[0]!.trim(), 16);
    if (!Number.isInteger(size) || size < 0) return -1;
    if (size === 0) return bytes.length >= eol + 4 && bytes.toString('latin1', eol + 2, eol + 4) === '\r\n' ? eol + 4 : -1;
    at = eol + 2 + size;
    if (bytes.length < at + 2 || bytes.toString('latin1', at, at + 2) !== '\r\n') return -1;
    at += 2;
  }
}

/**
 * Read an answer from the bytes received so far: undefined while its head is
 * incomplete, an Error when it is not HTTP. Judged once the head is in; a body
 * not all there with it (rare for a health answer) makes the connection not reusable.
 */
export function readAnswer(bytes: Buffer): Answer | Error | undefined {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return bytes.length > MAX_HEAD_BYTES ? new Error('response headers too large') : undefined;
  const head = bytes.toString('latin1', 0, end);
  const match = /^HTTP\/1\.([01]) (\d{3})(?: |\r|$)/.exec(head);
  if (!match) return new Error(`not an HTTP response: ${JSON.stringify(head.slice(0, 40))}`);
  const status = Number(match[2]);
  if (match[1] !== '1' || /\r\nconnection:[^\r]*close/i.test(head)) return { status, reusable: false };
  const body = end + 4;
  const encodings = [...head.matchAll(/\r\ntransfer-encoding:([^\r]*)/gi)];
  const lengths = [...head.matchAll(/\r\ncontent-length:[ \t]*(\d+)[ \t]*(?=\r\n|$)/gi)].map((m) => Number(m[1]));
  // Node's servers send an empty answer chunked (`0\r\n\r\n`); Go's with a Content-Length.
  if (encodings.length === 1 && lengths.length === 0 && encodings[0]![1]!.trim().toLowerCase() === 'chunked') {
    return { status, reusable: chunkedEnd(bytes, body) === bytes.length };
  }
  return { status, reusable: encodings.length === 0 && lengths.length === 1 && bytes.length - body === lengths[0] };
}

/**
 * Send the check's GET and call `done` once with the answer's status or an
 * error. Returns a cancel that closes the connection (a timeout, an abort).
 * `now`: the clock that ages kept connections (tests move it).
 */
export function sendCheck(check: HttpCheck, done: (result: { status: number } | { error: Error }) => void, now: () => number = Date.now): () => void {
  let finished = false;
  let current: Connection | undefined;
  const settle = (result: { status: number } | { error: Error }, keep: boolean) => {
    if (finished) return;
    finished = true;
    const connection = current!;
    connection.handler = undefined;
    if (keep && !pool.has(key)) {
      connection.lastUsed = now();
      pool.set(key, connection);
    } else connection.socket.destroy();
    done(result);
  };
  const attempt = (connection: Connection, reused: boolean, request: Buffer) => {
    current = connection;
    let received: Buffer | undefined;
    connection.handler = {
      data(chunk) {
        received = received ? Buffer.concat([received, chunk]) : chunk;
        const answer = readAnswer(received);
        if (answer instanceof Error) settle({ error: answer }, false);
        else if (answer) settle({ status: answer.status }, answer.reusable && answer.status === check.statusCode);
      },
      ended(error) {
        if (finished) return;
        // A kept connection that failed before any answer (closed idle by the server, or the server
        // died): the verdict is a new connection's, within the same timeout.
        if (reused && !received) {
          connection.handler = undefined;
          connection.socket.destroy();
          return attempt(open(check, key, now()), false, request);
        }
        settle({ error: error ?? new Error('socket hang up') }, false);
      },
    };
    connection.socket.write(request);
  };
  let key: string;
  let request: Buffer;
  try {
    ({ key, request } = prepare(check));
  } catch (error) {
    done({ error: error as Error });
    return () => {};
  }
  const at = now();
  const kept = take(key, at);
  attempt(kept ?? open(check, key, at), kept !== undefined, request);
  return () => {
    if (finished) return;
    finished = true;
    if (current) {
      current.handler = undefined;
      current.socket.destroy();
    }
  };
}
