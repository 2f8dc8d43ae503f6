/**
 * A client for process-compose's REST API over a unix socket. It speaks to the
 * built-in supervisor (core.sock) and to the real process-compose (pc.sock) alike.
 */
import { lazyHttp } from '../support/builtins.js';
import type { EventRecord, ProcessState } from '../engine/index.js';
import type { WriteProblem } from './write-health.js';

/** The key of our details in a `POST /project` answer: no process name holds a dot (project-route.ts). */
export const APPLY_KEY = 'x-core.apply';

export class ControlError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    /** No answer within the client's timeout: the peer is there but silent. */
    readonly timedOut = false,
    /** The error answer's JSON, for what it says beyond `error` (e.g. `oldest_seq`). */
    readonly body?: unknown,
  ) {
    super(message);
  }
}

/** `GET /events`: the records the supervisor keeps after a seq. */
export interface EventsPage {
  readonly v: 1;
  readonly events: EventRecord[];
  readonly oldest_seq: number;
  readonly last_seq: number;
}

/** How a follow ended: the supervisor ended the stream (it stopped), or the connection broke. */
export type FollowEnd = { readonly kind: 'ended' } | { readonly kind: 'broken'; readonly error: string } | { readonly kind: 'aborted' };

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

  /**
   * `POST /project`: apply a new document (project-route.ts). A 207 (a
   * process not ready) resolves too: the body says which. `waitMs`: how long
   * this request may take (the apply waits for readiness).
   */
  applyProject(body: unknown, waitMs: number): Promise<Record<string, unknown>> {
    return this.request('POST', '/project', JSON.stringify(body), waitMs);
  }

  /**
   * process-compose: `POST /project/configuration`, a reload of the files it
   * was started with (its `UpdateProject` underneath: the same diff as `POST
   * /project`). A map process → added/updated/removed/error.
   */
  reloadProject(waitMs: number): Promise<Record<string, string>> {
    return this.request('POST', '/project/configuration', undefined, waitMs);
  }

  /** Built-in engine only: start the web dashboard if it is not running (src/dashboard/); the URL holds its token. */
  dashboard(opener = false): Promise<{ url: string; port: number; open_url?: string }> {
    return this.request('POST', opener ? '/dashboard?open=1' : '/dashboard');
  }

  /** Built-in engine only (process-compose answers 404). */
  events(since = 0): Promise<EventsPage> {
    return this.request('GET', `/events?since=${since}`);
  }

  /**
   * The records after `since`, then each new one, until the supervisor ends the
   * stream, the connection breaks or `signal` aborts. Rejects with a
   * ControlError when the follow is refused (410: `since` is no longer kept).
   */
  followEvents(since: number, onRecord: (record: EventRecord) => void, signal?: AbortSignal): Promise<FollowEnd> {
    const path = `/events/follow?since=${since}`;
    return new Promise((resolve, reject) => {
      const request = lazyHttp().request({ socketPath: this.socket, method: 'GET', path, timeout: this.timeoutMs, signal }, (response) => {
        response.setEncoding('utf8');
        if ((response.statusCode ?? 500) >= 400) {
          let body = '';
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () => {
            let parsed: { error?: string } = {};
            try {
              parsed = JSON.parse(body) as { error?: string };
            } catch {
              // not JSON: the status says enough
            }
            reject(new ControlError(`GET ${path}: ${parsed.error ?? `HTTP ${response.statusCode}`}`, response.statusCode, false, parsed));
          });
          return;
        }
        // Following may stay quiet for hours: no idle timeout once it has begun.
        request.setTimeout(0);
        let partial = '';
        response.on('data', (chunk: string) => {
          const lines = (partial + chunk).split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) {
            if (!line) continue;
            let record: EventRecord;
            try {
              record = JSON.parse(line) as EventRecord;
            } catch {
              resolve({ kind: 'broken', error: `not JSON: ${line.slice(0, 100)}` });
              return void request.destroy();
            }
            onRecord(record);
          }
        });
        response.on('end', () => resolve({ kind: 'ended' }));
        response.on('error', (error) => resolve(signal?.aborted ? { kind: 'aborted' } : { kind: 'broken', error: error.message }));
        response.on('aborted', () => resolve({ kind: 'broken', error: 'the connection was cut' }));
      });
      request.on('timeout', () => request.destroy(new ControlError(`GET ${path}: no answer within ${this.timeoutMs} ms`, undefined, true)));
      request.on('error', (error) => {
        if (signal?.aborted) return resolve({ kind: 'aborted' });
        reject(error instanceof ControlError ? error : new ControlError(`${this.socket}: ${(error as NodeJS.ErrnoException).code ?? error.message}`));
      });
      request.end();
    });
  }

  private request<T>(method: string, path: string, body?: string, timeoutMs = this.timeoutMs): Promise<T> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { accept: 'application/json' };
      if (body !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      const request = lazyHttp().request({ socketPath: this.socket, method, path, timeout: timeoutMs, headers }, (response) => {
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
      request.on('timeout', () => request.destroy(new ControlError(`${method} ${path}: no answer within ${timeoutMs} ms`, undefined, true)));
      request.on('error', (error) => reject(error instanceof ControlError ? error : new ControlError(`${this.socket}: ${(error as NodeJS.ErrnoException).code ?? error.message}`)));
      request.end(body);
    });
  }
}
