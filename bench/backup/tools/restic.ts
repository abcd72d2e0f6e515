import path from 'node:path';
import { runCommand, type CommandSpec } from '../command.js';
import type { BenchCredentials } from '../remote/credentials.js';
import { S3_SERVER, SFTP_SERVER } from '../remote/servers.js';
import type { RepositoryLocation } from '../repository-site.js';
import { BENCH_PASSWORD, type BackupTool, type ToolWorkspace } from './backup-tool.js';

/** How restic is pointed at one repository: RESTIC_REPOSITORY, `-o` options, extra environment. */
interface ResticRepository {
  readonly url: string;
  readonly options: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** restic from Debian: encrypted, its default compression (auto: zstd), cache inside the workspace. */
export class ResticTool implements BackupTool {
  readonly name = 'restic';
  readonly setup = 'encrypted, default compression (zstd, auto)';
  readonly targets = ['local', 'sftp', 's3'] as const;
  readonly #credentials: BenchCredentials;

  constructor(credentials: BenchCredentials) {
    this.#credentials = credentials;
  }

  async version(): Promise<string> {
    return (await runCommand({ argv: ['restic', 'version'] })).trim().split(' compiled')[0];
  }

  init(ws: ToolWorkspace) {
    return this.#restic(ws, 'init');
  }

  /** The same path every time, so the second backup finds the first as its parent. */
  backup(ws: ToolWorkspace, image: string) {
    return this.#restic(ws, 'backup', '--host', 'floe-bench', image);
  }

  /** `latest` is the round's last backup; restic recreates the image's absolute path under the target. */
  restore(ws: ToolWorkspace, _label: string, image: string, targetDir: string) {
    return { command: this.#restic(ws, 'restore', 'latest', '--target', targetDir), restoredFile: path.join(targetDir, image) };
  }

  #restic(ws: ToolWorkspace, ...args: string[]): CommandSpec {
    const repository = this.#repository(ws.repo);
    const env = { RESTIC_REPOSITORY: repository.url, RESTIC_PASSWORD: BENCH_PASSWORD, RESTIC_CACHE_DIR: path.join(ws.stateDir, 'cache'), ...repository.env };
    return { argv: ['restic', '--quiet', ...repository.options, ...args], env };
  }

  #repository(repo: RepositoryLocation): ResticRepository {
    switch (repo.target) {
      case 'local':
        return { url: repo.path, options: [] };
      case 'sftp':
        return { url: `sftp:${SFTP_SERVER.user}@${SFTP_SERVER.host}:${repo.path}`, options: ['-o', `sftp.command=${sshCommand()}`] };
      case 's3':
        return { url: `s3:${S3_SERVER.endpoint}/${repo.bucket}`, options: ['-o', 's3.bucket-lookup=path', '-o', `s3.region=${S3_SERVER.region}`], env: this.#s3Credentials() };
    }
  }

  /**
   * Over plain HTTP, restic 0.14's minio-go signs every PUT as an aws-chunked stream, which Swift's
   * s3api refuses; it signs with signature V2 when its credentials come from a MinIO client
   * configuration that says "S3v2". The environment's V4 sources, which minio-go asks first, are blanked.
   */
  #s3Credentials(): Record<string, string> {
    return { MINIO_SHARED_CREDENTIALS_FILE: this.#credentials.resticS3ConfigFile, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
  }
}

/** OpenSSH's client to the bench's server: its key, its known_hosts only, never a prompt. */
function sshCommand(): string {
  const { host, port, user, privateKeyFile, knownHostsFile } = SFTP_SERVER;
  const options = [`UserKnownHostsFile=${knownHostsFile}`, 'StrictHostKeyChecking=yes', 'BatchMode=yes', 'IdentitiesOnly=yes'];
  return ['ssh', '-p', String(port), '-i', privateKeyFile, ...options.flatMap((o) => ['-o', o]), `${user}@${host}`, '-s', 'sftp'].join(' ');
}
