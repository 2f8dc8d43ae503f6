/**
 * The event routes of the control API (server.ts keeps the table):
 *   GET /events?since=SEQ         {"v":1,"events":[EventRecord…],"oldest_seq":N,"last_seq":M}
 *   GET /events/follow?since=SEQ  NDJSON: the kept records after SEQ, then each new one as it
 *                                 happens, until the client goes or the supervisor stops
 * SEQ defaults to 0 (everything kept). A follow from a seq the supervisor no
 * longer keeps is answered 410 with `oldest_seq`: the client reads the older
 * records from events.ndjson, then follows from the last one it has.
 */
import type http from 'node:http';
import type { EventRecord, JournalPage, Unsubscribe } from '../engine/index.js';
import type { Answer, Route } from './server.js';

/** Where a streamed answer writes. */
export interface StreamOut {
  send(record: EventRecord): void;
}

export type Stream = (out: StreamOut) => Unsubscribe;

/**
 * A follower this many bytes behind on live records is cut off; it resumes with `since`.
 * The backlog (at most the journal's 10 000 records) is written at once and not counted.
 */
export const MAX_FOLLOW_BUFFER = 1024 * 1024;

const SEQ = /^\d{1,15}$/;

function sinceOf(query: URLSearchParams): number | string {
  const raw = query.get('since');
  if (raw === null || raw === '') return 0;
  return SEQ.test(raw) ? Number(raw) : `since: "${raw.slice(0, 40)}" is not a whole number`;
}

const bad = (error: string): Answer => ({ status: 400, body: { error } });
const pageBody = (page: JournalPage) => ({ v: 1, events: page.events, oldest_seq: page.oldest, last_seq: page.last });

export const EVENT_ROUTES: readonly Route[] = [
  {
    method: 'GET',
    pattern: ['events'],
    handle: (_, engine, __, ___, query) => {
      const since = sinceOf(query);
      return typeof since === 'string' ? bad(since) : { status: 200, body: pageBody(engine.journal.since(since)) };
    },
  },
  {
    method: 'GET',
    pattern: ['events', 'follow'],
    handle: (_, engine, __, ___, query) => {
      const since = sinceOf(query);
      if (typeof since === 'string') return bad(since);
      const page = engine.journal.since(since);
      if (!page.complete)
        return { status: 410, body: { error: `events after ${since} up to ${page.oldest - 1} are no longer kept in memory`, oldest_seq: page.oldest, last_seq: page.last } };
      // Sent in the same turn as the check above: nothing can be recorded in between.
      return {
        status: 200,
        body: undefined,
        stream: (out) => {
          const { page: kept, unsubscribe } = engine.journal.follow(since, (record) => out.send(record));
          for (const record of kept.events) out.send(record);
          return unsubscribe;
        },
      };
    },
  },
];

/** Open followers, so a stopping server can end them cleanly. */
export class Followers {
  private readonly open = new Set<http.ServerResponse>();

  /** Serve a streamed answer as NDJSON until the client goes or `endAll`. */
  serve(response: http.ServerResponse, stream: Stream): void {
    response.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    // Headers now, so the client knows the follow began before the first event.
    response.flushHeaders();
    this.open.add(response);
    let unsubscribe: Unsubscribe = () => {};
    let limit = Infinity;
    const done = () => {
      unsubscribe();
      this.open.delete(response);
    };
    response.once('close', done);
    unsubscribe = stream({
      send: (record) => {
        if (response.writableEnded || response.destroyed) return;
        if (response.writableLength > limit) {
          // Not reading: memory is not spent on it. It sees the stream cut and resumes with `since`.
          response.destroy();
          return;
        }
        response.write(`${JSON.stringify(record)}\n`);
      },
    });
    limit = response.writableLength + MAX_FOLLOW_BUFFER;
    if (response.destroyed) done();
  }

  /** End every stream; resolves once each has been flushed (or after `graceMs`). */
  async endAll(graceMs = 500): Promise<void> {
    const finishing = [...this.open].map(
      (response) =>
        new Promise<void>((resolve) => {
          response.once('close', () => resolve());
          response.end();
        }),
    );
    this.open.clear();
    if (finishing.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(finishing), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
  }
}
