/**
 * One server-sent-events connection: the frame format (html.spec.whatwg.org
 * "server-sent events") and the limit on what a client that does not read may
 * cost. Hand-written: a frame is three lines, and the libraries for it bring
 * their own HTTP server.
 */
import type http from 'node:http';

/**
 * A client this many bytes behind is cut off: memory is not spent on one that
 * does not read (a suspended tab, a stalled proxy). Its browser reconnects
 * with Last-Event-ID and gets what it missed. What is written on connect (the
 * replay) is not counted.
 */
export const MAX_CLIENT_BUFFER = 2 * 1024 * 1024;

/** One event: JSON has no raw line breaks, so `data` is one line. */
export function frame(event: string, data: unknown, id?: number): string {
  return `event: ${event}\n${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(data)}\n\n`;
}

export class SseClient {
  private limit = Infinity;

  constructor(readonly response: http.ServerResponse) {}

  /** Start counting: from now on, more than MAX_CLIENT_BUFFER unsent bytes cut the client off. */
  startCounting(): void {
    this.limit = this.response.writableLength + MAX_CLIENT_BUFFER;
  }

  get open(): boolean {
    return !this.response.writableEnded && !this.response.destroyed;
  }

  /** `id` only on journal records: it is what the browser sends back as Last-Event-ID. */
  send(event: string, data: unknown, id?: number): void {
    this.write(frame(event, data, id));
  }

  /** A comment line: keeps proxies and the browser from taking a quiet stream for a dead one. */
  comment(text: string): void {
    this.write(`: ${text}\n\n`);
  }

  /** A frame made once for every client (`frame`). */
  write(frame: string): void {
    if (!this.open) return;
    if (this.response.writableLength > this.limit) {
      this.response.destroy();
      return;
    }
    this.response.write(frame);
  }
}
