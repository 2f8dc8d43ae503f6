/**
 * Who may ask the dashboard anything. Pure: a request's method, URL and
 * headers against the token and port, to nothing (let it through) or a refusal.
 * - Host must name this listener (127.0.0.1:<port> or localhost:<port>): a page
 *   on a DNS name rebound to 127.0.0.1 sends its own name and is refused.
 * - Every request carries the token: `?token=` on a GET (a browser cannot put a
 *   header on a page load or an EventSource), the `x-core-token` header on a
 *   POST. A POST with the token only in its URL is refused, so a cross-site
 *   form or link that learnt the URL still cannot act; a cross-site script
 *   cannot set the header without a CORS preflight, which is never granted.
 * - An Origin header, when sent, must be this listener's own.
 */
import { sameToken } from './token.js';

export interface Refusal {
  readonly status: 401 | 403 | 405;
  readonly error: string;
}

export interface RequestLine {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

const one = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

export function allowedHosts(port: number): readonly string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/** The Host and Origin checks alone (the one-time opening link, open-codes.ts, has no token yet). */
export function refuseOrigin(headers: RequestLine['headers'], port: number): Refusal | undefined {
  const hosts = allowedHosts(port);
  const host = one(headers.host)?.toLowerCase();
  if (host === undefined || !hosts.includes(host)) return { status: 403, error: `Host ${JSON.stringify(host ?? '')} is not this dashboard (${hosts.join(' or ')})` };
  const origin = one(headers.origin);
  if (origin !== undefined && !hosts.some((h) => origin.toLowerCase() === `http://${h}`)) return { status: 403, error: 'cross-origin requests are not allowed' };
  return undefined;
}

export function refuse({ method, url, headers }: RequestLine, token: string, port: number): Refusal | undefined {
  const wrongOrigin = refuseOrigin(headers, port);
  if (wrongOrigin) return wrongOrigin;
  if (method === 'GET' || method === 'HEAD') {
    const given = url.searchParams.get('token') ?? one(headers['x-core-token']);
    return sameToken(given ?? undefined, token) ? undefined : { status: 401, error: 'a valid token is needed: open the URL `core dashboard` prints' };
  }
  if (method === 'POST') {
    if (sameToken(one(headers['x-core-token']), token)) return undefined;
    const inQuery = url.searchParams.has('token');
    return { status: 401, error: inQuery ? 'a POST takes the token in the x-core-token header, not in the URL' : 'a valid token is needed in the x-core-token header' };
  }
  return { status: 405, error: `${method.slice(0, 16)} is not allowed` };
}
