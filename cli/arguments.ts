import { InvalidArgumentError } from 'commander';

/**
 * Commander argument parsers: a bad value becomes a usage error (exit 2) naming the problem.
 * Sizes are whole numbers; whether one is acceptable (0, too large) is the API's to say.
 */
export function parseWholeNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a whole number.');
  return n;
}

export function parsePositiveInteger(value: string): number {
  const n = parseWholeNumber(value);
  if (n < 1) throw new InvalidArgumentError('expected a whole number of 1 or more.');
  return n;
}

export function parseSeconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError('expected a number of seconds greater than 0.');
  }
  return n;
}

/** `--metadata k=v`, repeatable: each occurrence adds one key (the value may itself contain `=`). */
export function collectMetadata(pair: string, previous: Readonly<Record<string, string>> = {}): Record<string, string> {
  const at = pair.indexOf('=');
  const key = at < 0 ? '' : pair.slice(0, at).trim();
  if (key === '') throw new InvalidArgumentError(`expected key=value, got '${pair}'.`);
  return { ...previous, [key]: pair.slice(at + 1) };
}
