import { createHash, createHmac } from 'node:crypto';
import { Blake3Hasher, blake3 } from '@napi-rs/blake-hash';
import type { ChunkIdHash } from './repo-config.js';

/** Computes a chunk's 32-byte id from its plaintext; keyed with the MAC key when there is one. */
export type ChunkIdFunction = (plain: Buffer) => Buffer;

/**
 * BLAKE3 (keyed mode) for new repositories: over three times the speed of HMAC-SHA-256 here (with
 * SHA-NI), and every backup, incremental and restore hashes each chunk. SHA-256 (HMAC when keyed)
 * opens format-1 repositories. Both run on the calling thread: the input is hashed in place.
 */
export function chunkIdFunction(hash: ChunkIdHash, macKey: Buffer | undefined): ChunkIdFunction {
  if (hash === 'blake3') return macKey ? (plain) => Blake3Hasher.newKeyed(macKey).update(plain).digestBuffer() : (plain) => blake3(plain);
  return macKey ? (plain) => createHmac('sha256', macKey).update(plain).digest() : (plain) => createHash('sha256').update(plain).digest();
}
