/**
 * CORE_METRICS_ADDR: the supervisor serves `GET /metrics` over HTTP there
 * (for Prometheus), anything else 404. The listener is opened when the
 * supervisor starts, before any process does, so a port in use stops `core up`
 * with nothing started; prom-client and the metrics module are loaded on the
 * first scrape only. A scrape that fails answers 500 and the supervisor goes on.
 * On a loopback address, a request must name a loopback host (403 otherwise): a
 * web page the user opens cannot read the metrics through DNS rebinding.
 */
import http from 'node:http';
import type { MetricsAddr } from '../support/settings.js';
import { portHolder } from '../control/port-check.js';
import { InputError } from '../support/errors.js';
import type { MetricsSource } from './metrics.js';

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** Pure: whether a request's Host header may reach a listener on `addr`. */
export function hostAllowed(header: string | undefined, addr: MetricsAddr): boolean {
  if (!isLoopback(addr.host)) return true; // the user opened it beyond loopback on purpose
  const name = /^\[([^\]]+)\](?::\d+)?$/.exec(header ?? '')?.[1] ?? /^([^:]+)(?::\d+)?$/.exec(header ?? '')?.[1];
  return name !== undefined && (isLoopback(name) || name === addr.host);
}

export interface MetricsListener {
  /** The port listened on. */
  readonly port: number;
  close(): Promise<void>;
}

/** Listen now; the source is given later (the engine exists after the listener). */
export async function listenMetrics(addr: MetricsAddr, source: () => MetricsSource | undefined): Promise<MetricsListener> {
  const server = http.createServer({ headersTimeout: 5000, requestTimeout: 10_000, maxHeaderSize: 8192 }, (request, response) => {
    void (async () => {
      const path = (request.url ?? '/').split('?', 1)[0];
      const what = source();
      if (!hostAllowed(request.headers.host, addr)) {
        response.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('forbidden: use a loopback address (127.0.0.1, localhost, [::1]) as the host\n');
        return;
      }
      if (path !== '/metrics' || !what) {
        response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: metrics are at /metrics\n');
        return;
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('only GET\n');
        return;
      }
      try {
        const { metricsOf, CONTENT_TYPE } = await import('./metrics.js');
        const text = await metricsOf(what).scrape();
        response.writeHead(200, { 'content-type': CONTENT_TYPE });
        response.end(request.method === 'HEAD' ? undefined : text);
      } catch (error) {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        response.end(`internal error: ${(error as Error).message}\n`);
      }
    })();
  });
  server.on('clientError', (_, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${addr.host.includes(':') ? `[${addr.host}]` : addr.host}:${addr.port}`;
      if (error.code === 'EADDRINUSE') {
        const holder = portHolder(addr.port);
        reject(
          new InputError(
            'port-in-use',
            `CORE_METRICS_ADDR: port ${addr.port} (${where}) is in use${holder ? ` by ${holder}` : ''}; choose another port or unset CORE_METRICS_ADDR`,
          ),
        );
      } else reject(new InputError('bad-setting', `CORE_METRICS_ADDR: cannot listen on ${where}: ${error.code ?? error.message}`));
    });
    server.listen({ host: addr.host, port: addr.port, exclusive: true }, () => resolve());
  });
  server.on('error', () => {
    // After listening, an error concerns one connection, not the server.
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : addr.port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
