import { setTimeout as sleep } from 'node:timers/promises';

/**
 * What `promise` settles to, its value or its rejection's reason, within `ms`; a clear failure when
 * it is still pending then (a hang shows as such, not as mocha's timeout of the whole test).
 */
export async function outcomeWithin(promise: Promise<unknown>, ms: number): Promise<unknown> {
  const pending = Symbol('pending');
  const outcome = await Promise.race([promise.catch((err: unknown) => err), sleep(ms, pending, { ref: false })]);
  if (outcome === pending) throw new Error(`still pending after ${ms} ms`);
  return outcome;
}
