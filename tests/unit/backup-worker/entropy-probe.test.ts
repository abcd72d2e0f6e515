import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { looksIncompressible } from '../../../backup-worker/engine/entropy-probe.js';

describe('looksIncompressible (the probe that skips compressing random data)', () => {
  const BLOCK = 256 * 1024;

  it('judges random (or encrypted) blocks incompressible', () => {
    expect(looksIncompressible(randomBytes(BLOCK))).to.equal(true);
    expect(looksIncompressible(randomBytes(BLOCK - 1000))).to.equal(true);
  });

  it('lets text, zeros-and-data mixes and small buffers be compressed', () => {
    const text = Buffer.from(Array.from({ length: 20_000 }, (_, i) => `{"n": ${i}, "name": "volume-${i % 97}"}\n`).join('')).subarray(0, BLOCK);
    expect(looksIncompressible(text)).to.equal(false);
    const mixed = Buffer.alloc(BLOCK);
    randomBytes(BLOCK / 2).copy(mixed);
    expect(looksIncompressible(mixed)).to.equal(false);
    expect(looksIncompressible(randomBytes(1024))).to.equal(false);
  });
});
