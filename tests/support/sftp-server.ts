import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { SftpRepositoryOptions } from '../../backup-worker/repositories/sftp.js';
import { uniqueName } from './env.js';

const KEY_DIR = '/var/lib/floe-test/sshd';

/**
 * The OpenSSH server that scripts/services/sshd.sh starts for the tests (127.0.0.1:2222 only),
 * its SFTP-only user and the key files the script generated once.
 */
export const SFTP_TEST = {
  host: '127.0.0.1',
  port: 2222,
  /** The same server, whose SFTP runs in a separate sftp-server process (which a test can stop). */
  sftpServerPort: 2223,
  username: 'floe-sftp',
  /** Client key without a passphrase. */
  privateKeyPath: join(KEY_DIR, 'client_ed25519'),
  /** Client key encrypted with the passphrase in `passphrasePath`. */
  passphraseKeyPath: join(KEY_DIR, 'client_ed25519_pass'),
  passphrasePath: join(KEY_DIR, 'client_ed25519_pass.passphrase'),
  /** One line: "[127.0.0.1]:2222 ssh-ed25519 AAAA...". */
  knownHostsPath: join(KEY_DIR, 'known_hosts'),
  /** Test repositories live below this directory of the server (the user's home). */
  repositoriesDir: '/var/lib/floe-sftp/floe-tests',
} as const;

export function readSftpPassphrase(): Promise<string> {
  return readFile(SFTP_TEST.passphrasePath, 'utf8').then((text) => text.trim());
}

export function readSftpKnownHostsLine(): Promise<string> {
  return readFile(SFTP_TEST.knownHostsPath, 'utf8').then((text) => text.trim());
}

const handedOut: string[] = [];

/** Options for a repository in a fresh directory of the test server (key without passphrase). */
export async function sftpTestOptions(overrides: Partial<SftpRepositoryOptions> = {}): Promise<SftpRepositoryOptions> {
  const path = sftpTestPath('repo');
  return {
    host: SFTP_TEST.host,
    port: SFTP_TEST.port,
    username: SFTP_TEST.username,
    privateKey: await readFile(SFTP_TEST.privateKeyPath),
    hostKey: await readSftpKnownHostsLine(),
    path,
    ...overrides,
  };
}

/** A fresh directory path on the test server for a repository, removed by removeSftpTestRepositories. */
export function sftpTestPath(prefix: string): string {
  const path = join(SFTP_TEST.repositoriesDir, uniqueName(prefix));
  handedOut.push(path);
  return path;
}

/** Deletes the directories sftpTestOptions and sftpTestPath handed out (the server runs on this machine). */
export async function removeSftpTestRepositories(): Promise<void> {
  for (const path of handedOut.splice(0)) await rm(path, { recursive: true, force: true });
}
