/**
 * The supervisor's single input queue: inputs are applied one at a time, in
 * order, until none is left and `settle` adds none; then the watchers (waitReady,
 * stop, an apply's stop set) are asked once whether they are done. An input
 * enqueued while draining (from a runner's effect) joins the same drain.
 */
import type { Input } from './state.js';

export interface QueuedInput<R> {
  readonly runner: R;
  readonly input: Input;
}

/** True when done: the watcher is then dropped. */
export type Watcher = () => boolean;

export class InputQueue<R extends { apply(input: Input): void }> {
  private readonly items: QueuedInput<R>[] = [];
  private draining = false;
  private watchers: Watcher[] = [];

  /** `settle`: the inputs the states call for once the queue is empty (releases, skips, stops). */
  constructor(private readonly settle: () => readonly QueuedInput<R>[]) {}

  enqueue(items: readonly QueuedInput<R>[]): void {
    this.items.push(...items);
    if (this.draining) return;
    this.draining = true;
    try {
      do {
        for (let item = this.items.shift(); item; item = this.items.shift()) item.runner.apply(item.input);
        this.items.push(...this.settle());
      } while (this.items.length > 0);
    } finally {
      this.draining = false;
    }
    this.watchers = this.watchers.filter((done) => !done());
  }

  /** Asked after every drain until it returns true. */
  watch(watcher: Watcher): void {
    this.watchers.push(watcher);
  }

  /** Resolves after the first drain at which `done()` holds. */
  until(done: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      this.watch(() => {
        if (!done()) return false;
        resolve();
        return true;
      });
    });
  }
}
