/**
 * A test's reader of a server-sent-events stream over Node's fetch: every
 * event kept in order, and a bounded wait for the next one that matches.
 * (The `eventsource` package is the browser-like client; this one sets any
 * header, e.g. Last-Event-ID on the first connect, and sees comments.)
 */
export interface SseEvent {
  readonly event: string;
  readonly id: string | undefined;
  readonly data: unknown;
}

export class SseReader {
  readonly events: SseEvent[] = [];
  comments = 0;
  ended = false;
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly response: Response,
    private readonly abort: AbortController,
  ) {}

  /** Connect; rejects unless the answer is a 200 event stream. */
  static async open(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
    const abort = new AbortController();
    const reader = new SseReader(await fetch(url, { headers, signal: abort.signal }), abort);
    if (reader.response.status !== 200) throw new Error(`${url}: HTTP ${reader.response.status}: ${await reader.response.text()}`);
    void reader.pump();
    return reader;
  }

  /** Resolves with the first event from index `from` on that matches; rejects after `timeoutMs`. */
  next(match: (e: SseEvent) => boolean, timeoutMs = 10_000, from = 0): Promise<SseEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.slice(from).find(match);
        if (found) {
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        } else if (this.ended) {
          this.waiters.delete(check);
          clearTimeout(timer);
          reject(new Error(`the stream ended before a matching event (got: ${this.events.map((e) => e.event).join(', ')})`));
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no matching event within ${timeoutMs} ms (got: ${this.events.map((e) => e.event).join(', ')})`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** Events of one type so far. */
  of(event: string): SseEvent[] {
    return this.events.filter((e) => e.event === event);
  }

  close(): void {
    this.abort.abort();
  }

  private async pump(): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of this.response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
        for (const waiter of [...this.waiters]) waiter();
      }
    } catch {
      // cancelled or cut: `ended` says so
    }
    this.ended = true;
    for (const waiter of [...this.waiters]) waiter();
  }

  private parse(block: string): void {
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) {
        this.comments++;
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'id') id = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length) this.events.push({ event, id, data: JSON.parse(data.join('\n')) });
  }
}
