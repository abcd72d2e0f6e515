import { readFile, writeFile } from 'node:fs/promises';
import { figureRows, type Figures, type Machine } from './figures.js';

export const SECTION_TITLE = 'API: concurrent creates';

/** The docs/benchmarks.md section for one run: how it was measured, where, and the figures. */
export interface BenchSetup {
  readonly command: string;
  readonly backends: readonly string[];
  readonly capacityGb: number;
}

export function renderSection(figures: Figures, machine: Machine, setup: BenchSetup): string {
  const rows = figureRows(figures).map(([label, value]) => `| ${label} | ${value} |`);
  const capacity = setup.capacityGb.toLocaleString('en-US');
  return [
    `## ${SECTION_TITLE}`,
    '',
    `Command: \`${setup.command}\`. Measured ${machine.date} on ${machine.cpus} CPUs (${machine.cpuModel}),`,
    `Node ${machine.node}.`,
    '',
    `One \`floe-all\` process (API, scheduler, ${setup.backends.length} file backends of ${capacity} GB each) on the`,
    'default PostgreSQL and RabbitMQ. The creates go through `POST /v3/bench/volumes`, `--concurrency` at a',
    'time, while a poller lists `/volumes/detail` every 50 ms. A volume\'s latency runs from the start of its POST to the first',
    'poll that lists it `available`; POST requests/s counts the POSTs over the time until the last one',
    'answered; end-to-end volumes/s counts the available volumes over the time until the last one was seen',
    'available. The spread is read from `os-vol-host-attr:host` as admin.',
    '',
    '| figure | value |',
    '|---|---:|',
    ...rows,
    '',
  ].join('\n');
}

/** Replaces the `## <title>` section (up to the next `## ` heading) or appends it; the rest is kept. */
export function replaceSection(document: string, title: string, section: string): string {
  const lines = document.split('\n');
  const start = lines.findIndex((line) => line.trim() === `## ${title}`);
  if (start < 0) return `${document.trimEnd()}\n\n${section.trimEnd()}\n`;
  const next = lines.findIndex((line, i) => i > start && line.startsWith('## '));
  const after = next < 0 ? [] : ['', ...lines.slice(next)];
  return [...lines.slice(0, start), section.trimEnd(), ...after].join('\n').trimEnd() + '\n';
}

/** Writes `section` as the `## <title>` section of `file` (created when missing). */
export async function updateBenchmarksDoc(file: string, section: string, title = SECTION_TITLE): Promise<void> {
  const current = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '# Benchmarks\n';
    throw err;
  });
  await writeFile(file, replaceSection(current, title, section));
}
