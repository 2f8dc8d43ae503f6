/**
 * A local HTTP server (127.0.0.1, port 0) serving what a test puts in it: files, a 404 for
 * anything else, and misbehaviour on demand (never answer, stall mid-body, cut the
 * connection short, hold requests until N have arrived).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route =
  | { readonly kind: 'file'; readonly body: Buffer | string }
  /** Accept the request and never answer. */
  | { readonly kind: 'hang' }
  /** Send headers and the first bytes, then go silent. */
  | { readonly kind: 'stall'; readonly body: Buffer }
  /** Promise Content-Length of the whole body, send half, close the socket. */
  | { readonly kind: 'cut'; readonly body: Buffer }
  /** Hold each request until `count` requests for this path have arrived, then serve all. */
  | { readonly kind: 'barrier'; readonly count: number; readonly body: Buffer };

export interface FixtureServer {
  readonly origin: string;
  readonly requests: string[];
  route(path: string, route: Route): void;
  file(path: string, body: Buffer | string): void;
  close(): Promise<void>;
}

export async function startFixtureServer(): Promise<FixtureServer> {
  const routes = new Map<string, Route>();
  const requests: string[] = [];
  const waiting = new Map<string, Array<() => void>>();
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push(path);
    const route = routes.get(path);
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    switch (route.kind) {
      case 'file':
        res.writeHead(200, { 'content-length': Buffer.byteLength(route.body) }).end(route.body);
        return;
      case 'hang':
        return;
      case 'stall':
        res.writeHead(200, { 'content-length': route.body.length * 2 });
        res.write(route.body);
        return;
      case 'cut':
        res.writeHead(200, { 'content-length': route.body.length });
        res.write(route.body.subarray(0, route.body.length >> 1), () => res.socket?.destroy());
        return;
      case 'barrier': {
        const serve = () => res.writeHead(200, { 'content-length': route.body.length }).end(route.body);
        const queue = [...(waiting.get(path) ?? []), serve];
        waiting.set(path, queue);
        if (queue.length >= route.count) {
          waiting.delete(path);
          for (const release of queue) release();
        }
        return;
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    route: (path, route) => routes.set(path, route),
    file: (path, body) => routes.set(path, { kind: 'file', body }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
