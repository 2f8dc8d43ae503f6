/**
 * The dashboard's HTTP server, inside the supervisor, started by the first
 * `POST /dashboard` on the control socket (launcher.ts loads this module then):
 *   GET  /?token=T                          the page (dist/dashboard/index.html)
 *   GET  /assets/<file>?token=T             its files
 *   GET  /api/stream?token=T                one SSE stream (hub.ts)
 *   POST /api/process/<start|stop|restart>/<name>   header x-core-token: T
 *   GET  /open?code=C                       a one-time link (open-codes.ts) → 303 to /?token=T
 * On 127.0.0.1 only; every request is checked first (guard.ts). A bug in a
 * handler answers 500 and the stack runs on.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Supervisor } from '../engine/index.js';
import { readAsset, readPage, type Found } from './assets.js';
import { refuse, refuseOrigin } from './guard.js';
import { StreamHub, type HubSources } from './hub.js';
import { SseClient } from './sse.js';
import { OpenCodes } from './open-codes.js';
import { newToken } from './token.js';
import { isLingering, linger } from '../support/http-linger.js';

export type ActionEngine = Pick<Supervisor, 'processState' | 'start' | 'stopProcess' | 'restart'>;

export interface DashboardOptions extends HubSources {
  readonly actions: ActionEngine;
  /** The built page (dist/dashboard/). */
  readonly assetsDir: string;
  /** 0: any free port. */
  readonly port?: number;
}

export interface Dashboard {
  readonly url: string;
  readonly port: number;
  /** Open streams (tests). */
  readonly streams: () => number;
  /** A one-time link that leads a browser to the page (for an opener's command line). */
  openUrl(): string;
  close(): Promise<void>;
}

/** The headers of every answer: nothing cached (the token is in the URL), nothing sniffed, framed or referred. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

type Reply = { readonly status: number; readonly type: string; readonly body: string | Buffer; readonly location?: string };

const json = (status: number, body: unknown): Reply => ({ status, type: 'application/json; charset=utf-8', body: JSON.stringify(body) });
const text = (status: number, body: string): Reply => ({ status, type: 'text/plain; charset=utf-8', body: `${body}\n` });

const SEQ = /^\d{1,15}$/;

function found(asset: Found, what: string): Reply {
  if ('body' in asset) return { status: 200, ...asset };
  return asset.missing === 'build'
    ? text(503, 'the dashboard page is not built (dist/dashboard/ is missing): run `npm run build`')
    : text(404, `no such file: ${what.slice(0, 100)}`);
}

/** `POST /api/process/<verb>/<name>` on the engine. */
async function act(actions: ActionEngine, verb: string, name: string): Promise<Reply> {
  if (!actions.processState(name)) return json(404, { error: `no process named ${name.slice(0, 100)}` });
  const result = verb === 'start' ? actions.start([name]) : verb === 'restart' ? actions.restart(name) : undefined;
  if (result) return result.ok ? json(200, { ok: true }) : json(409, { error: result.reason });
  // Answered at once; the process stops afterwards (`processes` shows it). A rejection must not reach the supervisor.
  actions.stopProcess(name).catch(() => {});
  return json(200, { ok: true });
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const token = newToken();
  const hub = new StreamHub(options);
  const codes = new OpenCodes();
  let port = 0;

  const handle = async (request: http.IncomingMessage, response: http.ServerResponse): Promise<Reply | undefined> => {
    const method = request.method ?? 'GET';
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://127.0.0.1');
    } catch {
      return text(400, 'bad request URL');
    }
    if (url.pathname === '/open' && method === 'GET') {
      const wrongOrigin = refuseOrigin(request.headers, port);
      if (wrongOrigin) return json(wrongOrigin.status, { error: wrongOrigin.error });
      if (!codes.redeem(url.searchParams.get('code'))) return text(401, 'this opening link has been used already or has expired: run `core dashboard` for the URL');
      return { ...text(303, 'see /'), location: `/?token=${token}` };
    }
    const refused = refuse({ method, url, headers: request.headers }, token, port);
    if (refused) return json(refused.status, { error: refused.error });
    let segments: string[];
    try {
      segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      return text(400, 'bad percent-encoding in the path');
    }
    const [first, second, third, fourth] = segments;
    if (method === 'POST') {
      if (first === 'api' && second === 'process' && segments.length === 4 && ['start', 'stop', 'restart'].includes(third!)) return act(options.actions, third!, fourth!);
      return json(404, { error: 'no such action' });
    }
    if (segments.length === 0) return found(await readPage(options.assetsDir, token), 'index.html');
    if (first === 'assets' && segments.length === 2) return found(await readAsset(options.assetsDir, second!), second!);
    if (first === 'api' && second === 'stream' && segments.length === 2 && method === 'GET') {
      const raw = request.headers['last-event-id'] ?? url.searchParams.get('since') ?? undefined;
      const since = typeof raw === 'string' && raw !== '' ? raw : undefined;
      if (since !== undefined && !SEQ.test(since)) return text(400, `Last-Event-ID (or since): "${since.slice(0, 40)}" is not a seq`);
      response.setHeader('content-type', 'text/event-stream; charset=utf-8');
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
      // Written into the response's buffer, sent with the headers when this turn ends (a throw: a 500 instead).
      hub.open(new SseClient(response), since === undefined ? undefined : Number(since));
      response.flushHeaders();
      return undefined;
    }
    return text(404, `no such page: ${url.pathname.slice(0, 100)}`);
  };

  const server = http.createServer({ headersTimeout: 5000, requestTimeout: 10_000, maxHeaderSize: 8192 }, (request, response) => {
    void (async () => {
      let reply: Reply | undefined;
      try {
        reply = await handle(request, response);
      } catch (error) {
        // A bug answers 500; the supervisor, whose death would stop the stack, goes on.
        reply = text(500, `internal error: ${(error as Error)?.message ?? String(error)}`);
        options.note?.(`internal error in the dashboard: ${(error as Error)?.stack ?? String(error)}`);
      }
      if (!reply || response.headersSent || response.destroyed) return;
      // A POST's body is never read (actions take none): close after answering.
      const extra = method(request) === 'POST' ? { connection: 'close' } : {};
      const location = reply.location ? { location: reply.location } : {};
      response.writeHead(reply.status, { ...SECURITY_HEADERS, 'content-type': reply.type, 'content-length': Buffer.byteLength(reply.body), ...location, ...extra });
      response.end(request.method === 'HEAD' ? undefined : reply.body);
    })();
  });
  server.maxConnections = 64;
  server.on('clientError', (_error, socket) => {
    if (isLingering(socket)) return;
    if (socket.writable) {
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      linger(socket);
    } else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: options.port ?? 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => {
    // After listening, an error concerns one connection, not the server.
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    streams: () => hub.size,
    openUrl: () => `http://127.0.0.1:${port}/open?code=${codes.issue()}`,
    close: () =>
      new Promise<void>((resolve) => {
        hub.closeAll();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const method = (request: http.IncomingMessage) => request.method ?? 'GET';
