import path from 'node:path';
import { runCommand } from '../command.js';
import { BENCH_PASSWORD, type BackupLabel, type BackupTool, type ToolWorkspace } from './backup-tool.js';

/** Floe's standalone engine CLI (`dist/bin/floe-agent.js` of this checkout): encrypted, zstd. */
export class FloeAgentTool implements BackupTool {
  readonly name = 'Floe';
  readonly setup = 'floe-agent, encrypted (AES-256-GCM), zstd';
  readonly #script: string;
  readonly #env = { FLOE_REPO_PASSWORD: BENCH_PASSWORD };

  constructor(script: string) {
    this.#script = script;
  }

  async version(): Promise<string> {
    const revision = await runCommand({ argv: ['git', 'describe', '--always', '--dirty'], cwd: path.dirname(this.#script) }).catch(() => '');
    return `floe-agent ${revision.trim() || 'working tree'} (Node ${process.version})`;
  }

  init(ws: ToolWorkspace) {
    return this.#agent('init', '--repo', ws.repo, '--compression', 'zstd');
  }

  backup(ws: ToolWorkspace, image: string, label: BackupLabel) {
    return this.#agent('backup', '--repo', ws.repo, image, '--id', label);
  }

  restore(ws: ToolWorkspace, label: BackupLabel, image: string, targetDir: string) {
    const restoredFile = path.join(targetDir, path.basename(image));
    return { command: this.#agent('restore', '--repo', ws.repo, label, restoredFile), restoredFile };
  }

  #agent(...args: string[]) {
    return { argv: [process.execPath, this.#script, ...args], env: this.#env };
  }
}
