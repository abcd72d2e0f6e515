/** Pinning an SSH server's host key: a known_hosts line or an OpenSSH SHA256 fingerprint. */
import { createHash } from 'node:crypto';
import type { ServerHostKeyAlgorithm } from 'ssh2';
import { RepositoryAccessError } from './repository.js';

/** Host key algorithms to offer for a pinned key type (an RSA key signs with any of three). */
export const HOST_KEY_ALGORITHMS: Readonly<Record<string, ServerHostKeyAlgorithm[]>> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

export interface HostKeyPin {
  readonly fingerprint: string;
  /** Known for a known_hosts line: the server is then asked for that key type only. */
  readonly keyType?: string;
}

/** OpenSSH's notation: "SHA256:" and the unpadded base64 SHA-256 of the key blob. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Accepts "SHA256:<43 chars>" or a known_hosts line; only the key is pinned, not the host field. */
export function parseHostKeyPin(pin: string, server: string): HostKeyPin {
  const text = pin.trim();
  if (/^SHA256:[A-Za-z0-9+/]{43}$/.test(text)) return { fingerprint: text };
  const fields = text.split(/\s+/);
  const at = fields.findIndex((f) => Object.hasOwn(HOST_KEY_ALGORITHMS, f));
  const blob = at === 0 || at === 1 ? Buffer.from(fields[at + 1] ?? '', 'base64') : Buffer.alloc(0);
  if (blob.length < 4 || blob.subarray(4, 4 + blob.readUInt32BE(0)).toString('latin1') !== fields[at]) {
    throw new RepositoryAccessError(
      `The host key pinned for SSH server ${server} is neither a known_hosts line ` +
        `("[host]:port ssh-ed25519 AAAA...") nor an OpenSSH fingerprint ("SHA256:...").`,
    );
  }
  return { fingerprint: fingerprintOf(blob), keyType: fields[at] };
}

