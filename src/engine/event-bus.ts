/**
 * A small typed publish/subscribe bus: the supervisor publishes each event once;
 * the state file, the terminal printer, the event log, `core events -f` (and
 * later metrics and the dashboard) subscribe. Hand-written rather than Node's
 * EventEmitter: one event type, an unsubscribe handle instead of `off(fn)`, and
 * a listener that throws cannot stop the others or reach the publisher (the
 * supervisor, whose death would take the stack down).
 */

export type Listener<T> = (event: T) => void;
export type Unsubscribe = () => void;

export class EventBus<T> {
  /** Copied on change, so a listener may subscribe or unsubscribe while an event is delivered. */
  private listeners: readonly Listener<T>[] = [];

  /** `onError`: told when a listener throws (the others still get the event). */
  constructor(private readonly onError: (error: unknown) => void = () => {}) {}

  /** Listeners are called in the order they subscribed. Calling the result again does nothing. */
  subscribe(listener: Listener<T>): Unsubscribe {
    // Wrapped, so the same function subscribed twice is two subscriptions with their own
    // handles, and one unsubscribed while an event is delivered does not get it afterwards.
    let active = true;
    const entry: Listener<T> = (event) => {
      if (active) listener(event);
    };
    this.listeners = [...this.listeners, entry];
    return () => {
      active = false;
      this.listeners = this.listeners.filter((l) => l !== entry);
    };
  }

  publish(event: T): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.onError(error);
      }
    }
  }

  get size(): number {
    return this.listeners.length;
  }
}
