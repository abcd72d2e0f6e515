/**
 * The servers `scripts/setup.sh --bench` runs on this machine for the remote repository targets
 * (scripts/services/sshd.sh and swift.sh): the bench's constants, as tests/support has its own.
 */
export const SFTP_SERVER = {
  host: '127.0.0.1',
  port: 2222,
  user: 'floe-sftp',
  /** Client key without a passphrase. */
  privateKeyFile: '/var/lib/floe-test/sshd/client_ed25519',
  /** One line: "[127.0.0.1]:2222 ssh-ed25519 AAAA...". */
  knownHostsFile: '/var/lib/floe-test/sshd/known_hosts',
  /** Below the SFTP user's home; the server's files are on this machine, so the bench measures and removes them directly. */
  benchDir: '/var/lib/floe-sftp/bench',
} as const;

/** Swift's s3api middleware: path-style buckets, tempauth's user as the access key. */
export const S3_SERVER = {
  endpoint: 'http://127.0.0.1:8080',
  region: 'us-east-1',
  accessKeyId: 'test:tester',
  secretAccessKey: 'testing',
} as const;
