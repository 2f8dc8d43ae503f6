// The start-up waterfall and its critical path.
import { span } from './format.js';
import { html } from './html.js';
import { waterfall } from './waterfall.js';

const pct = (ms, total) => `${Math.max(0, Math.min(100, (ms / total) * 100)).toFixed(2)}%`;

export function Waterfall({ state, now }) {
  const { bars, span: total, criticalPath } = waterfall(state.processes, state.hello, now);
  return html`<section class="card" aria-labelledby="waterfall-title">
    <h2 id="waterfall-title">Start-up</h2>
    ${
      bars.length === 0
        ? html`<p class="empty">Nothing started yet.</p>`
        : html`<div class="waterfall">
          ${bars.map(
            (bar) => html`<div class="wf-row ${bar.critical ? 'critical' : ''}" data-bar=${bar.name}>
              <span class="wf-name">${bar.name}</span>
              <span class="wf-track">
                <span class="wf-bar ${bar.ready === undefined ? 'pending' : ''}"
                  style=${{ left: pct(bar.start, total), width: pct((bar.ready ?? total) - bar.start, total) }}
                  title="${bar.name}: started at +${span(bar.start)}, ${bar.ready === undefined ? 'not ready' : `ready at +${span(bar.ready)} (${span(bar.ready - bar.start)})`}"></span>
              </span>
              <span class="wf-time num">${bar.ready === undefined ? 'not ready' : span(bar.ready)}</span>
            </div>`,
          )}
        </div>
        <p class="wf-path">${
          criticalPath.length
            ? html`Critical path <span class="muted">(ends last)</span>: ${criticalPath.map((name, i) => html`${i ? ' → ' : ''}<strong>${name}</strong>`)}`
            : html`<span class="muted">No process is ready yet.</span>`
        }</p>`
    }
  </section>`;
}
