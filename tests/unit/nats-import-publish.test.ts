/**
 * The import's publish to a stream just created on a cluster
 * (src/services/nats-migrate/import.ts publishToNewStream): "no responders"
 * (nothing stored) is sent again until the stream is reachable; any other
 * error, a timeout above all (the message may be stored), is not.
 */
import type { PubAck } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { publishToNewStream } from '../../src/services/nats-migrate/import.js';

const noResponders = () => Object.assign(new Error('jetstream is not enabled'), { cause: { isNoResponders: () => true } });
const ack = { stream: 'S', seq: 1, duplicate: false } as PubAck;

function fakeJs(failures: (() => Error)[]) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    publish: async () => {
      const fail = failures[calls++];
      if (fail) throw fail();
      return ack;
    },
  };
}

describe('publishToNewStream', () => {
  it('sends again while the stream is not reachable yet (no responders), then takes the ack', async () => {
    const js = fakeJs([noResponders, noResponders, noResponders]);
    expect(await publishToNewStream(js as never, 's.x', new Uint8Array(), {})).toBe(ack);
    expect(js.calls).toBe(4);
  });

  it('does not send a timed-out message again: it may be stored', async () => {
    const js = fakeJs([() => Object.assign(new Error('timeout'), { name: 'TimeoutError' })]);
    await expect(publishToNewStream(js as never, 's.x', new Uint8Array(), {})).rejects.toThrow('timeout');
    expect(js.calls).toBe(1);
  });
});
