/**
 * The page's one connection: an EventSource on /api/stream. The browser
 * reconnects by itself after a network error and sends Last-Event-ID (the
 * server replays the records after it). It gives up on an HTTP error (a
 * supervisor that went away and came back answers 401 to the old token, a 5xx);
 * then we open a new one every few seconds, resuming with `?since=`.
 */
const EVENTS = ['hello', 'processes', 'logs', 'logs-dropped', 'record', 'resources', 'reset'];

export function connect(token, { onEvent, onConnection }) {
  let lastSeq;
  let delay = 1000;
  const open = () => {
    const query = new URLSearchParams({ token });
    if (lastSeq) query.set('since', lastSeq);
    const source = new EventSource(`/api/stream?${query}`);
    source.onopen = () => {
      delay = 1000;
      onConnection('live');
    };
    source.onerror = () => {
      if (source.readyState !== EventSource.CLOSED) return onConnection('reconnecting');
      onConnection('offline');
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 10_000);
    };
    for (const type of EVENTS) {
      source.addEventListener(type, (event) => {
        let data;
        try {
          data = JSON.parse(event.data);
        } catch {
          return; // a malformed event is skipped, never the end of the page
        }
        if (type === 'record' && event.lastEventId) lastSeq = event.lastEventId;
        onEvent(type, data);
      });
    }
  };
  open();
}

/** POST /api/process/<action>/<name>; resolves to undefined or an error message. */
export async function act(token, action, name) {
  try {
    const response = await fetch(`/api/process/${action}/${encodeURIComponent(name)}`, { method: 'POST', headers: { 'x-core-token': token } });
    if (response.ok) return undefined;
    const body = await response.json().catch(() => ({}));
    return body.error || `${response.status} ${response.statusText}`;
  } catch (error) {
    return `the dashboard did not answer (${error.message})`;
  }
}
