import path from 'node:path';
import { runCommand, type CommandSpec } from '../command.js';
import type { BenchCredentials } from '../remote/credentials.js';
import { S3_SERVER, SFTP_SERVER } from '../remote/servers.js';
import type { RepositoryLocation } from '../repository-site.js';
import type { BackupLabel, BackupTool, ToolWorkspace } from './backup-tool.js';

/** How floe-agent is pointed at one repository: its options and any extra environment. */
interface AgentRepository {
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Floe's standalone engine CLI (`dist/bin/floe-agent.js` of this checkout): encrypted, zstd. A local
 * repository is given by `--repo`; a remote one is configured as the service configures it
 * (FLOE_BACKUP_REPOSITORIES) and named by `--repository`. The secret is always `--password-file`.
 */
export class FloeAgentTool implements BackupTool {
  readonly name = 'Floe';
  readonly setup = 'floe-agent, encrypted (AES-256-GCM), zstd';
  readonly targets = ['local', 'sftp', 's3'] as const;
  readonly #script: string;
  readonly #credentials: BenchCredentials;

  constructor(script: string, credentials: BenchCredentials) {
    this.#script = script;
    this.#credentials = credentials;
  }

  async version(): Promise<string> {
    const revision = await runCommand({ argv: ['git', 'describe', '--always', '--dirty'], cwd: path.dirname(this.#script) }).catch(() => '');
    return `floe-agent ${revision.trim() || 'working tree'} (Node ${process.version})`;
  }

  init(ws: ToolWorkspace) {
    return this.#agent(ws, 'init', '--compression', 'zstd');
  }

  backup(ws: ToolWorkspace, image: string, label: BackupLabel) {
    return this.#agent(ws, 'backup', image, '--id', label);
  }

  restore(ws: ToolWorkspace, label: BackupLabel, image: string, targetDir: string) {
    const restoredFile = path.join(targetDir, path.basename(image));
    return { command: this.#agent(ws, 'restore', label, restoredFile), restoredFile };
  }

  #agent(ws: ToolWorkspace, command: string, ...args: string[]): CommandSpec {
    const repository: AgentRepository = ws.repo.target === 'local' ? { args: ['--repo', ws.repo.path] } : this.#configured(ws.repo);
    const secret = ['--password-file', this.#credentials.passwordFile];
    // Run as its command (the build makes it executable), as a user runs it: its #! line sets up the process.
    return { argv: [this.#script, command, ...repository.args, ...secret, ...args], env: repository.env };
  }

  /** The one-entry FLOE_BACKUP_REPOSITORIES of a remote repository, and its name. */
  #configured(repo: Exclude<RepositoryLocation, { target: 'local' }>): AgentRepository {
    const name = `bench-${repo.target}`;
    const entry = { name, ...(repo.target === 'sftp' ? this.#sftpEntry(repo.path) : this.#s3Entry(repo.bucket)) };
    return { args: ['--repository', name], env: { FLOE_BACKUP_REPOSITORIES: JSON.stringify([entry]) } };
  }

  #sftpEntry(dir: string) {
    const { host, port, user, privateKeyFile } = SFTP_SERVER;
    return { type: 'sftp', host, port, user, path: dir, hostKey: this.#credentials.sftpHostKey, privateKeyFile };
  }

  #s3Entry(bucket: string) {
    const { endpoint, region, accessKeyId } = S3_SERVER;
    return { type: 's3', endpoint, region, bucket, forcePathStyle: true, accessKeyId, secretAccessKey: { file: this.#credentials.s3SecretKeyFile } };
  }
}
