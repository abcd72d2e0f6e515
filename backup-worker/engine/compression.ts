import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { Compression } from './repo-config.js';

/** Permanent ids stored in each blob's header byte; never reuse one. */
export const CODEC_IDS = { none: 0, zstd: 1, gzip: 2 } as const satisfies Record<Compression, number>;
export type CodecId = (typeof CODEC_IDS)[Compression];

const ZSTD_LEVEL = 1;
const GZIP_LEVEL = 6;

/** The JS wrapper of @mongodb-js/zstd drops the level; its native binding honours it. */
interface ZstdBinding {
  compress(data: Buffer, level?: number): Promise<Buffer>;
  decompress(data: Buffer): Promise<Buffer>;
}
const zstd = createRequire(import.meta.url)('@mongodb-js/zstd/bindings.js') as ZstdBinding;
const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Compresses on libuv's thread pool; the result may be larger than the input. */
export function compress(compression: Compression, data: Buffer): Promise<Buffer> {
  if (compression === 'zstd') return zstd.compress(data, ZSTD_LEVEL);
  if (compression === 'gzip') return gzipAsync(data, { level: GZIP_LEVEL });
  return Promise.resolve(data);
}

export function decompress(codec: number, data: Buffer): Promise<Buffer> {
  if (codec === CODEC_IDS.zstd) return zstd.decompress(data);
  if (codec === CODEC_IDS.gzip) return gunzipAsync(data);
  if (codec === CODEC_IDS.none) return Promise.resolve(data);
  return Promise.reject(new Error(`unknown compression id ${codec}`));
}
