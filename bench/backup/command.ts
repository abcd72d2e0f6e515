import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { benchEnvironment } from '../environment.js';

/** A command line the bench runs: the program and its arguments, extra environment, working directory. */
export interface CommandSpec {
  readonly argv: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

/** What `/usr/bin/time` saw of one command. */
export interface Usage {
  readonly wallS: number;
  /** user + system CPU seconds. */
  readonly cpuS: number;
  readonly peakRssKiB: number;
}

const STDERR_TAIL_CHARS = 2000;
const GNU_TIME = '/usr/bin/time';

export class CommandFailedError extends Error {
  constructor(argv: readonly string[], exit: string, stderr: string) {
    super(`${argv.join(' ')} failed (${exit}): ${stderr.slice(-STDERR_TAIL_CHARS).trim() || 'no output'}`);
    this.name = 'CommandFailedError';
  }
}

/** Runs the command to completion; its stdout, or CommandFailedError with the end of its stderr. */
export async function runCommand(spec: CommandSpec): Promise<string> {
  const [program, ...args] = spec.argv;
  const child = spawn(program, args, { cwd: spec.cwd, env: { ...benchEnvironment(), ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS)));
  const exit = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve(code === 0 ? '' : signal !== null ? `signal ${signal}` : `exit ${code}`));
  });
  if (exit !== '') throw new CommandFailedError(spec.argv, exit, stderr);
  return stdout;
}

/** Runs the command under GNU time: its stdout and what it cost (wall, user+sys CPU, peak RSS). */
export async function runTimed(spec: CommandSpec): Promise<{ stdout: string; usage: Usage }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'floe-bench-time-'));
  const report = path.join(dir, 'usage');
  try {
    const stdout = await runCommand({ ...spec, argv: [GNU_TIME, '-f', '%e %U %S %M', '-o', report, ...spec.argv] });
    return { stdout, usage: parseUsage(await readFile(report, 'utf8')) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function parseUsage(report: string): Usage {
  const last = report.trim().split('\n').at(-1) ?? '';
  const [wallS, userS, sysS, peakRssKiB] = last.split(' ').map(Number);
  if ([wallS, userS, sysS, peakRssKiB].some((n) => n === undefined || !Number.isFinite(n))) {
    throw new Error(`unexpected ${GNU_TIME} report: ${JSON.stringify(report)}`);
  }
  return { wallS, cpuS: userS + sysS, peakRssKiB };
}
