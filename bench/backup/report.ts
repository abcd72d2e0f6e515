import type { Machine } from '../figures.js';
import type { ApiPathResult } from './api-path.js';
import type { StepFigures } from './summary.js';
import { PEAK_RSS_TARGET_MIB, type TargetCheck } from './targets.js';
import { mebibytes, megabytes, ratio, seconds } from './units.js';

/** Everything one run of the backup bench reports. */
export interface BackupBenchRun {
  readonly command: string;
  readonly machine: Machine;
  /** The 1-minute load average when the run began: other work on the machine makes the figures noisy. */
  readonly loadAverage: number;
  readonly volumeMib: number;
  readonly rounds: number;
  readonly tools: readonly { readonly name: string; readonly setup: string; readonly version: string }[];
  readonly bytesChanged: number;
  readonly figures: readonly StepFigures[];
  readonly targets: readonly TargetCheck[];
  readonly api?: ApiPathResult;
}

const FIGURE_HEADERS = ['step', 'tool', 'wall', 'CPU (user+sys)', 'peak RSS', 'repository growth'];
const SPEED_HEADER = 'speed vs restic';
const TARGET_HEADERS = ['target (issue 3)', 'measured', 'status'];

/** A table as both outputs need it: the terminal's (cli-table3) and the docs' (markdown). */
export interface TextTable {
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** The step × tool table; the speed column only when restic ran. */
export function figureTable(figures: readonly StepFigures[]): TextTable {
  const withSpeed = figures.some((f) => f.speedVsBaseline !== undefined);
  const rows = figures.map((f) => [
    f.step,
    f.tool,
    seconds(f.wallS),
    seconds(f.cpuS),
    mebibytes(f.peakRssMiB),
    f.repoGrowthBytes === undefined ? '-' : `+${megabytes(f.repoGrowthBytes)}`,
    ...(withSpeed ? [f.speedVsBaseline === undefined ? '-' : ratio(f.speedVsBaseline)] : []),
  ]);
  return { headers: withSpeed ? [...FIGURE_HEADERS, SPEED_HEADER] : FIGURE_HEADERS, rows };
}

export function targetTable(targets: readonly TargetCheck[]): TextTable {
  return { headers: TARGET_HEADERS, rows: targets.map((t) => [t.target, t.measured, t.met ? 'met' : 'NOT met']) };
}

export function apiPathTable(api: ApiPathResult): TextTable {
  const rows = [
    ['floe-agent backup of the volume file', seconds(api.agentWallS)],
    ['API backup (POST /backups → available)', seconds(api.apiWallS)],
    ['API path overhead (API time / floe-agent time)', ratio(api.apiWallS / api.agentWallS)],
  ];
  return { headers: ['API path', 'value'], rows };
}

/** "1 GiB", "4 GiB", "512 MiB". */
export function imageSize(volumeMib: number): string {
  return volumeMib % 1024 === 0 ? `${volumeMib / 1024} GiB` : `${volumeMib} MiB`;
}

/** The comparison run has restic in it; a run of Floe alone is the memory check of a larger image. */
export function sectionTitle(run: Pick<BackupBenchRun, 'volumeMib' | 'tools'>): string {
  const size = imageSize(run.volumeMib);
  return run.tools.length > 1 ? `Backups (${size} image)` : `Backups: Floe's memory on a ${size} image`;
}

export function renderBackupSection(run: BackupBenchRun): string {
  const m = run.machine;
  return [
    `## ${sectionTitle(run)}`,
    '',
    `Command: \`${run.command}\`. Measured ${m.date} on ${m.cpus} CPUs (${m.cpuModel}), Node ${m.node};`,
    `1-minute load average ${run.loadAverage.toFixed(1)} when the run began.`,
    '',
    ...run.tools.map((t) => `- ${t.name}: ${t.version}; ${t.setup}.`),
    '',
    ...method(run),
    '',
    markdownTable(figureTable(run.figures)),
    '',
    markdownTable(targetTable(run.targets)),
    '',
    ...apiPathLines(run.api),
  ].join('\n');
}

function method(run: BackupBenchRun): string[] {
  return [
    `Data: \`../shared/bench/make-dataset.sh --volume-mib ${run.volumeMib}\` (4 MiB extents: 1/4 pseudo-random, 1/4 text-like, 1/2`,
    `holes); the incremental backup follows \`mutate.sh\`, which rewrote ${megabytes(run.bytesChanged)} of the image in scattered 64 KiB writes.`,
    'Each round works on a sparse copy of the dataset with fresh repositories and runs each step for every',
    'tool in turn, the order rotated from round to round. Before each timed step: `sync`, then every byte of',
    'the step\'s inputs (the image, the tool\'s repository and cache) is read into the page cache (warm), the',
    'same for every tool. Wall time, CPU (user+sys) and peak RSS from GNU time; repository growth from',
    `\`du -sb\`; medians of ${run.rounds} round(s). Each restore (of the incremental backup, into a new file) was`,
    'compared byte for byte with the mutated image (`cmp`).',
    ...(run.tools.length > 1 ? PEER_NOTES : [`Floe alone: the check that its peak RSS stays within ${PEAK_RSS_TARGET_MIB} MiB on a larger image.`]),
  ];
}

const PEER_NOTES = [
  'Speed vs restic = restic\'s wall time / the tool\'s. restic 0.14 has no sparse restore and writes the holes',
  'as zeros; Borg extracts with `--sparse`; Floe skips all-zero blocks.',
];

function apiPathLines(api: ApiPathResult | undefined): string[] {
  if (api === undefined) return ['The API path (volume → backup worker → repository) was not timed in this run (`--api`).', ''];
  return [
    'One backup through the API (volume → backup worker → repository) of the same image in a file-backend',
    'volume, against `floe-agent backup` of that volume file into a new repository, both warm:',
    '',
    markdownTable(apiPathTable(api)),
    '',
  ];
}

function markdownTable({ headers, rows }: TextTable): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const align = headers.map((_, i) => (rows.every((r) => /^[\d+-]/.test(r[i] ?? '')) ? '---:' : '---'));
  return [line(headers), line(align), ...rows.map(line)].join('\n');
}
