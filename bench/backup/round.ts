import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage } from '../../common/errors.js';
import { runCommand, runTimed, type Usage } from './command.js';
import { IMAGE_NAME, copyDataset, mutateDataset, type BenchScripts } from './dataset.js';
import { assertIdentical, settleAndWarm } from './files.js';
import { repositorySite, type RepositorySite, type RepositoryTarget } from './repository-site.js';
import { localRepositoryDir, type BackupLabel, type BackupTool, type ToolWorkspace } from './tools/backup-tool.js';

export const STEPS = ['full backup', 'incremental', 'restore'] as const;
export type Step = (typeof STEPS)[number];

/** One tool with its repository on one target: what a round measures. */
export interface Contender {
  readonly tool: BackupTool;
  readonly target: RepositoryTarget;
}

/** One measured step of one tool on one target in one round. */
export interface StepSample {
  readonly step: Step;
  readonly target: RepositoryTarget;
  readonly tool: string;
  readonly usage: Usage;
  /** Growth of what the repository's server holds (RepositorySite.bytes); undefined for a restore. */
  readonly repoGrowthBytes?: number;
  /**
   * A restore only: the wall time of a `sync` run as soon as it ended, which writes out what it left in
   * the page cache. Floe syncs before it reports success; restic and Borg leave that to the kernel.
   */
  readonly syncAfterS?: number;
}

export interface RoundResult {
  readonly samples: readonly StepSample[];
  /** Bytes of the image mutate.sh rewrote. */
  readonly bytesChanged: number;
}

export interface RoundSetup {
  readonly scripts: BenchScripts;
  readonly datasetDir: string;
  /** Created for the round and removed after it. */
  readonly roundDir: string;
  /** Unique to the run and round: the remote repositories are named after it. */
  readonly remoteName: string;
  readonly note: (text: string) => void;
}

interface ToolRun {
  readonly tool: BackupTool;
  readonly ws: ToolWorkspace;
  readonly site: RepositorySite;
  /** "sftp-floe": names its directories and remote repository. */
  readonly slug: string;
  /** "Floe on sftp", for the notes. */
  readonly label: string;
}

/**
 * One round on a private copy of the dataset, step by step, each step for every contender in `order`
 * (the caller rotates it between rounds): full backup, mutate.sh, incremental backup, restore of the
 * incremental one, checked byte for byte against the mutated image. The repositories, remote ones
 * included, are removed after the round.
 */
export async function runRound(setup: RoundSetup, order: readonly Contender[]): Promise<RoundResult> {
  const dataDir = path.join(setup.roundDir, 'data');
  const image = path.join(dataDir, IMAGE_NAME);
  const runs = order.map((contender) => toolRun(contender, setup));
  try {
    await mkdir(dataDir, { recursive: true });
    await copyDataset(setup.datasetDir, dataDir);
    await Promise.all(runs.map(initTool));
    const samples: StepSample[] = [];
    for (const run of runs) samples.push(await backupStep(run, image, 'full', setup.note));
    const bytesChanged = await mutateDataset(setup.scripts, dataDir);
    for (const run of runs) samples.push(await backupStep(run, image, 'incremental', setup.note));
    for (const run of runs) samples.push(await restoreStep(run, image, setup));
    return { samples, bytesChanged };
  } finally {
    await removeRepositories(runs, setup.note);
    await rm(setup.roundDir, { recursive: true, force: true });
  }
}

function toolRun({ tool, target }: Contender, setup: RoundSetup): ToolRun {
  const slug = `${target}-${tool.name.toLowerCase()}`;
  const stateDir = path.join(setup.roundDir, slug);
  const site = repositorySite(target, localRepositoryDir(stateDir), `${setup.remoteName}-${slug}`);
  return { tool, ws: { stateDir, repo: site.location }, site, slug, label: `${tool.name} on ${target}` };
}

/** Every repository of the round, whatever failed before; a failure to remove one is only noted. */
async function removeRepositories(runs: readonly ToolRun[], note: (text: string) => void): Promise<void> {
  const results = await Promise.allSettled(runs.map((run) => run.site.remove()));
  results.forEach((result, i) => {
    if (result.status === 'rejected') note(`could not remove the repository of ${runs[i].label}: ${errorMessage(result.reason)}`);
  });
}

async function initTool(run: ToolRun): Promise<void> {
  await mkdir(run.ws.stateDir, { recursive: true });
  await runCommand(run.tool.init(run.ws));
}

async function backupStep(run: ToolRun, image: string, label: BackupLabel, note: (text: string) => void): Promise<StepSample> {
  const before = await run.site.bytes();
  await warm(run, [image]);
  const { usage } = await runTimed(run.tool.backup(run.ws, image, label));
  const repoGrowthBytes = (await run.site.bytes()) - before;
  const step = label === 'full' ? 'full backup' : 'incremental';
  note(`${run.label} ${step}: ${usage.wallS.toFixed(2)} s, repository +${(repoGrowthBytes / 1e6).toFixed(1)} MB`);
  return { step, target: run.ws.repo.target, tool: run.tool.name, usage, repoGrowthBytes };
}

async function restoreStep(run: ToolRun, image: string, setup: RoundSetup): Promise<StepSample> {
  const targetDir = path.join(setup.roundDir, `restore-${run.slug}`);
  await mkdir(targetDir);
  const plan = run.tool.restore(run.ws, 'incremental', image, targetDir);
  await warm(run, []);
  const { usage } = await runTimed(plan.command);
  const { usage: sync } = await runTimed({ argv: ['sync'] });
  await assertIdentical(plan.restoredFile, image);
  await rm(targetDir, { recursive: true, force: true });
  setup.note(`${run.label} restore: ${usage.wallS.toFixed(2)} s, then sync ${sync.wallS.toFixed(2)} s, byte-identical`);
  return { step: 'restore', target: run.ws.repo.target, tool: run.tool.name, usage, syncAfterS: sync.wallS };
}

/** Before a timed step: `inputs`, the tool's workspace and its repository on the server, all read. */
async function warm(run: ToolRun, inputs: readonly string[]): Promise<void> {
  await settleAndWarm([...inputs, run.ws.stateDir]);
  await run.site.warm();
}
