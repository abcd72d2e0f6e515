import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { startStack, type Stack } from '../support/stack.js';

const FLOE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../cli/main.js');
const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const BACKEND = 'clibk';
const MISSING = '00000000-0000-4000-8000-000000000000';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

interface BackupJson {
  id: string;
  name: string;
  status: string;
  volume_id: string;
  progress: number;
  fail_reason: string | null;
  verify_status?: string;
  verify_result?: string;
}

/** `floe backup ...` through the built CLI against a stack with a backup worker. */
describe('e2e: floe backup commands against the real processes', function () {
  this.timeout(300_000);
  let stack: Stack;

  before(async () => {
    stack = await startStack({ backends: [{ name: BACKEND, capacityGb: 20 }], backup: true });
  });
  after(async () => stack?.stop());

  function floe(...args: string[]): Promise<Run> {
    const env = { PATH: process.env.PATH, FLOE_ENDPOINT: stack.apiUrl, FLOE_USER: 'demo', FLOE_PROJECT: 'demo' };
    return new Promise((resolve) => {
      execFile(process.execPath, [FLOE, ...args], { env, timeout: 180_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      });
    });
  }

  /** Runs `floe --json ...`, expects exit 0 and returns the parsed output. */
  async function floeJson<T>(...args: string[]): Promise<T> {
    const res = await floe('--json', ...args);
    expect(res.code, `floe ${args.join(' ')}\n${res.stdout}\n${res.stderr}`).to.equal(0);
    return JSON.parse(res.stdout) as T;
  }

  function volumeFile(id: string): string {
    return path.join(stack.dataDir, 'volumes', BACKEND, `volume-${id}.img`);
  }

  async function digest(id: string): Promise<string> {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(volumeFile(id), { start: 0, end: GIB - 1 })) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  async function createVolume(name: string): Promise<string> {
    return (await floeJson<{ id: string }>('volume', 'create', '1', '--name', name, '--wait')).id;
  }

  it('creates, lists, shows, restores (new and existing volume), verifies and deletes a backup with --wait', async () => {
    const vol = await createVolume('clibk-src');
    const fh = await open(volumeFile(vol), 'r+');
    await fh.write(randomBytes(8 * MIB), 0, 8 * MIB, 10 * MIB).finally(() => fh.close());
    const source = await digest(vol);

    const created = await floeJson<BackupJson>('backup', 'create', 'clibk-src', '--name', 'clibk-full', '--wait');
    expect(created).to.include({ name: 'clibk-full', status: 'available', volume_id: vol, progress: 100, fail_reason: null });
    const table = await floe('backup', 'list');
    expect(table.code, table.stderr).to.equal(0);
    expect(table.stdout).to.match(/clibk-full/).and.match(/available/);
    const listed = await floeJson<BackupJson[]>('backup', 'list', '--volume', vol);
    expect(listed.map((b) => b.id)).to.deep.equal([created.id]);
    expect(await floeJson<BackupJson>('backup', 'show', 'clibk-full')).to.include({ id: created.id, status: 'available' });

    const restored = await floeJson<{ backup_id: string; volume_id: string }>('backup', 'restore', 'clibk-full', '--name', 'clibk-new', '--wait');
    expect(restored.backup_id).to.equal(created.id);
    expect(await floeJson<{ status: string; name: string }>('volume', 'show', restored.volume_id)).to.include({ status: 'available', name: 'clibk-new' });
    expect(await digest(restored.volume_id)).to.equal(source);

    const target = await createVolume('clibk-target');
    const overwritten = await floeJson<{ volume_id: string }>('backup', 'restore', created.id, '--volume', 'clibk-target', '--wait');
    expect(overwritten.volume_id).to.equal(target);
    expect((await floeJson<{ status: string }>('volume', 'show', target)).status).to.equal('available');
    expect(await digest(target)).to.equal(source);

    const verified = await floeJson<BackupJson>('backup', 'verify', 'clibk-full', '--wait');
    expect(verified.verify_status, verified.verify_result).to.equal('ok');

    const deleted = await floe('backup', 'delete', 'clibk-full', '--wait');
    expect(deleted.code, deleted.stderr).to.equal(0);
    expect(deleted.stdout).to.match(/has been deleted/);
    const gone = await floe('backup', 'show', created.id);
    expect(gone.code, gone.stderr).to.equal(3);
    expect((await floeJson<BackupJson[]>('backup', 'list')).map((b) => b.id)).to.not.include(created.id);
  });

  it('exits 3 for a backup that does not exist, whatever the command', async () => {
    for (const args of [['show', MISSING], ['show', 'no-such-backup'], ['restore', 'no-such-backup', '--wait'], ['verify', MISSING], ['delete', 'no-such-backup']]) {
      const res = await floe('backup', ...args);
      expect(res.code, `floe backup ${args.join(' ')}: ${res.stderr}`).to.equal(3);
      expect(res.stderr).to.match(/No backup with a name or ID/);
    }
  });

  it('exits 3 when the volume to back up does not exist, and 1 when the API refuses the backup', async () => {
    expect((await floe('backup', 'create', 'no-such-volume', '--wait')).code).to.equal(3);
    const vol = await createVolume('clibk-noincr');
    const refused = await floe('backup', 'create', vol, '--incremental', '--wait');
    expect(refused.code, refused.stderr).to.equal(1);
    expect(refused.stderr).to.match(/incremental/i);
  });
});
