// Live logs, one process or all merged: search (filters and highlights), follow, copy.
import { Component } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { clock } from './format.js';
import { html } from './html.js';
import { filterLines, highlight, plainText } from './log-filter.js';

/** Lines drawn at most; search and copy still cover every line kept. */
const DRAWN = 1500;
/** Within this many pixels of the bottom counts as "at the bottom" (follow resumes). */
const SLACK = 24;

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * One line, drawn once: a line never changes, so a new batch costs only its own
 * lines, not a redraw of the 1500 in view (a chatty service prints thousands a second).
 */
class Line extends Component {
  shouldComponentUpdate(next) {
    const p = this.props;
    return next.line !== p.line || next.query !== p.query || next.merged !== p.merged || next.timed !== p.timed;
  }

  render({ line, query, merged, timed }) {
    return html`<div class="line ${line.stream === 'stderr' ? 'err' : ''}">
      ${timed ? html`<span class="at" aria-hidden="true">${clock(line.at)}</span>` : null}
      ${merged ? html`<span class="who" aria-hidden="true">${line.name}</span>` : null}
      <span class="text">${highlight(line.line, query).map((s) => (s.hit ? html`<mark>${s.text}</mark>` : s.text))}</span>
    </div>`;
  }
}

export function Logs({ state, target, onTarget }) {
  const [query, setQuery] = useState('');
  const [follow, setFollow] = useState(true);
  const [copied, setCopied] = useState('');
  const box = useRef(null);
  const merged = target === '';
  const names = state.processes.map((p) => p.name);

  const shown = useMemo(() => filterLines(merged ? state.merged : (state.logs.get(target) ?? []), query), [state.logsVersion, state.logs, target, query]);
  const drawn = shown.length > DRAWN ? shown.slice(-DRAWN) : shown;
  // The lines sent on connect carry no time (the server's ring keeps none): no empty column while none has one.
  const timed = drawn.some((line) => line.at !== undefined);

  // Where following last put the view: a scroll above it is the user's, one at it is ours.
  const pinned = useRef(0);
  useLayoutEffect(() => {
    const el = box.current;
    if (!follow || !el) return;
    el.scrollTop = el.scrollHeight;
    pinned.current = el.scrollTop;
  });
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(''), 2000);
    return () => clearTimeout(timer);
  }, [copied]);

  // Follow pauses only when the user scrolls up, not when lines grew or wrapped under the view
  // (then it catches up), and resumes when they scroll back to the bottom.
  const onScroll = () => {
    const el = box.current;
    if (el.scrollHeight - el.scrollTop - el.clientHeight <= SLACK) {
      if (!follow) setFollow(true);
    } else if (el.scrollTop < pinned.current - 1) {
      if (follow) setFollow(false);
    } else if (follow) {
      el.scrollTop = el.scrollHeight;
      pinned.current = el.scrollTop;
    }
  };
  const copy = async () => setCopied((await copyText(plainText(shown, merged))) ? `Copied ${shown.length} lines` : 'Copy failed');

  return html`<section class="card logs" aria-labelledby="logs-title">
    <h2 id="logs-title">Logs</h2>
    <div class="toolbar">
      <select aria-label="Logs of" value=${target} onChange=${(e) => onTarget(e.currentTarget.value)}>
        <option value="">All processes (merged)</option>
        ${names.map((name) => html`<option value=${name}>${name}</option>`)}
      </select>
      <input type="search" placeholder="Search the logs" aria-label="Search the logs" value=${query} onInput=${(e) => setQuery(e.currentTarget.value)} />
      <label class="check"><input type="checkbox" checked=${follow} onChange=${(e) => setFollow(e.currentTarget.checked)} /> Follow</label>
      <button type="button" class="btn" onClick=${copy} disabled=${shown.length === 0}>Copy</button>
      <span class="muted status" aria-live="polite">${copied || `${shown.length} line${shown.length === 1 ? '' : 's'}${shown.length > DRAWN ? ` (last ${DRAWN} shown)` : ''}${state.droppedLines ? `, ${state.droppedLines} dropped by the server` : ''}`}</span>
    </div>
    <div class="log-box" ref=${box} onScroll=${onScroll} data-testid="log-lines">
      ${drawn.length ? drawn.map((line) => html`<${Line} key=${line.id} line=${line} query=${query} merged=${merged} timed=${timed} />`) : html`<p class="empty">${query ? 'No line matches.' : 'No output yet.'}</p>`}
    </div>
  </section>`;
}
