// Failures first: what broke, why, and its last lines, before anything else.
import { html } from './html.js';
import { exitText, problems } from './problems.js';

const LABEL = { failed: 'failed', restarting: 'restarting', exited: 'exited', skipped: 'not started' };
const TAIL = 8;

function lastLines(state, proc) {
  const kept = state.logs.get(proc.name);
  if (kept?.length) return kept.slice(-TAIL).map((l) => l.line);
  return (proc.logs_tail ?? []).slice(-TAIL);
}

export function Problems({ state, onLogs }) {
  const list = problems(state.processes);
  if (list.length === 0) return null;
  return html`<section class="card problems" aria-labelledby="problems-title" role="alert">
    <h2 id="problems-title">Problems <span class="count">${list.length}</span></h2>
    ${list.map(({ proc, severity }) => {
      const lines = lastLines(state, proc);
      const exit = exitText(proc);
      return html`<article class="problem" key=${proc.name} data-problem=${proc.name}>
        <header>
          <strong>${proc.name}</strong>
          <span class="tag ${severity === 'skipped' ? 'warn' : 'bad'}">${LABEL[severity]}</span>
          ${exit ? html`<span class="muted">${exit}</span>` : null}
          ${proc.restarts ? html`<span class="muted">${proc.restarts} restart${proc.restarts === 1 ? '' : 's'}</span>` : null}
          <button type="button" class="btn small" onClick=${() => onLogs(proc.name)}>All its logs</button>
        </header>
        <dl>
          ${proc.reason ? html`<dt>Reason</dt><dd>${proc.reason}</dd>` : null}
          ${proc.last_probe_error ? html`<dt>Last probe error</dt><dd>${proc.last_probe_error}</dd>` : null}
        </dl>
        ${lines.length ? html`<pre class="tail">${lines.join('\n')}</pre>` : html`<p class="muted">It printed nothing.</p>`}
      </article>`;
    })}
  </section>`;
}
