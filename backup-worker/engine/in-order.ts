/**
 * Runs `start(i)` for i from 0 to count - 1, with at most `ahead` of them started and not yet
 * taken, and yields their results in order. When the caller stops early (a break, a throw, a
 * failed one), it waits for the ones already started, whatever their outcome, so that none runs
 * on after the caller has given up; a failure of one not yet taken is never left unhandled.
 */
export async function* inOrderAhead<T>(count: number, ahead: number, start: (i: number) => Promise<T>): AsyncGenerator<T> {
  const pending: Array<Promise<T>> = [];
  let next = 0;
  const startNext = (): void => {
    if (next >= count) return;
    const started = start(next++);
    started.catch(() => undefined);
    pending.push(started);
  };
  try {
    for (let i = 0; i < ahead; i++) startNext();
    while (pending.length > 0) {
      const result = await pending[0];
      pending.shift();
      startNext();
      yield result;
    }
  } finally {
    await Promise.allSettled(pending);
  }
}
