/**
 * The control API on `.core-stack/core.sock` (0600), in process-compose's REST
 * shapes so one client drives either engine:
 *   GET  /live                                 {"status":"alive"}
 *   GET  /processes                            {"data":[ProcessState…]}
 *   GET  /process/:name                        ProcessState
 *   GET  /process/logs/:name/:endOffset/:limit {"logs":[…]}
 *   POST /process/start/:name · PATCH /process/stop/:name · POST /process/restart/:name
 *   POST /project/stop                         stops the stack, then the supervisor exits
 */
import fs from 'node:fs';
import http from 'node:http';
import type { Supervisor } from '../engine/index.js';

export interface ControlServer {
  close(): Promise<void>;
}

type Reply = (status: number, body: unknown) => void;

export async function startControlServer(socket: string, engine: Supervisor, onProjectStop: () => void): Promise<ControlServer> {
  // A socket file left by a dead supervisor would make listen() fail with EADDRINUSE.
  fs.rmSync(socket, { force: true });
  const server = http.createServer((request, response) => {
    const reply: Reply = (status, body) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    route(request.method ?? 'GET', decodeURIComponent(new URL(request.url ?? '/', 'http://core').pathname), engine, reply, onProjectStop);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => resolve());
  });
  fs.chmodSync(socket, 0o600);
  return {
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        fs.rmSync(socket, { force: true });
      }),
  };
}

function route(method: string, pathname: string, engine: Supervisor, reply: Reply, onProjectStop: () => void): void {
  const parts = pathname.split('/').filter(Boolean);
  const [a, b, c, d, e] = parts;
  const notFound = (what: string) => reply(404, { error: what });
  const known = (name: string | undefined): name is string => name !== undefined && engine.processState(name) !== undefined;

  if (method === 'GET' && a === 'live' && parts.length === 1) return reply(200, { status: 'alive' });
  if (method === 'GET' && a === 'processes' && parts.length === 1) return reply(200, { data: engine.snapshot() });
  if (method === 'GET' && a === 'process' && parts.length === 2) {
    return known(b) ? reply(200, engine.processState(b)) : notFound(`no process named ${b}`);
  }
  if (method === 'GET' && a === 'process' && b === 'logs' && parts.length === 5) {
    if (!known(c)) return notFound(`no process named ${c}`);
    const limit = Number(e);
    const lines = engine.logs(c, Number.isInteger(limit) && limit > 0 ? limit : undefined) ?? [];
    // endOffset counts lines back from the end, as in process-compose.
    const end = Number(d) > 0 ? lines.length - Number(d) : lines.length;
    return reply(200, { logs: lines.slice(0, Math.max(0, end)) });
  }
  if (a === 'process' && parts.length === 3 && ['start', 'stop', 'restart'].includes(b ?? '')) {
    if (!known(c)) return notFound(`no process named ${c}`);
    if (b === 'stop' && method === 'PATCH') {
      void engine.stopProcess(c);
      return reply(200, { name: c });
    }
    if (method === 'POST' && (b === 'start' || b === 'restart')) {
      const result = b === 'start' ? engine.start([c]) : engine.restart(c);
      return result.ok ? reply(200, { name: c }) : reply(409, { error: result.reason });
    }
  }
  if (method === 'POST' && a === 'project' && b === 'stop' && parts.length === 2) {
    reply(200, { status: 'stopping' });
    return onProjectStop();
  }
  notFound(`no route ${method} ${pathname}`);
}
