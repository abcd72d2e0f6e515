import type { Machine } from '../figures.js';
import type { ApiPathResult } from './api-path.js';
import { REPOSITORY_TARGETS, type RepositoryTarget } from './repository-site.js';
import type { StepFigures } from './summary.js';
import { PEAK_RSS_TARGET_MIB, type TargetCheck } from './targets.js';
import { mebibytes, megabytes, ratio, seconds } from './units.js';

/** Everything one run of the backup bench reports. */
export interface BackupBenchRun {
  readonly command: string;
  readonly machine: Machine;
  /** The 1-minute load average when the run began: other work on the machine makes the figures noisy. */
  readonly loadAverage: number;
  /** The share of the machine's CPU time its hypervisor took while the rounds ran (undefined: not known). */
  readonly stolen: number | undefined;
  readonly volumeMib: number;
  readonly rounds: number;
  /** Where the repositories were, in the order of the figures. */
  readonly repositoryTargets: readonly RepositoryTarget[];
  readonly tools: readonly { readonly name: string; readonly setup: string; readonly version: string }[];
  readonly bytesChanged: number;
  readonly figures: readonly StepFigures[];
  readonly targets: readonly TargetCheck[];
  readonly api?: ApiPathResult;
}

const FIGURE_HEADERS = ['repository', 'step', 'tool', 'wall', 'CPU (user+sys)', 'peak RSS', 'repository growth'];
const SPEED_HEADER = 'speed vs restic';
const TARGET_HEADERS = ['repository', 'target (issues 3, 4)', 'measured', 'status'];

/** A table as both outputs need it: the terminal's (cli-table3) and the docs' (markdown). */
export interface TextTable {
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** The repository target × step × tool table; the speed column only when restic ran. */
export function figureTable(figures: readonly StepFigures[]): TextTable {
  const withSpeed = figures.some((f) => f.speedVsBaseline !== undefined);
  const rows = figures.map((f) => [
    f.target,
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

const ON_DISK_HEADERS = ['repository', 'tool', 'restore', 'then `sync`', 'until on disk'];

/** Each restore's time until its data is on the disk: its command, then a `sync`; none when no restore ran. */
export function onDiskTable(figures: readonly StepFigures[]): TextTable | undefined {
  const restores = figures.flatMap((f) => (f.onDisk === undefined ? [] : [{ f, onDisk: f.onDisk }]));
  if (restores.length === 0) return undefined;
  const withSpeed = restores.some(({ onDisk }) => onDisk.speedVsBaseline !== undefined);
  const rows = restores.map(({ f, onDisk }) => [
    f.target,
    f.tool,
    seconds(f.wallS),
    seconds(onDisk.syncAfterS),
    seconds(onDisk.untilOnDiskS),
    ...(withSpeed ? [onDisk.speedVsBaseline === undefined ? '-' : ratio(onDisk.speedVsBaseline)] : []),
  ]);
  return { headers: withSpeed ? [...ON_DISK_HEADERS, SPEED_HEADER] : ON_DISK_HEADERS, rows };
}

export function targetTable(targets: readonly TargetCheck[]): TextTable {
  return { headers: TARGET_HEADERS, rows: targets.map((t) => [t.repository, t.target, t.measured, t.met ? 'met' : 'NOT met']) };
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

/**
 * The comparison run has restic in it; a run of Floe alone is the memory check of a larger image.
 * A run on some of the repository targets only has a section of its own ("...; sftp and s3 repositories").
 */
export function sectionTitle(run: Pick<BackupBenchRun, 'volumeMib' | 'tools' | 'repositoryTargets'>): string {
  const size = imageSize(run.volumeMib);
  const all = REPOSITORY_TARGETS.every((t) => run.repositoryTargets.includes(t));
  const where = all ? '' : `; ${run.repositoryTargets.join(' and ')} repositories`;
  return run.tools.length > 1 ? `Backups (${size} image${where})` : `Backups: Floe's memory on a ${size} image${where}`;
}

export function renderBackupSection(run: BackupBenchRun): string {
  const m = run.machine;
  return [
    `## ${sectionTitle(run)}`,
    '',
    `Command: \`${run.command}\`. Measured ${m.date} on ${m.cpus} CPUs (${m.cpuModel}), Node ${m.node};`,
    `1-minute load average ${run.loadAverage.toFixed(1)} when the run began${stealNote(run.stolen)}.`,
    '',
    ...run.tools.map((t) => `- ${t.name}: ${t.version}; ${t.setup}.`),
    '',
    ...method(run),
    '',
    markdownTable(figureTable(run.figures)),
    '',
    ...onDiskLines(run.figures),
    markdownTable(targetTable(run.targets)),
    '',
    ...apiPathLines(run.api),
  ].join('\n');
}

/** "; the host took 23 % of the CPU time while the rounds ran (steal)", or nothing when unknown. */
export function stealNote(stolen: number | undefined): string {
  return stolen === undefined ? '' : `; the host took ${Math.round(stolen * 100)} % of the CPU time while the rounds ran (steal)`;
}

function method(run: BackupBenchRun): string[] {
  return [
    `Data: \`../shared/bench/make-dataset.sh --volume-mib ${run.volumeMib}\` (4 MiB extents: 1/4 pseudo-random, 1/4 text-like, 1/2`,
    `holes); the incremental backup follows \`mutate.sh\`, which rewrote ${megabytes(run.bytesChanged)} of the image in scattered 64 KiB writes.`,
    'Each round works on a sparse copy of the dataset with fresh repositories and runs each step for every',
    'tool on every repository target in turn, the order rotated from round to round. Before each timed step: `sync`,',
    'then every byte of the step\'s inputs (the image, the tool\'s repository and cache) is read into the page cache',
    '(warm), the same for every tool. Wall time, CPU (user+sys) and peak RSS from GNU time; a local repository\'s',
    `growth from \`du -sb\`; medians of ${run.rounds} round(s). Each restore (of the incremental backup, into a new file) was`,
    'compared byte for byte with the mutated image (`cmp`). Every tool runs with only PATH, HOME, USER, LOGNAME, the',
    'locale and TMPDIR of the caller\'s environment, plus its own settings (bench/environment.ts).',
    ...(run.tools.length > 1 ? PEER_NOTES : [`Floe alone: the check that its peak RSS stays within ${PEAK_RSS_TARGET_MIB} MiB on a larger image.`]),
    ...remoteNotes(run.repositoryTargets),
  ];
}

const PEER_NOTES = [
  'Speed vs restic = restic\'s wall time / the tool\'s on the same repository target. restic 0.14 has no sparse',
  'restore and writes the holes as zeros; Borg (local repositories only) extracts with `--sparse`; Floe skips all-zero blocks.',
];

const REMOTE_NOTES: Readonly<Record<Exclude<RepositoryTarget, 'local'>, readonly string[]>> = {
  sftp: [
    '- sftp: OpenSSH on 127.0.0.1:2222 (internal-sftp), an ed25519 client key. Floe speaks SFTP itself (ssh2),',
    '  restic through the OpenSSH client (`-o sftp.command=\'ssh ... -s sftp\'`). Growth: `du -sb` of the server\'s',
    '  directory; warm: its files read.',
  ],
  s3: [
    '- s3: Swift\'s s3api on http://127.0.0.1:8080, path-style, a new bucket per tool and round. Floe uses the AWS SDK',
    '  (signature V4, plain payloads); restic signs with signature V2, since over plain HTTP its minio-go sends',
    '  aws-chunked PUTs, which the s3api refuses. Growth: the sum of the bucket\'s object sizes (ListObjectsV2); warm:',
    '  a GET of every object.',
  ],
};

/** How the remote repositories were reached and measured; nothing for a local-only run. */
function remoteNotes(targets: readonly RepositoryTarget[]): string[] {
  const remote = targets.filter((t) => t !== 'local');
  if (remote.length === 0) return [];
  return [
    '',
    'Remote repositories are on servers of this machine (`scripts/setup.sh --bench`), over loopback; their',
    'CPU is not counted, only the client\'s (restic\'s ssh child included). The remote repositories are deleted',
    'after each round.',
    '',
    ...remote.flatMap((t) => REMOTE_NOTES[t]),
  ];
}

function onDiskLines(figures: readonly StepFigures[]): string[] {
  const table = onDiskTable(figures);
  if (table === undefined) return [];
  return [
    'A restore is timed until its command ends. Floe syncs the restored data to the disk before it reports',
    'success; restic and Borg leave the writing of what they restored to the kernel after they exit. So each',
    'restore was followed at once by a timed `sync`, and the two together are the time until the data is on the',
    'disk (medians of the per-round sums). The targets are checked on the restore\'s own time, above.',
    '',
    markdownTable(table),
    '',
  ];
}

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
