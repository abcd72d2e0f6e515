import path from 'node:path';
import type { CommandSpec } from '../command.js';
import type { RepositoryLocation, RepositoryTarget } from '../repository-site.js';

/** The two backups of a round: the full one, then the one after the dataset's mutation. */
export type BackupLabel = 'full' | 'incremental';

/** Where one tool keeps its state in a round: its repository and, in `stateDir`, any cache. */
export interface ToolWorkspace {
  /** Everything the tool writes on this machine besides restores; warmed before each step. */
  readonly stateDir: string;
  readonly repo: RepositoryLocation;
}

/** The directory of a local repository: `repo/` in the tool's `stateDir`. */
export function localRepositoryDir(stateDir: string): string {
  return path.join(stateDir, 'repo');
}

/** A tool's workspace in `stateDir` with a local repository. */
export function toolWorkspace(stateDir: string): ToolWorkspace {
  return { stateDir, repo: { target: 'local', path: localRepositoryDir(stateDir) } };
}

/** What restoring a backup runs and which file it produces. */
export interface RestorePlan {
  readonly command: CommandSpec;
  readonly restoredFile: string;
}

/**
 * One backup program as the bench drives it: each method only says which command to run, the bench
 * runs and measures it. `image` is an absolute path to the volume image.
 */
export interface BackupTool {
  readonly name: string;
  /** How the tool is configured in this bench, for the report (e.g. "encrypted, zstd"). */
  readonly setup: string;
  /** The repository targets the bench runs it on. */
  readonly targets: readonly RepositoryTarget[];
  version(): Promise<string>;
  init(ws: ToolWorkspace): CommandSpec;
  backup(ws: ToolWorkspace, image: string, label: BackupLabel): CommandSpec;
  /** Restores the backup `label` (the latest one of the round) into the empty directory `targetDir`. */
  restore(ws: ToolWorkspace, label: BackupLabel, image: string, targetDir: string): RestorePlan;
}

/** The repository password of the encrypted tools: the bench's own, never a real secret. */
export const BENCH_PASSWORD = 'floe-bench-password';
