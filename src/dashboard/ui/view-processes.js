// Every process grouped by service, with its actions.
import { useState } from 'preact/hooks';
import { cpu, duration, mib } from './format.js';
import { html } from './html.js';
import { byService, uptimeMs } from './store.js';

const TONE = {
  Running: 'ok',
  Launched: 'ok',
  Launching: 'busy',
  Pending: 'idle',
  Restarting: 'warn',
  Terminating: 'busy',
  Completed: 'idle',
  Skipped: 'warn',
  Error: 'bad',
  Disabled: 'idle',
};

/** Not running, but about to: a stop cancels that (a restart loop, a wait for a dependency). */
const WAITING = new Set(['Restarting', 'Pending', 'Launching']);

function health(proc) {
  if (proc.is_ready === 'Ready') return html`<span class="tag ok">healthy</span>`;
  if (proc.is_ready === 'Not Ready') return html`<span class="tag ${proc.is_running ? 'warn' : 'idle'}" title=${proc.last_probe_error ?? ''}>not ready</span>`;
  return html`<span class="muted">–</span>`;
}

function ports(proc) {
  const list = proc.ports ?? [];
  if (!list.length) return html`<span class="muted">–</span>`;
  return list.map((p) =>
    p.url ? html`<a class="port" href=${p.url} target="_blank" rel="noopener noreferrer" title=${p.name}>${p.port}</a>` : html`<span class="port" title=${p.name}>${p.port}</span>`,
  );
}

function Actions({ proc, onAction }) {
  const [busy, setBusy] = useState('');
  const run = async (action) => {
    setBusy(action);
    await onAction(action, proc.name);
    setBusy('');
  };
  const button = (action, label, disabled) =>
    html`<button type="button" class="btn" data-action=${action} aria-label="${action} ${proc.name}" disabled=${disabled || busy !== ''} onClick=${() => run(action)}>
      ${busy === action ? '…' : label}
    </button>`;
  return html`<div class="actions">
    ${button('start', 'Start', proc.is_running)} ${button('restart', 'Restart', false)} ${button('stop', 'Stop', !proc.is_running && !WAITING.has(proc.status))}
  </div>`;
}

function Row({ state, proc, now, grouped, onAction, onLogs }) {
  const usage = state.resources?.processes?.[proc.name];
  return html`<tr data-process=${proc.name} class=${grouped ? 'in-group' : ''}>
    <td class="name"><button type="button" class="link" title="Show its logs" onClick=${() => onLogs(proc.name)}>${proc.name}</button></td>
    <td data-field="status"><span class="dot ${TONE[proc.status] ?? 'idle'}"></span>${proc.status}</td>
    <td data-field="health">${health(proc)}</td>
    <td class="num" data-field="pid">${proc.pid || '–'}</td>
    <td class="num" data-field="restarts">${proc.restarts}</td>
    <td class="num" data-field="uptime">${duration(uptimeMs(state, proc, now))}</td>
    <td class="num" data-field="cpu">${proc.is_running ? cpu(usage?.cpu) : '–'}</td>
    <td class="num" data-field="memory">${proc.is_running ? mib(usage?.rss_bytes) : '–'}</td>
    <td data-field="ports">${ports(proc)}</td>
    <td><${Actions} proc=${proc} onAction=${onAction} /></td>
  </tr>`;
}

export function Processes({ state, now, onAction, onLogs }) {
  const groups = byService(state.processes);
  return html`<section class="card" aria-labelledby="processes-title">
    <h2 id="processes-title">Processes <span class="count">${state.processes.length}</span></h2>
    ${
      groups.length === 0
        ? html`<p class="empty">${state.hello ? 'No processes in this stack.' : 'Waiting for the stack…'}</p>`
        : html`<div class="scroll-x"><table class="procs">
          <thead><tr><th>Process</th><th>State</th><th>Health</th><th class="num">PID</th><th class="num">Restarts</th><th class="num">Uptime</th><th class="num">CPU</th><th class="num">Memory</th><th>Ports</th><th></th></tr></thead>
          ${groups.map((group) => {
            const single = group.processes.length === 1 && group.processes[0].name === group.service;
            return html`<tbody key=${group.service} data-service=${group.service}>
              ${single ? null : html`<tr class="group"><th colspan="10">${group.service}</th></tr>`}
              ${group.processes.map((proc) => html`<${Row} key=${proc.name} state=${state} proc=${proc} now=${now} grouped=${!single} onAction=${onAction} onLogs=${onLogs} />`)}
            </tbody>`;
          })}
        </table></div>`
    }
  </section>`;
}
