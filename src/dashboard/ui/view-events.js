// The event log: the journal's records, newest first.
import { clock } from './format.js';
import { html } from './html.js';

const DRAWN = 300;
const TONE = { exited: 'bad', failed: 'bad', 'reload-failed': 'bad', killing: 'bad', probe: 'warn', 'restart-scheduled': 'warn', skipped: 'warn', ready: 'ok', completed: 'ok' };

export function Events({ state }) {
  const records = state.records.slice(0, DRAWN);
  return html`<section class="card events" aria-labelledby="events-title">
    <h2 id="events-title">Events <span class="count">${state.records.length}</span></h2>
    ${state.missedRecords ? html`<p class="muted">Older events were dropped while the page was away.</p>` : null}
    ${
      records.length === 0
        ? html`<p class="empty">No events yet.</p>`
        : html`<div class="event-box"><table class="event-table">
          <tbody>${records.map(
            (r) => html`<tr key=${r.seq} data-seq=${r.seq}>
              <td class="at">${clock(Date.parse(r.time))}</td>
              <td class="who">${r.process ?? 'stack'}</td>
              <td><span class="tag ${TONE[r.type] ?? 'idle'}">${r.type}</span></td>
              <td class="what">${[r.reason, r.message].filter(Boolean).join(' · ')}${r.from && r.to && r.from !== r.to ? html` <span class="muted">${r.from} → ${r.to}</span>` : null}</td>
            </tr>`,
          )}</tbody>
        </table></div>`
    }
  </section>`;
}
