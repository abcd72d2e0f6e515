import ora, { type Ora } from 'ora';
import type { Writer } from './output.js';

/** Progress of a --wait: a spinner on a terminal, otherwise one line per change. */
export interface Progress {
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
}

export function createProgress(stream: Writer): Progress {
  return usesSpinner(stream) ? new SpinnerProgress(stream) : new LineProgress(stream);
}

/** A terminal of unknown width (a pty of 0 columns) would send ora's line count to Infinity. */
export function usesSpinner(stream: Writer): boolean {
  return stream.isTTY === true && (stream.columns ?? 0) > 0;
}

class SpinnerProgress implements Progress {
  readonly #spinner: Ora;

  constructor(stream: Writer) {
    this.#spinner = ora({ stream: stream as NodeJS.WritableStream, isEnabled: true });
  }

  update(text: string): void {
    this.#spinner.text = text;
    if (!this.#spinner.isSpinning) this.#spinner.start();
  }

  succeed(text: string): void {
    this.#spinner.succeed(text);
  }

  fail(text: string): void {
    this.#spinner.fail(text);
  }
}

/** For logs and pipes: prints a line only when the text changes, so a long wait stays short. */
export class LineProgress implements Progress {
  readonly #stream: Writer;
  #last = '';

  constructor(stream: Writer) {
    this.#stream = stream;
  }

  update(text: string): void {
    if (text === this.#last) return;
    this.#last = text;
    this.#stream.write(`${text}\n`);
  }

  succeed(text: string): void {
    this.update(text);
  }

  fail(text: string): void {
    this.update(text);
  }
}

const BAR_WIDTH = 24;
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${UNITS[unit]}`;
}

function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** A sample of a byte-counted transfer: how far it is, and when that was seen. */
export interface TransferSample {
  readonly doneBytes: number;
  readonly totalBytes: number;
  readonly atMs: number;
}

/**
 * One line of a transfer's progress: `[#####-----]  42.0%  1.2 GiB / 3.0 GiB  85.3 MiB/s  ETA 21s`.
 * The rate is measured from `first` (the first sample seen) to `now`; unknown until bytes move.
 */
export function formatTransfer(first: TransferSample, now: TransferSample): string {
  const fraction = now.totalBytes > 0 ? Math.min(1, now.doneBytes / now.totalBytes) : 0;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
  const percent = `${(fraction * 100).toFixed(1).padStart(5)}%`;
  const bytes = `${formatBytes(now.doneBytes)} / ${formatBytes(now.totalBytes)}`;
  const seconds = (now.atMs - first.atMs) / 1000;
  const rate = seconds > 0 ? (now.doneBytes - first.doneBytes) / seconds : 0;
  if (rate <= 0) return `${bar} ${percent}  ${bytes}`;
  const eta = formatDuration((now.totalBytes - now.doneBytes) / rate);
  return `${bar} ${percent}  ${bytes}  ${formatBytes(rate)}/s  ETA ${eta}`;
}
