// A panel that throws (a bug, a field a newer server changed) shows its error in
// its own place; the other panels keep working, so the page is never blank
// (process-compose #129: the view must stay usable when everything crashed).
import { Component } from 'preact';
import { html } from './html.js';

export class Guard extends Component {
  componentDidCatch(error) {
    this.setState({ error: String(error?.message ?? error) });
  }

  render({ name, children }, { error }) {
    if (!error) return children;
    return html`<section class="card"><h2>${name}</h2><p class="banner bad">This panel failed: ${error}
      <button type="button" class="btn small" onClick=${() => this.setState({ error: undefined })}>Retry</button></p></section>`;
  }
}
