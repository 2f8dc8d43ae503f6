import { describe, expect, it } from 'vitest';
import { EventBus } from '../../src/engine/event-bus.js';

describe('the event bus', () => {
  it('delivers each event once to every subscriber, in the order they subscribed', () => {
    const bus = new EventBus<number>();
    const seen: string[] = [];
    bus.subscribe((n) => seen.push(`a${n}`));
    bus.subscribe((n) => seen.push(`b${n}`));
    bus.publish(1);
    bus.publish(2);
    expect(seen).toEqual(['a1', 'b1', 'a2', 'b2']);
  });

  it('subscribe returns an unsubscribe; calling it twice is harmless; the same function twice is two subscriptions', () => {
    const bus = new EventBus<number>();
    const seen: number[] = [];
    const listener = (n: number) => seen.push(n);
    const first = bus.subscribe(listener);
    const second = bus.subscribe(listener);
    bus.publish(1);
    first();
    first();
    bus.publish(2);
    second();
    bus.publish(3);
    expect(seen).toEqual([1, 1, 2]);
    expect(bus.size).toBe(0);
  });

  it('a listener unsubscribed while an event is delivered does not get it; one subscribed then gets the next', () => {
    const bus = new EventBus<number>();
    const seen: string[] = [];
    let unsubscribeB = () => {};
    bus.subscribe((n) => {
      seen.push(`a${n}`);
      unsubscribeB();
      if (n === 1) bus.subscribe((m) => seen.push(`c${m}`));
    });
    unsubscribeB = bus.subscribe((n) => seen.push(`b${n}`));
    bus.publish(1);
    bus.publish(2);
    expect(seen).toEqual(['a1', 'a2', 'c2']);
  });

  it('a listener that throws is reported and neither stops the others nor reaches the publisher', () => {
    const errors: unknown[] = [];
    const bus = new EventBus<number>((error) => errors.push(error));
    const seen: number[] = [];
    bus.subscribe(() => {
      throw new Error('printer bug');
    });
    bus.subscribe((n) => seen.push(n));
    expect(() => bus.publish(7)).not.toThrow();
    expect(seen).toEqual([7]);
    expect(errors).toEqual([new Error('printer bug')]);
  });
});
