import type { Progress } from '../engine/index.js';

const MIB = 1024 * 1024;
const REDRAW_MS = 200;

/** A one-line bar (percent, bytes, rate, ETA) redrawn on a terminal; nothing elsewhere. */
export function progressBar(stream: NodeJS.WriteStream | { isTTY?: boolean; write(s: string): unknown }, enabled: boolean): { progress?: Progress; done(): void } {
  if (!enabled || stream.isTTY !== true) return { done: () => undefined };
  const started = Date.now();
  let last = 0;
  const progress: Progress = (done, total) => {
    const now = Date.now();
    if (now - last < REDRAW_MS && done < total) return;
    last = now;
    stream.write(`\r${renderProgress(done, total, (now - started) / 1000)}\x1b[K`);
  };
  return { progress, done: () => void stream.write('\n') };
}

export function renderProgress(done: number, total: number, seconds: number): string {
  const share = total === 0 ? 1 : done / total;
  const width = 30;
  const filled = Math.round(share * width);
  const rate = seconds > 0 ? done / seconds : 0;
  const eta = rate > 0 ? Math.ceil((total - done) / rate) : 0;
  const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
  return `[${bar}] ${(share * 100).toFixed(0).padStart(3)}% ${(done / MIB).toFixed(0)}/${(total / MIB).toFixed(0)} MiB ${(rate / MIB).toFixed(0)} MiB/s ETA ${eta}s`;
}
