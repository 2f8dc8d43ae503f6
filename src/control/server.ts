/**
 * The control API on `.core-stack/core.sock` (0600), in process-compose's REST
 * shapes so one client drives either engine:
 *   GET  /live                                 {"status":"alive"}
 *   GET  /processes                            {"data":[ProcessState…]}
 *   GET  /process/:name                        ProcessState
 *   GET  /process/logs/:name/:endOffset/:limit {"logs":[…]}
 *   POST /process/start/:name · PATCH /process/stop/:name · POST /process/restart/:name
 *   POST /project/stop                         stops the stack, then the supervisor exits
 *   GET  /project/state                        uptime, process counts, and what the supervisor failed to write
 *   POST /project                              a new document (JSON, ≤ 8 MiB): apply it (project-route.ts)
 *   POST /dashboard[?open=1]                   start the web dashboard if it is not running: {url, port[, open_url]} (src/dashboard/)
 *   GET  /events?since=SEQ · /events/follow    the numbered state changes (event-routes.ts)
 *   GET  /resources?window=MS                  CPU and memory per process group (src/observe/resources.ts)
 *   GET  /metrics                              Prometheus text exposition (src/observe/metrics.ts)
 * Requests go through one table. Whatever it does not understand (a bad
 * encoding, an unknown route, a wrong method, a body where none is taken, a
 * huge or garbled request, a client too slow to finish) gets a 4xx; no request
 * can end the supervisor, whose death would stop the stack. Only routes that
 * declare `body` read one, bounded.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { ComposeDoc } from '../compose/schema.js';
import type { Supervisor } from '../engine/index.js';
import type { Resources } from '../observe/resources.js';
import type { Timeline } from '../observe/timeline.js';
import type { DashboardLauncher } from '../dashboard/launcher.js';
import { isLingering, linger } from '../support/http-linger.js';
import { EVENT_ROUTES, Followers, type Stream } from './event-routes.js';
import { OBSERVE_ROUTES } from './observe-routes.js';
import type { WriteProblem } from './write-health.js';
import type { StateFile } from './state-file.js';

export interface ControlServer {
  close(): Promise<void>;
}

export interface ControlHandlers {
  readonly onProjectStop: () => void;
  /** What the supervisor could not write (disk full, read-only), for `core status`. */
  readonly problems?: () => readonly WriteProblem[];
  /** An apply changed the running document (for the compose file on disk). */
  readonly onApplied?: (doc: ComposeDoc, ports?: StateFile['ports']) => void;
  /** CPU and memory, sampled when asked (GET /resources). */
  readonly resources?: Resources;
  /** When each process started and became ready (the waterfall, the readiness histogram). */
  readonly timeline?: Timeline;
  /** The web dashboard, started on the first POST /dashboard (its URL holds the token: answered here, never written). */
  readonly dashboard?: DashboardLauncher;
}

export interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Run after the answer is sent. */
  readonly after?: () => void;
  /** Instead of `body`: a text answer sent as it is (give its content-type in `headers`). */
  readonly text?: string;
  /** Instead of `body`: lines streamed until the client goes or the server closes. */
  readonly stream?: Stream;
}

type Params = Readonly<Record<string, string>>;

export interface Route {
  readonly method: 'GET' | 'POST' | 'PATCH';
  /** Literal segments, and `:name` for a parameter. */
  readonly pattern: readonly string[];
  /** This route takes a JSON body of at most this many bytes (the others refuse one). */
  readonly body?: number;
  readonly handle: (params: Params, engine: Supervisor, handlers: ControlHandlers, body: unknown, query: URLSearchParams) => Answer | Promise<Answer>;
}

/** The largest document `POST /project` takes: 500 services are ~1 MiB. */
export const MAX_PROJECT_BODY = 8 * 1024 * 1024;

const ok = (body: unknown): Answer => ({ status: 200, body });
export const fail = (status: number, error: string, headers?: Record<string, string>): Answer => ({ status, body: { error }, ...(headers ? { headers } : {}) });
const noProcess = (name: string) => fail(404, `no process named ${name}`);

/** Offsets and limits are whole numbers; anything else is the client's mistake. */
const WHOLE = /^\d{1,9}$/;

const ROUTES: readonly Route[] = [
  { method: 'GET', pattern: ['live'], handle: () => ok({ status: 'alive' }) },
  { method: 'GET', pattern: ['processes'], handle: (_, engine) => ok({ data: engine.snapshot() }) },
  {
    method: 'GET',
    pattern: ['process', ':name'],
    handle: ({ name }, engine) => {
      const state = engine.processState(name!);
      return state ? ok(state) : noProcess(name!);
    },
  },
  {
    method: 'GET',
    pattern: ['process', 'logs', ':name', ':endOffset', ':limit'],
    handle: ({ name, endOffset, limit }, engine) => {
      if (!engine.processState(name!)) return noProcess(name!);
      if (!WHOLE.test(endOffset!) || !WHOLE.test(limit!)) return fail(400, 'endOffset and limit must be whole numbers');
      const lines = engine.logs(name!, Number(limit) > 0 ? Number(limit) : undefined) ?? [];
      // endOffset counts lines back from the end, as in process-compose.
      return ok({ logs: lines.slice(0, Math.max(0, lines.length - Number(endOffset))) });
    },
  },
  {
    method: 'POST',
    pattern: ['process', 'start', ':name'],
    handle: ({ name }, engine) => {
      if (!engine.processState(name!)) return noProcess(name!);
      const result = engine.start([name!]);
      return result.ok ? ok({ name }) : fail(409, result.reason);
    },
  },
  {
    method: 'POST',
    pattern: ['process', 'restart', ':name'],
    handle: ({ name }, engine) => {
      if (!engine.processState(name!)) return noProcess(name!);
      const result = engine.restart(name!);
      return result.ok ? ok({ name }) : fail(409, result.reason);
    },
  },
  {
    method: 'PATCH',
    pattern: ['process', 'stop', ':name'],
    handle: ({ name }, engine) => {
      if (!engine.processState(name!)) return noProcess(name!);
      return { ...ok({ name }), after: () => void engine.stopProcess(name!) };
    },
  },
  { method: 'POST', pattern: ['project', 'stop'], handle: (_, __, handlers) => ({ ...ok({ status: 'stopping' }), after: handlers.onProjectStop }) },
  {
    method: 'POST',
    pattern: ['project'],
    body: MAX_PROJECT_BODY,
    // Loaded when used: zod stays off the supervisor's start-up path.
    handle: async (_, engine, handlers, body) => (await import('./project-route.js')).postProject(engine, body, handlers.onApplied),
  },
  {
    method: 'GET',
    pattern: ['project', 'state'],
    handle: (_, engine, handlers) => {
      const snapshot = engine.snapshot();
      return ok({
        processNum: snapshot.length,
        runningProcessNum: snapshot.filter((p) => p.is_running).length,
        upTime: Math.round(process.uptime() * 1e9),
        problems: handlers.problems?.() ?? [],
      });
    },
  },
  ...EVENT_ROUTES,
  ...OBSERVE_ROUTES,
];

function matches(pattern: readonly string[], segments: readonly string[]): Params | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i]!;
    if (want.startsWith(':')) params[want.slice(1)] = segments[i]!;
    else if (want !== segments[i]) return undefined;
  }
  return params;
}

/** Longer URLs than any route needs are refused before they are parsed. */
const MAX_URL = 4096;

type Matched = { readonly route: Route; readonly params: Params; readonly query: URLSearchParams };

/** Pure: a request line (method, raw URL, whether a body came) to its route, or the answer that refuses it. */
export function route(method: string, url: string, hasBody: boolean): Matched | Answer {
  if (url.length > MAX_URL) return fail(414, `URL longer than ${MAX_URL} characters`);
  if (!url.startsWith('/')) return fail(400, 'expected a path starting with /');
  const raw = url.split(/[?#]/, 1)[0]!;
  const query = new URLSearchParams(url.slice(raw.length).split('#', 1)[0]!.replace(/^\?/, ''));
  const segments: string[] = [];
  for (const part of raw.split('/')) {
    if (part === '') continue;
    try {
      segments.push(decodeURIComponent(part));
    } catch {
      return fail(400, `bad percent-encoding in ${JSON.stringify(part.slice(0, 100))}`);
    }
  }
  const found = ROUTES.map((route) => ({ route, params: matches(route.pattern, segments) })).filter((m) => m.params !== undefined);
  if (found.length === 0) return fail(404, `no route ${method.slice(0, 16)} /${segments.join('/').slice(0, 200)}`);
  const hit = found.find((m) => m.route.method === method);
  if (!hit) {
    const allowed = [...new Set(found.map((m) => m.route.method))].join(', ');
    return fail(405, `${method.slice(0, 16)} is not allowed here (allowed: ${allowed})`, { allow: allowed });
  }
  if (hasBody && hit.route.body === undefined) return fail(413, 'this API takes no request body');
  if (!hasBody && hit.route.body !== undefined) return fail(400, `${method} /${segments.join('/')} takes a JSON body`);
  return { route: hit.route, params: hit.params!, query };
}

/** A request (and its body, for routes that take one) to an answer. */
export async function answer(method: string, url: string, body: Buffer | undefined, engine: Supervisor, handlers: ControlHandlers): Promise<Answer> {
  const matched = route(method, url, body !== undefined);
  if (!('route' in matched)) return matched;
  let parsed: unknown;
  if (body !== undefined) {
    try {
      parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch (error) {
      return fail(400, `the body is not JSON: ${(error as Error).message.slice(0, 200)}`);
    }
  }
  return matched.route.handle(matched.params, engine, handlers, parsed, matched.query);
}

/** The body of a request, or the answer that refuses it (too large, not JSON). */
function readBody(request: http.IncomingMessage, max: number): Promise<Buffer | Answer> {
  const length = Number(request.headers['content-length'] ?? NaN);
  if (length > max) return Promise.resolve(fail(413, `a body of at most ${max} bytes is taken here`));
  const type = String(request.headers['content-type'] ?? 'application/json');
  if (!/^application\/json\b/i.test(type)) return Promise.resolve(fail(415, `expected content-type application/json, not ${type.slice(0, 100)}`));
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        resolve(fail(413, `a body of at most ${max} bytes is taken here`));
        request.pause();
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', () => resolve(fail(400, 'the request body was cut off')));
  });
}

function hasBody(request: http.IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

export async function startControlServer(socket: string, engine: Supervisor, handlers: ControlHandlers): Promise<ControlServer> {
  // A socket file left by a dead supervisor would make listen() fail with EADDRINUSE.
  fs.rmSync(socket, { force: true });
  const followers = new Followers();
  const server = http.createServer(
    {
      // A client that trickles its request is cut off, checked every second (default 30 s).
      headersTimeout: 5000,
      requestTimeout: 10_000,
      connectionsCheckingInterval: 1000,
      maxHeaderSize: 8192,
    },
    (request, response) => {
      void (async () => {
        let result: Answer;
        const body = hasBody(request);
        // A body we do not read (fully) would be taken for the next request: close after answering.
        let unread = body;
        try {
          const method = request.method ?? 'GET';
          const url = request.url ?? '/';
          const matched = route(method, url, body);
          if (!('route' in matched)) result = matched;
          else if (matched.route.body === undefined) result = await answer(method, url, undefined, engine, handlers);
          else {
            const read = await readBody(request, matched.route.body);
            unread = !Buffer.isBuffer(read);
            result = Buffer.isBuffer(read) ? await answer(method, url, read, engine, handlers) : read;
          }
        } catch (error) {
          // A bug in a handler answers 500; it does not end the supervisor.
          result = fail(500, `internal error: ${(error as Error).message}`);
        }
        if (response.destroyed) return;
        if (result.stream && !body) return followers.serve(response, result.stream);
        response.writeHead(result.status, { 'content-type': 'application/json', ...(unread ? { connection: 'close' } : {}), ...result.headers });
        response.end(result.text ?? JSON.stringify(result.body), () => {
          if (unread) request.destroy();
        });
        result.after?.();
      })();
    },
  );
  server.maxConnections = 1024;
  // Garbage that is not HTTP, a header too large, a client gone mid-request: answer if we can, never throw.
  server.on('clientError', (error: NodeJS.ErrnoException, client) => {
    // More of the same request after the answer: the linger below reads it, and then closes.
    if (isLingering(client)) return;
    const status =
      error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    if (client.writable && !(client as { _httpMessage?: unknown })._httpMessage) {
      client.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      linger(client);
    } else client.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => resolve());
  });
  server.on('error', () => {
    // After listening, an error concerns one connection (handled above), not the server.
  });
  fs.chmodSync(socket, 0o600);
  return {
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // Followers get the end of their stream, not a reset connection.
        void followers.endAll().then(() => server.closeAllConnections());
        try {
          fs.rmSync(socket, { force: true });
        } catch {
          // A read-only folder: the next supervisor removes it before it listens.
        }
      }),
  };
}
