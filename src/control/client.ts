/**
 * A client for process-compose's REST API over a unix socket. It speaks to the
 * built-in supervisor (core.sock) and to the real process-compose (pc.sock) alike.
 */
import { lazyHttp } from '../support/builtins.js';
import type { ProcessState } from '../engine/index.js';
import type { WriteProblem } from './write-health.js';

export class ControlError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    /** No answer within the client's timeout: the peer is there but silent. */
    readonly timedOut = false,
  ) {
    super(message);
  }
}

export class ControlClient {
  constructor(
    readonly socket: string,
    private readonly timeoutMs = 5000,
  ) {}

  live(): Promise<{ status: string }> {
    return this.request('GET', '/live');
  }

  async processes(): Promise<ProcessState[]> {
    return (await this.request<{ data: ProcessState[] }>('GET', '/processes')).data;
  }

  process(name: string): Promise<ProcessState> {
    return this.request('GET', `/process/${encodeURIComponent(name)}`);
  }

  async logs(name: string, limit: number, endOffset = 0): Promise<string[]> {
    return (await this.request<{ logs: string[] }>('GET', `/process/logs/${encodeURIComponent(name)}/${endOffset}/${limit}`)).logs;
  }

  restart(name: string): Promise<unknown> {
    return this.request('POST', `/process/restart/${encodeURIComponent(name)}`);
  }

  start(name: string): Promise<unknown> {
    return this.request('POST', `/process/start/${encodeURIComponent(name)}`);
  }

  stop(name: string): Promise<unknown> {
    return this.request('PATCH', `/process/stop/${encodeURIComponent(name)}`);
  }

  /** Our supervisor adds `problems` (what it failed to write, write-health.ts); process-compose has none. */
  projectState(): Promise<{ problems?: WriteProblem[] }> {
    return this.request('GET', '/project/state');
  }

  stopProject(): Promise<unknown> {
    return this.request('POST', '/project/stop');
  }

  private request<T>(method: string, path: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const request = lazyHttp().request({ socketPath: this.socket, method, path, timeout: this.timeoutMs, headers: { accept: 'application/json' } }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => {
          let parsed: unknown;
          try {
            parsed = body ? JSON.parse(body) : {};
          } catch {
            return reject(new ControlError(`${method} ${path}: not JSON: ${body.slice(0, 200)}`, response.statusCode));
          }
          if ((response.statusCode ?? 500) >= 400) {
            const error = (parsed as { error?: string }).error ?? `HTTP ${response.statusCode}`;
            return reject(new ControlError(`${method} ${path}: ${error}`, response.statusCode));
          }
          resolve(parsed as T);
        });
      });
      request.on('timeout', () => request.destroy(new ControlError(`${method} ${path}: no answer within ${this.timeoutMs} ms`, undefined, true)));
      request.on('error', (error) => reject(error instanceof ControlError ? error : new ControlError(`${this.socket}: ${(error as NodeJS.ErrnoException).code ?? error.message}`)));
      request.end();
    });
  }
}
