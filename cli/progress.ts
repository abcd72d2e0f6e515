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
