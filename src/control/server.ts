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
 *   GET  /events?since=SEQ · /events/follow    the numbered state changes (event-routes.ts)
 * Requests go through one table. Whatever it does not understand (a bad
 * encoding, an unknown route, a wrong method, a body, a huge or garbled
 * request, a client too slow to finish) gets a 4xx; no request can end the
 * supervisor, whose death would stop the stack.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { Supervisor } from '../engine/index.js';
import { EVENT_ROUTES, Followers, type Stream } from './event-routes.js';
import type { WriteProblem } from './write-health.js';

export interface ControlServer {
  close(): Promise<void>;
}

export interface ControlHandlers {
  readonly onProjectStop: () => void;
  /** What the supervisor could not write (disk full, read-only), for `core status`. */
  readonly problems?: () => readonly WriteProblem[];
}

export interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Run after the answer is sent. */
  readonly then?: () => void;
  /** Instead of `body`: lines streamed until the client goes or the server closes. */
  readonly stream?: Stream;
}

type Params = Readonly<Record<string, string>>;

export interface Route {
  readonly method: 'GET' | 'POST' | 'PATCH';
  /** Literal segments, and `:name` for a parameter. */
  readonly pattern: readonly string[];
  readonly handle: (params: Params, engine: Supervisor, handlers: ControlHandlers, query: URLSearchParams) => Answer;
}

const ok = (body: unknown): Answer => ({ status: 200, body });
const fail = (status: number, error: string, headers?: Record<string, string>): Answer => ({ status, body: { error }, ...(headers ? { headers } : {}) });
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
      return { ...ok({ name }), then: () => void engine.stopProcess(name!) };
    },
  },
  { method: 'POST', pattern: ['project', 'stop'], handle: (_, __, handlers) => ({ ...ok({ status: 'stopping' }), then: handlers.onProjectStop }) },
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

/** Pure: a request line (method, raw URL, whether a body came) to an answer. */
export function answer(method: string, url: string, hasBody: boolean, engine: Supervisor, handlers: ControlHandlers): Answer {
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
  if (hasBody) return fail(413, 'this API takes no request body');
  return hit.route.handle(hit.params!, engine, handlers, query);
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
      let result: Answer;
      const body = hasBody(request);
      try {
        result = answer(request.method ?? 'GET', request.url ?? '/', body, engine, handlers);
      } catch (error) {
        // A bug in a handler answers 500; it does not end the supervisor.
        result = fail(500, `internal error: ${(error as Error).message}`);
      }
      if (result.stream && !body) return followers.serve(response, result.stream);
      // A body we do not read would be taken for the next request: close after answering.
      response.writeHead(result.status, { 'content-type': 'application/json', ...(body ? { connection: 'close' } : {}), ...result.headers });
      response.end(JSON.stringify(result.body), () => {
        if (body) request.destroy();
      });
      result.then?.();
    },
  );
  server.maxConnections = 1024;
  // Garbage that is not HTTP, a header too large, a client gone mid-request: answer if we can, never throw.
  server.on('clientError', (error: NodeJS.ErrnoException, client) => {
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    if (client.writable && !(client as { _httpMessage?: unknown })._httpMessage) client.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    else client.destroy();
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
