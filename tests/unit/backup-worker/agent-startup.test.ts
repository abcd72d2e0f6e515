import { execFileSync } from 'node:child_process';
import { expect } from 'chai';

const NATIVE_BINDINGS = /@mongodb-js\/zstd|@napi-rs\/blake-hash/;

/** The packages of the two native bindings that a fresh Node process has loaded after importing `modules` in turn. */
function bindingsLoadedAfter(...modules: string[]): string[][] {
  const urls = modules.map((m) => new URL(`../../../backup-worker/${m}`, import.meta.url).href);
  const script = `
    import { createRequire } from 'node:module';
    const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((f) => ${NATIVE_BINDINGS}.test(f) && f.endsWith('.node'));
    const after = [];
    for (const url of ${JSON.stringify(urls)}) { await import(url); after.push(loaded()); }
    console.log(JSON.stringify(after));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as string[][];
}

// floe-agent derives the repository key (scrypt, on the thread pool) while the engine loads: that only
// overlaps while the modules the agent loads before the key leave the engine and its bindings out.
describe('floe-agent start-up', () => {
  it('loads the zstd and BLAKE3 bindings with the engine, not with the agent and the key derivation', () => {
    const [afterAgent, afterEngine] = bindingsLoadedAfter('agent/program.js', 'engine/index.js');
    expect(afterAgent).to.deep.equal([]);
    expect(afterEngine).to.have.length(2);
  });
});
