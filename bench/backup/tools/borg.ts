import path from 'node:path';
import { runCommand } from '../command.js';
import type { BackupLabel, BackupTool, ToolWorkspace } from './backup-tool.js';

/**
 * Borg from Debian, `--encryption none`, its default compression (lz4); cache and keys inside the
 * workspace. Local repositories only: a remote one needs Borg on the server, not an SFTP or S3 server.
 */
export class BorgTool implements BackupTool {
  readonly name = 'Borg';
  readonly setup = 'no encryption, default compression (lz4)';
  readonly targets = ['local'] as const;

  async version(): Promise<string> {
    return (await runCommand({ argv: ['borg', '--version'] })).trim();
  }

  init(ws: ToolWorkspace) {
    return this.#borg(ws, undefined, 'init', '--encryption', 'none', repoPath(ws));
  }

  /** Archived by its name from inside its directory, so the restore recreates just that name. */
  backup(ws: ToolWorkspace, image: string, label: BackupLabel) {
    return this.#borg(ws, path.dirname(image), 'create', `${repoPath(ws)}::${label}`, path.basename(image));
  }

  restore(ws: ToolWorkspace, label: BackupLabel, image: string, targetDir: string) {
    const command = this.#borg(ws, targetDir, 'extract', '--sparse', `${repoPath(ws)}::${label}`);
    return { command, restoredFile: path.join(targetDir, path.basename(image)) };
  }

  #borg(ws: ToolWorkspace, cwd: string | undefined, ...args: string[]) {
    const env = { BORG_BASE_DIR: path.join(ws.stateDir, 'home'), BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'yes' };
    return { argv: ['borg', ...args], env, cwd };
  }
}

function repoPath(ws: ToolWorkspace): string {
  if (ws.repo.target !== 'local') throw new Error(`Borg runs on local repositories only, not on ${ws.repo.target}`);
  return ws.repo.path;
}
