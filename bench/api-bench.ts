import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { parsePositiveInteger, parseSeconds } from '../cli/arguments.js';
import { renderTable } from '../cli/output.js';
import { renderSection, updateBenchmarksDoc } from './benchmarks-doc.js';
import { acceptedIds, deleteVolumes, errorReasons, runCreateBurst, spreadByBackend } from './create-burst.js';
import { allAvailable, computeFigures, describeMachine, figureRows, type Figures } from './figures.js';
import { FloeAllProcess, apiFor } from './floe-all-process.js';

/**
 * `npm run bench:api [-- --count N --concurrency C --timeout S]`: N concurrent 1 GB creates against
 * a real floe-all, then the figures on stdout and in docs/benchmarks.md. Exits 1 unless every volume
 * became available (and was cleaned up).
 */
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BACKENDS = ['bench-a', 'bench-b'];
const CAPACITY_GB = 100_000;
const POLL_INTERVAL_MS = 50;
const REASON_SAMPLE = 20;

interface BenchOptions {
  readonly count: number;
  readonly concurrency?: number;
  readonly timeout: number;
}

function parseOptions(argv: readonly string[]): BenchOptions {
  return new Command('bench:api')
    .option('--count <n>', 'volumes to create', parsePositiveInteger, 200)
    .option('--concurrency <n>', 'POSTs in flight at once (default: count)', parsePositiveInteger)
    .option('--timeout <seconds>', 'how long to wait for the volumes to settle, and again to delete them', parseSeconds, 300)
    .parse([...argv], { from: 'user' })
    .opts<BenchOptions>();
}

function note(text: string): void {
  process.stderr.write(`bench:api: ${text}\n`);
}

async function measure(stack: FloeAllProcess, host: string, options: BenchOptions): Promise<{ figures: Figures; cleanedUp: boolean }> {
  const admin = apiFor(stack.endpoint, 'admin');
  const bench = apiFor(stack.endpoint, 'bench');
  const began = performance.now();
  await stack.waitUntilReady(admin, host, BACKENDS, note);
  note(`floe-all ready at ${stack.endpoint} after ${((performance.now() - began) / 1000).toFixed(1)} s`);
  const concurrency = Math.min(options.concurrency ?? options.count, options.count);
  note(`creating ${options.count} volumes, ${concurrency} at a time`);
  const timing = { concurrency, pollIntervalMs: POLL_INTERVAL_MS, timeoutMs: options.timeout * 1000 };
  const burst = await runCreateBurst(bench, { ...timing, count: options.count, sizeGb: 1, namePrefix: host, onProgress: note });
  const ids = acceptedIds(burst.posts);
  const figures = computeFigures(burst, concurrency, await spreadByBackend(admin, host, ids));
  const errored = ids.filter((id) => burst.errored.has(id));
  if (errored.length > 0) note(`${errored.length} volume(s) ended in error; the reasons of up to ${REASON_SAMPLE} of them:`);
  for (const [reason, n] of await errorReasons(bench, errored, REASON_SAMPLE)) note(`  ${n} × ${reason}`);
  note(`deleting ${ids.length} volumes`);
  const cleanup = await deleteVolumes(bench, ids, timing);
  for (const failure of cleanup.failures) note(`delete failed: ${failure}`);
  if (cleanup.remaining > 0) note(`${cleanup.remaining} volumes were still listed when the clean-up gave up`);
  return { figures, cleanedUp: cleanup.failures.length === 0 && cleanup.remaining === 0 };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  // One fixed host: every run reuses the same queues and services rows instead of leaving new ones.
  const host = 'bench';
  note(`starting floe-all (FLOE_HOST=${host})`);
  const stack = await FloeAllProcess.start({
    script: path.join(REPO, 'dist', 'bin', 'floe-all.js'),
    host,
    backends: BACKENDS,
    capacityGb: CAPACITY_GB,
  });
  const interrupted = () => void stack.stop().finally(() => process.exit(130));
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  let result: Awaited<ReturnType<typeof measure>>;
  try {
    result = await measure(stack, host, options);
  } catch (err) {
    process.stderr.write(`floe-all's last log lines:\n${stack.logTail}\n`);
    throw err;
  } finally {
    await stack.stop();
  }
  return report(result.figures, result.cleanedUp);
}

async function report(figures: Figures, cleanedUp: boolean): Promise<number> {
  const machine = describeMachine();
  process.stdout.write(`${renderTable(FIGURE_COLUMNS, figureRows(figures))}\n`);
  process.stdout.write(`measured ${machine.date} on ${machine.cpus} CPUs (${machine.cpuModel}), Node ${machine.node}\n`);
  if (!allAvailable(figures)) {
    note(`only ${figures.available} of ${figures.requested} volumes became available; docs/benchmarks.md left as it was`);
    return 1;
  }
  const command = `npm run bench:api -- --count ${figures.requested} --concurrency ${figures.concurrency}`;
  const doc = path.join(REPO, 'docs', 'benchmarks.md');
  await updateBenchmarksDoc(doc, renderSection(figures, machine, { command, backends: BACKENDS, capacityGb: CAPACITY_GB }));
  note(`wrote the "API: concurrent creates" section of ${doc}`);
  return cleanedUp ? 0 : 1;
}

const FIGURE_COLUMNS = [
  { header: 'figure', value: (row: [string, string]) => row[0] },
  { header: 'value', value: (row: [string, string]) => row[1] },
];

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench:api: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
