import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { runCommand } from './command.js';

/** The shared benchmark data scripts (`../shared/bench` beside the repository, as CI clones it). */
export interface BenchScripts {
  readonly makeDataset: string;
  readonly mutate: string;
}

export const IMAGE_NAME = 'volume.img';

export async function findBenchScripts(repoRoot: string): Promise<BenchScripts> {
  const dir = path.resolve(repoRoot, '..', 'shared', 'bench');
  const scripts = { makeDataset: path.join(dir, 'make-dataset.sh'), mutate: path.join(dir, 'mutate.sh') };
  try {
    await Promise.all([access(scripts.makeDataset), access(scripts.mutate)]);
  } catch {
    throw new Error(`the benchmark data scripts are missing: expected ${dir}/make-dataset.sh and mutate.sh (shared/ checked out beside the repository)`);
  }
  return scripts;
}

/** Builds the dataset in `dir` unless it is already there, unmutated and of this size (make-dataset.sh decides). */
export async function ensureDataset(scripts: BenchScripts, dir: string, volumeMib: number): Promise<void> {
  await runCommand({ argv: ['bash', scripts.makeDataset, dir, '--volume-mib', String(volumeMib)] });
}

/**
 * A private copy of the dataset for one round (mutate.sh changes it and refuses a second run):
 * a sparse copy, so the holes stay holes, and about 1.5 s for the 1 GiB dataset.
 */
export async function copyDataset(from: string, to: string): Promise<void> {
  await runCommand({ argv: ['cp', '-a', '--sparse=always', `${from}/.`, to] });
}

/** Applies mutate.sh to the copy; returns how many bytes of the image it rewrote (mutation.json). */
export async function mutateDataset(scripts: BenchScripts, dir: string): Promise<number> {
  await runCommand({ argv: ['bash', scripts.mutate, dir] });
  const mutation = JSON.parse(await readFile(path.join(dir, 'mutation.json'), 'utf8')) as { volume_bytes_written?: unknown };
  if (typeof mutation.volume_bytes_written !== 'number') throw new Error(`${dir}/mutation.json has no volume_bytes_written`);
  return mutation.volume_bytes_written;
}
