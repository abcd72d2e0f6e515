const SLICES = 16;
const SLICE_BYTES = 256;
const SAMPLE_BYTES = SLICES * SLICE_BYTES;
/**
 * Bits per byte above which a sample counts as random. A uniform 4096-byte sample measures about
 * 7.95 (the estimate is biased low); compressible data (text, code, file systems) measures far less.
 */
const RANDOM_BITS_PER_BYTE = 7.9;

const counts = new Uint32Array(256);

/**
 * True when evenly spread slices of `data` have the byte entropy of random data (already compressed
 * or encrypted content), so compressing it would cost time and save nothing (as Borg's `auto` mode
 * and Btrfs's heuristic decide). Small buffers are never judged.
 */
export function looksIncompressible(data: Buffer): boolean {
  if (data.length < 4 * SAMPLE_BYTES) return false;
  counts.fill(0);
  const stride = Math.floor((data.length - SLICE_BYTES) / (SLICES - 1));
  for (let s = 0; s < SLICES; s++) {
    const start = s * stride;
    for (let i = start; i < start + SLICE_BYTES; i++) counts[data[i]] += 1;
  }
  let bits = 0;
  for (let b = 0; b < 256; b++) {
    const c = counts[b];
    if (c > 0) bits -= c * Math.log2(c / SAMPLE_BYTES);
  }
  return bits / SAMPLE_BYTES > RANDOM_BITS_PER_BYTE;
}
