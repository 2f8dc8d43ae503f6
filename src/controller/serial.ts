/**
 * One task at a time, a burst coalesced: `trigger()` while the task runs asks
 * for exactly one more run after it, however many triggers came. The task
 * reads the world afresh each time (the controller re-lists the collection),
 * so the later run sees every change of the burst. Pure of I/O: the task and
 * the error sink are given.
 */
export interface Serial {
  /** Run the task soon (now if idle; once more after the current run otherwise). */
  trigger(): void;
  /** Resolves when no run is in progress nor pending. */
  idle(): Promise<void>;
  /** No run starts after this; resolves when the current one has ended. */
  close(): Promise<void>;
}

export function serial(task: () => Promise<void>, onError: (error: unknown) => void): Serial {
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;
  const waiters: (() => void)[] = [];

  const loop = async () => {
    do {
      again = false;
      try {
        await task();
      } catch (error) {
        onError(error);
      }
    } while (again && !closed);
    running = undefined;
    for (const resolve of waiters.splice(0)) resolve();
  };

  return {
    trigger() {
      if (closed) return;
      if (running) again = true;
      else running = loop();
    },
    idle: () => (running ? new Promise<void>((resolve) => waiters.push(resolve)) : Promise.resolve()),
    async close() {
      closed = true;
      await running;
    },
  };
}
