import { constants } from 'node:fs';
import { access, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { parsePositiveInteger } from '../cli/arguments.js';
import { renderTable } from '../cli/output.js';
import { updateBenchmarksDoc } from './benchmarks-doc.js';
import { readCpuTimes, stolenShare } from './cpu-steal.js';
import { describeMachine } from './figures.js';
import { timeApiPath, type ApiPathResult } from './backup/api-path.js';
import { IMAGE_NAME, ensureDataset, findBenchScripts, type BenchScripts } from './backup/dataset.js';
import { apiPathTable, figureTable, onDiskTable, renderBackupSection, sectionTitle, stealNote, targetTable, type BackupBenchRun, type TextTable } from './backup/report.js';
import { writeBenchCredentials, type BenchCredentials } from './backup/remote/credentials.js';
import { REPOSITORY_TARGETS, type RepositoryTarget } from './backup/repository-site.js';
import { runRound, type Contender, type StepSample } from './backup/round.js';
import { summarize } from './backup/summary.js';
import { checkComparisonTargets, peakRssTarget, type TargetCheck } from './backup/targets.js';
import type { BackupTool } from './backup/tools/backup-tool.js';
import { BorgTool } from './backup/tools/borg.js';
import { FloeAgentTool } from './backup/tools/floe-agent.js';
import { ResticTool } from './backup/tools/restic.js';

/**
 * `npm run bench:backup [-- --rounds N --volume-mib N --targets local,sftp,s3 --api]`: Floe
 * (floe-agent), restic and Borg on the same image — full backup, incremental after mutate.sh, restore
 * checked byte for byte — medians printed and written to docs/benchmarks.md. Each repository target
 * has its own repositories: a local directory (all three tools), the SFTP and the S3 server of
 * `scripts/setup.sh --bench` (Floe and restic). With a --volume-mib other than 1024, Floe runs alone:
 * the check that its memory stays flat on a larger image.
 */
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const COMPARISON_MIB = 1024;

interface BenchOptions {
  readonly rounds: number;
  readonly volumeMib: number;
  readonly data?: string;
  readonly work: string;
  readonly targets: readonly RepositoryTarget[];
  readonly api: boolean;
}

function parseOptions(argv: readonly string[]): BenchOptions {
  return new Command('bench:backup')
    .option('--rounds <n>', 'rounds of every step for every tool (medians are reported)', parsePositiveInteger, 2)
    .option('--volume-mib <n>', `image size; other than ${COMPARISON_MIB}, Floe runs alone (memory check)`, parsePositiveInteger, COMPARISON_MIB)
    .option('--data <dir>', 'dataset directory (default /tmp/bench/data, /tmp/bench/data-<N>mib for other sizes)')
    .option('--work <dir>', 'scratch directory for copies, repositories and restores', '/tmp/bench/backup-work')
    .option('--targets <list>', `repository targets, comma-separated (${REPOSITORY_TARGETS.join(', ')})`, parseTargets, [...REPOSITORY_TARGETS])
    .option('--api', 'also time one backup through the API (floe-all) against floe-agent', false)
    .parse([...argv], { from: 'user' })
    .opts<BenchOptions>();
}

/** "sftp,s3" → ['sftp', 's3'], in REPOSITORY_TARGETS order. */
function parseTargets(value: string): RepositoryTarget[] {
  const named = value.split(',').map((t) => t.trim());
  const unknown = named.filter((t) => !(REPOSITORY_TARGETS as readonly string[]).includes(t));
  if (unknown.length > 0) throw new InvalidArgumentError(`expected some of ${REPOSITORY_TARGETS.join(', ')}; got '${value}'.`);
  return REPOSITORY_TARGETS.filter((t) => named.includes(t));
}

function note(text: string): void {
  process.stderr.write(`bench:backup: ${text}\n`);
}

async function floeAgent(credentials: BenchCredentials): Promise<FloeAgentTool> {
  const script = path.join(REPO, 'dist', 'bin', 'floe-agent.js');
  await access(script, constants.X_OK).catch(() => {
    throw new Error(`${script} is missing or not executable: build the project (npm run build, which scripts/setup.sh runs)`);
  });
  return new FloeAgentTool(script, credentials);
}

async function measureRounds(scripts: BenchScripts, datasetDir: string, tools: readonly BackupTool[], options: BenchOptions) {
  const samples: StepSample[] = [];
  let bytesChanged = 0;
  const run = Date.now().toString(36);
  for (let round = 0; round < options.rounds; round++) {
    const order = roundOrder(options.targets, tools, round);
    note(`round ${round + 1} of ${options.rounds}: ${order.map((c) => `${c.tool.name} on ${c.target}`).join(', ')}`);
    const roundDir = path.join(options.work, `round-${round + 1}`);
    const result = await runRound({ scripts, datasetDir, roundDir, remoteName: `floe-bench-${run}-r${round + 1}`, note }, order);
    samples.push(...result.samples);
    bytesChanged = result.bytesChanged;
  }
  return { samples, bytesChanged };
}

/** Target by target, each tool that runs on it; both orders rotated by `round`. */
function roundOrder(targets: readonly RepositoryTarget[], tools: readonly BackupTool[], round: number): Contender[] {
  return rotate(targets, round).flatMap((target) => rotate(tools.filter((t) => t.targets.includes(target)), round).map((tool) => ({ tool, target })));
}

function rotate<T>(items: readonly T[], by: number): T[] {
  return items.map((_, i) => items[(i + by) % items.length]);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const loadAverage = os.loadavg()[0];
  const scripts = await findBenchScripts(REPO);
  const comparison = options.volumeMib === COMPARISON_MIB;
  const datasetDir = options.data ?? (comparison ? '/tmp/bench/data' : `/tmp/bench/data-${options.volumeMib}mib`);
  note(`dataset ${datasetDir} (${options.volumeMib} MiB image)`);
  await ensureDataset(scripts, datasetDir, options.volumeMib);
  await rm(options.work, { recursive: true, force: true });
  try {
    const credentials = await writeBenchCredentials(path.join(options.work, 'credentials'));
    const agent = await floeAgent(credentials);
    const candidates: BackupTool[] = comparison ? [agent, new ResticTool(credentials), new BorgTool()] : [agent];
    const tools = candidates.filter((t) => options.targets.some((target) => t.targets.includes(target)));
    const cpuBefore = await readCpuTimes();
    const { samples, bytesChanged } = await measureRounds(scripts, datasetDir, tools, options);
    const stolen = stolenShare(cpuBefore, await readCpuTimes());
    const api = options.api ? await apiPath(agent, path.join(datasetDir, IMAGE_NAME), options) : undefined;
    const lineup = roundOrder(options.targets, tools, 0).map((c) => ({ target: c.target, tool: c.tool.name }));
    const figures = summarize(samples, lineup);
    const targets: TargetCheck[] = comparison ? checkComparisonTargets(figures, bytesChanged) : [peakRssTarget(figures)].filter((t) => t !== undefined);
    const versions = await Promise.all(tools.map(async (t) => ({ name: t.name, setup: t.setup, version: await t.version() })));
    const { rounds, volumeMib } = options;
    const run = { command: commandLine(options), machine: describeMachine(), loadAverage, stolen, volumeMib, rounds, repositoryTargets: options.targets };
    await report({ ...run, tools: versions, bytesChanged, figures, targets, api });
  } finally {
    await rm(options.work, { recursive: true, force: true });
  }
}

async function apiPath(agent: BackupTool, image: string, options: BenchOptions): Promise<ApiPathResult> {
  note('timing one backup through the API (floe-all) against floe-agent');
  const floeAllScript = path.join(REPO, 'dist', 'bin', 'floe-all.js');
  return timeApiPath({ floeAllScript, agent, image, volumeMib: options.volumeMib, workDir: path.join(options.work, 'api'), note });
}

function commandLine(options: BenchOptions): string {
  const size = options.volumeMib === COMPARISON_MIB ? '' : ` --volume-mib ${options.volumeMib}`;
  const targets = options.targets.length === REPOSITORY_TARGETS.length ? '' : ` --targets ${options.targets.join(',')}`;
  return `npm run bench:backup -- --rounds ${options.rounds}${size}${targets}${options.api ? ' --api' : ''}`;
}

async function report(run: BackupBenchRun): Promise<void> {
  const tables = [figureTable(run.figures), onDiskTable(run.figures), targetTable(run.targets), run.api && apiPathTable(run.api)].filter((t) => t !== undefined);
  for (const table of tables) process.stdout.write(`${terminalTable(table)}\n`);
  const m = run.machine;
  process.stdout.write(`measured ${m.date} on ${m.cpus} CPUs (${m.cpuModel}), Node ${m.node}${stealNote(run.stolen)}; ${run.tools.map((t) => t.version).join('; ')}\n`);
  const doc = path.join(REPO, 'docs', 'benchmarks.md');
  await updateBenchmarksDoc(doc, renderBackupSection(run), sectionTitle(run));
  note(`wrote the "${sectionTitle(run)}" section of ${doc}`);
}

function terminalTable({ headers, rows }: TextTable): string {
  return renderTable(headers.map((header, i) => ({ header, value: (row: readonly string[]) => row[i] })), rows);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:backup: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
