import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const SEAL_OVERHEAD = NONCE_BYTES + TAG_BYTES;

/** AES-256-GCM with a fresh random nonce: nonce || ciphertext || tag. `parts` are encrypted in order. */
export function seal(key: Buffer, parts: readonly Buffer[], aad?: Buffer): Buffer {
  const plainLength = parts.reduce((sum, p) => sum + p.length, 0);
  const out = Buffer.allocUnsafe(SEAL_OVERHEAD + plainLength);
  sealInto(key, parts, out, aad);
  return out;
}

/** As `seal`, written into `out` (exactly SEAL_OVERHEAD + the parts' length bytes) instead of a new buffer. */
export function sealInto(key: Buffer, parts: readonly Buffer[], out: Buffer, aad?: Buffer): void {
  const nonce = randomFillSync(out.subarray(0, NONCE_BYTES));
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  if (aad) cipher.setAAD(aad);
  let at = NONCE_BYTES;
  for (const part of parts) at += cipher.update(part).copy(out, at);
  at += cipher.final().copy(out, at);
  cipher.getAuthTag().copy(out, at);
}

/** The plaintext, or undefined when the key is wrong or the bytes were altered. */
export function unseal(key: Buffer, sealed: Buffer, aad?: Buffer): Buffer | undefined {
  if (sealed.length < SEAL_OVERHEAD) return undefined;
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES));
  if (aad) decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  const body = decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES));
  try {
    const tail = decipher.final();
    return tail.length === 0 ? body : Buffer.concat([body, tail]);
  } catch {
    return undefined;
  }
}
