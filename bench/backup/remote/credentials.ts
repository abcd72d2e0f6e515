import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BENCH_PASSWORD } from '../tools/backup-tool.js';
import { S3_SERVER, SFTP_SERVER } from './servers.js';

/** The secrets the tools are given as files (mode 0600), and the SFTP server's host key. */
export interface BenchCredentials {
  /** BENCH_PASSWORD, for floe-agent's --password-file. */
  readonly passwordFile: string;
  /** The S3 secret key, which Floe's repository configuration only references. */
  readonly s3SecretKeyFile: string;
  /** restic's S3 credentials as a MinIO client configuration: signature V2 (see tools/restic.ts). */
  readonly resticS3ConfigFile: string;
  /** The known_hosts line of the SFTP server. */
  readonly sftpHostKey: string;
}

/** Writes the credential files into `dir` (created) and reads the SFTP host key. */
export async function writeBenchCredentials(dir: string): Promise<BenchCredentials> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const credentials: BenchCredentials = {
    passwordFile: path.join(dir, 'repository-password'),
    s3SecretKeyFile: path.join(dir, 's3-secret-key'),
    resticS3ConfigFile: path.join(dir, 'restic-s3.json'),
    sftpHostKey: await readSftpHostKey(),
  };
  await secretFile(credentials.passwordFile, `${BENCH_PASSWORD}\n`);
  await secretFile(credentials.s3SecretKeyFile, S3_SERVER.secretAccessKey);
  await secretFile(credentials.resticS3ConfigFile, JSON.stringify(minioClientConfig()));
  return credentials;
}

async function readSftpHostKey(): Promise<string> {
  const text = await readFile(SFTP_SERVER.knownHostsFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new Error(`cannot read the SFTP server's host key ${SFTP_SERVER.knownHostsFile} (${err.code ?? err.message}): run scripts/setup.sh --bench`);
  });
  return text.trim();
}

/** The alias `s3` (minio-go's default) with the API "S3v2": minio-go then signs with signature V2. */
function minioClientConfig(): unknown {
  const { endpoint: url, accessKeyId: accessKey, secretAccessKey: secretKey } = S3_SERVER;
  return { version: '10', aliases: { s3: { url, accessKey, secretKey, api: 'S3v2', path: 'on' } } };
}

function secretFile(file: string, content: string): Promise<void> {
  return writeFile(file, content, { mode: 0o600 });
}
