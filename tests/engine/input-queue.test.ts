import { describe, expect, it } from 'vitest';
import { InputQueue, type QueuedInput } from '../../src/engine/input-queue.js';
import type { Input } from '../../src/engine/state.js';

/** Records what it is given; may enqueue more from inside `apply`, as a runner's effects do. */
class Recorder {
  readonly seen: string[] = [];
  onApply: ((input: Input) => void) | undefined;
  constructor(readonly name: string) {}
  apply(input: Input): void {
    this.seen.push(input.type);
    this.onApply?.(input);
  }
}

describe('InputQueue', () => {
  it('applies in order, inputs enqueued while draining join the same drain, then settle until it adds none, then the watchers', () => {
    const a = new Recorder('a');
    const order: string[] = [];
    let settles = 0;
    const queue: InputQueue<Recorder> = new InputQueue<Recorder>(() => (settles++ === 0 ? [{ runner: a, input: { type: 'deps-ready' } }] : []));
    a.onApply = (input) => {
      order.push(`apply ${input.type}`);
      if (input.type === 'start') queue.enqueue([{ runner: a, input: { type: 'stop' } }]);
    };
    queue.watch(() => {
      order.push('watcher');
      return true;
    });
    queue.enqueue([{ runner: a, input: { type: 'start', waitingOn: [] } } as QueuedInput<Recorder>]);
    expect(order).toEqual(['apply start', 'apply stop', 'apply deps-ready', 'watcher']);
    expect(settles).toBe(2);
  });

  it('until resolves at the first drain where the condition holds; a watcher that is done is asked no more', async () => {
    let flag = false;
    let asked = 0;
    const queue = new InputQueue<Recorder>(() => []);
    const done = queue.until(() => {
      asked++;
      return flag;
    });
    queue.enqueue([]);
    expect(asked).toBe(1);
    flag = true;
    queue.enqueue([]);
    await done;
    queue.enqueue([]);
    expect(asked).toBe(2);
  });
});
