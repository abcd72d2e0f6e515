import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { runCommand, runTimed, type Usage } from './command.js';
import { IMAGE_NAME, copyDataset, mutateDataset, type BenchScripts } from './dataset.js';
import { assertIdentical, settleAndWarm, treeBytes } from './files.js';
import { toolWorkspace, type BackupLabel, type BackupTool, type ToolWorkspace } from './tools/backup-tool.js';

export const STEPS = ['full backup', 'incremental', 'restore'] as const;
export type Step = (typeof STEPS)[number];

/** One measured step of one tool in one round. */
export interface StepSample {
  readonly step: Step;
  readonly tool: string;
  readonly usage: Usage;
  /** Growth of the repository directory (`du -sb`); undefined for a restore. */
  readonly repoGrowthBytes?: number;
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
  readonly note: (text: string) => void;
}

interface ToolRun {
  readonly tool: BackupTool;
  readonly ws: ToolWorkspace;
}

/**
 * One round on a private copy of the dataset, step by step, each step for every tool in `order`
 * (the caller rotates it between rounds): full backup, mutate.sh, incremental backup, restore of the
 * incremental one, checked byte for byte against the mutated image.
 */
export async function runRound(setup: RoundSetup, order: readonly BackupTool[]): Promise<RoundResult> {
  const dataDir = path.join(setup.roundDir, 'data');
  const image = path.join(dataDir, IMAGE_NAME);
  try {
    await mkdir(dataDir, { recursive: true });
    await copyDataset(setup.datasetDir, dataDir);
    const runs = await Promise.all(order.map((tool) => initTool(tool, path.join(setup.roundDir, slug(tool)))));
    const samples: StepSample[] = [];
    for (const run of runs) samples.push(await backupStep(run, image, 'full', setup.note));
    const bytesChanged = await mutateDataset(setup.scripts, dataDir);
    for (const run of runs) samples.push(await backupStep(run, image, 'incremental', setup.note));
    for (const run of runs) samples.push(await restoreStep(run, image, setup));
    return { samples, bytesChanged };
  } finally {
    await rm(setup.roundDir, { recursive: true, force: true });
  }
}

async function initTool(tool: BackupTool, stateDir: string): Promise<ToolRun> {
  const ws = toolWorkspace(stateDir);
  await mkdir(stateDir, { recursive: true });
  await runCommand(tool.init(ws));
  return { tool, ws };
}

async function backupStep(run: ToolRun, image: string, label: BackupLabel, note: (text: string) => void): Promise<StepSample> {
  const before = await treeBytes(run.ws.repo);
  await settleAndWarm([image, run.ws.stateDir]);
  const { usage } = await runTimed(run.tool.backup(run.ws, image, label));
  const repoGrowthBytes = (await treeBytes(run.ws.repo)) - before;
  const step = label === 'full' ? 'full backup' : 'incremental';
  note(`${run.tool.name} ${step}: ${usage.wallS.toFixed(2)} s, repository +${(repoGrowthBytes / 1e6).toFixed(1)} MB`);
  return { step, tool: run.tool.name, usage, repoGrowthBytes };
}

async function restoreStep(run: ToolRun, image: string, setup: RoundSetup): Promise<StepSample> {
  const targetDir = path.join(setup.roundDir, `restore-${slug(run.tool)}`);
  await mkdir(targetDir);
  const plan = run.tool.restore(run.ws, 'incremental', image, targetDir);
  await settleAndWarm([run.ws.stateDir]);
  const { usage } = await runTimed(plan.command);
  await assertIdentical(plan.restoredFile, image);
  await rm(targetDir, { recursive: true, force: true });
  setup.note(`${run.tool.name} restore: ${usage.wallS.toFixed(2)} s, byte-identical`);
  return { step: 'restore', tool: run.tool.name, usage };
}

function slug(tool: BackupTool): string {
  return tool.name.toLowerCase();
}
