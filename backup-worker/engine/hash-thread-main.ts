import { createHash, createHmac } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import type { HashReply, HashRequest } from './hash-thread.js';

/** The second hashing thread: digests the bytes it is lent and hands them back, never copying them. */
parentPort!.on('message', ({ seq, key, bytes, offset, length }: HashRequest) => {
  const hash = key ? createHmac('sha256', key) : createHash('sha256');
  const digest = hash.update(new Uint8Array(bytes, offset, length)).digest();
  const reply: HashReply = { seq, digest, bytes, offset, length };
  parentPort!.postMessage(reply, [bytes]);
});
