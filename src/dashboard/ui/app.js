/**
 * The dashboard page: one EventSource feeds a store (store.ts), and the whole
 * view is drawn from it at most once per animation frame, however many events
 * arrive. The token comes from the link `core dashboard` printed; it is taken
 * out of the address bar at once (screenshots, shared URLs) and kept in memory
 * only.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { cpu, duration, mib } from './format.js';
import { Guard } from './guard.js';
import { html } from './html.js';
import { applyConnection, applyHello, applyLogs, applyProcesses, applyRecord, applyReset, applyResources, initialState } from './store.js';
import { act, connect } from './stream.js';
import { toMs } from './types.js';
import { Events } from './view-events.js';
import { Logs } from './view-logs.js';
import { Problems } from './view-problems.js';
import { Processes } from './view-processes.js';
import { Waterfall } from './view-waterfall.js';

const params = new URLSearchParams(location.search);
const token = params.get('token') ?? '';
if (params.has('token')) {
  params.delete('token');
  const rest = params.toString();
  history.replaceState(null, '', `${location.pathname}${rest ? `?${rest}` : ''}${location.hash}`);
}

const state = initialState();
const APPLY = {
  hello: (data) => applyHello(state, data),
  processes: (data) => applyProcesses(state, data, Date.now()),
  logs: (data) => applyLogs(state, data),
  'logs-dropped': (data) => applyDropped(state, data),
  record: (data) => applyRecord(state, data),
  reset: () => applyReset(state),
  resources: (data) => applyResources(state, data),
};

const CONNECTION = { connecting: 'Connecting', live: 'Live', reconnecting: 'Reconnecting', offline: 'Offline' };

function Header({ now }) {
  const hello = state.hello;
  const sup = state.resources?.supervisor;
  return html`<header class="top">
    <div class="title">
      <h1>${hello?.project || 'core'}</h1>
      ${hello ? html`<span class="muted" title=${hello.root}>${hello.engine} engine · up ${duration(now - toMs(hello.started_at))}</span>` : null}
    </div>
    ${sup ? html`<span class="muted small">supervisor ${cpu(sup.cpu)} · ${mib(sup.rss_bytes)}</span>` : null}
    <span class="conn ${state.connection}" data-connection=${state.connection} role="status">${CONNECTION[state.connection]}</span>
  </header>`;
}

function Banner({ now }) {
  if (!token) return html`<p class="banner bad">This page needs the link <code>core dashboard</code> prints: it carries the dashboard's token.</p>`;
  if (state.connection === 'live' || state.connection === 'connecting') return null;
  const since = state.lastLiveAt ? ` ${duration(now - state.lastLiveAt)} ago` : '';
  return html`<p class="banner warn">Connection to the stack lost${since}: this is its last known state. ${state.connection === 'offline' ? 'Trying again…' : 'Reconnecting…'}</p>`;
}

function App({ version }) {
  const [now, setNow] = useState(Date.now());
  const [target, setTarget] = useState('');
  const [errors, setErrors] = useState([]);
  // Uptimes tick in the browser: the server sends the process list only when it changes.
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const onAction = async (action, name) => {
    const error = await act(token, action, name);
    if (error) setErrors((list) => [...list.slice(-4), { id: Date.now() + Math.random(), text: `${action} ${name}: ${error}` }]);
  };
  const onLogs = (name) => {
    setTarget(name);
    document.getElementById('logs-title')?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  };
  const at = Math.max(now, Date.now());
  return html`<${Header} now=${at} />
    <main data-version=${version}>
      <${Banner} now=${at} />
      ${errors.map(
        (e) => html`<p class="banner bad" key=${e.id} role="alert">${e.text}
          <button type="button" class="btn small" onClick=${() => setErrors((list) => list.filter((x) => x !== e))}>Dismiss</button></p>`,
      )}
      <${Guard} name="Problems"><${Problems} state=${state} onLogs=${onLogs} /><//>
      <${Guard} name="Processes"><${Processes} state=${state} now=${at} onAction=${onAction} onLogs=${onLogs} /><//>
      <div class="columns">
        <${Guard} name="Logs"><${Logs} state=${state} target=${target} onTarget=${setTarget} /><//>
        <div class="side">
          <${Guard} name="Start-up"><${Waterfall} state=${state} now=${at} /><//>
          <${Guard} name="Events"><${Events} state=${state} /><//>
        </div>
      </div>
    </main>`;
}

const root = document.getElementById('app');
/**
 * New log lines alone are drawn at most this often: a service printing
 * thousands of lines a second would otherwise have the tab repaint the log box
 * ten times a second. Anything else (a state change) is drawn at the next frame.
 */
const LOG_FRAME_MS = 250;
let version = 0;
let frame = 0;
let timer;
let lastDraw = 0;
function draw() {
  frame = 0;
  clearTimeout(timer);
  timer = undefined;
  lastDraw = performance.now();
  render(html`<${App} version=${++version} />`, root);
}
// Coalesce: a burst of events (a chatty service, a reconnect's replay) costs one render.
function schedule(logsOnly) {
  if (frame) return;
  const wait = logsOnly ? lastDraw + LOG_FRAME_MS - performance.now() : 0;
  if (wait > 0) {
    timer ??= setTimeout(() => {
      timer = undefined;
      frame ||= requestAnimationFrame(draw);
    }, wait);
    return;
  }
  frame = requestAnimationFrame(draw);
}

draw();
if (token) {
  connect(token, {
    onEvent: (type, data) => {
      APPLY[type]?.(data);
      schedule(type === 'logs');
    },
    onConnection: (connection) => {
      applyConnection(state, connection, Date.now());
      schedule(false);
    },
  });
}
