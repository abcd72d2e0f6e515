import type { EventEmitter } from 'node:events';

/**
 * Closes an amqplib connection or channel. amqplib never settles `close()` when the socket dies
 * while it waits for the broker's close-ok, but the object still emits 'close': wait for either.
 * `close` defaults to the object's own close (a recovering connection closes its model for it).
 */
export async function closeSafely(
  target: EventEmitter & { close(): Promise<void> },
  close: () => Promise<void> = () => target.close(),
): Promise<void> {
  const closed = new Promise<void>((resolve) => target.once('close', () => resolve()));
  await Promise.race([close().catch(() => undefined), closed]);
}
