import path from 'node:path';
import { runCommand } from '../command.js';
import { BENCH_PASSWORD, type BackupTool, type ToolWorkspace } from './backup-tool.js';

/** restic from Debian: encrypted, its default compression (auto: zstd), cache inside the workspace. */
export class ResticTool implements BackupTool {
  readonly name = 'restic';
  readonly setup = 'encrypted, default compression (zstd, auto)';

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

  #restic(ws: ToolWorkspace, ...args: string[]) {
    const env = { RESTIC_REPOSITORY: ws.repo, RESTIC_PASSWORD: BENCH_PASSWORD, RESTIC_CACHE_DIR: path.join(ws.stateDir, 'cache') };
    return { argv: ['restic', '--quiet', ...args], env };
  }
}
