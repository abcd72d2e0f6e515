import { expect } from 'chai';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackupRepository } from '../../../backup-worker/engine/index.js';
import { LocalRepository } from '../../../backup-worker/repositories/index.js';
import { readSftpKnownHostsLine, removeSftpTestRepositories, SFTP_TEST, sftpTestPath } from '../../support/sftp-server.js';

const AGENT = join(process.cwd(), 'dist', 'bin', 'floe-agent.js');
const BLOCK = 256 * 1024;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [AGENT, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
}

function agent(...args: string[]): Promise<Run> {
  return agentWith({}, ...args);
}

/** Runs floe-agent; one still running after `killAfterMs` is killed (its code is then null). */
function agentWith(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Run> {
  return agentWithin(50_000, env, ...args);
}

function agentWithin(killAfterMs: number, env: NodeJS.ProcessEnv, ...args: string[]): Promise<Run> {
  const child = start(args, env);
  const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    }),
  );
}

async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])).filter((e) => e.isFile()).map((e) => e.name);
}

describe('floe-agent (the built CLI)', function () {
  this.timeout(60_000);
  let dir: string;
  let repo: string;
  let secret: string[];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-agent-'));
    repo = join(dir, 'repo');
    await writeFile(join(dir, 'pw'), 'a passphrase\n');
    secret = ['--repo', repo, '--password-file', join(dir, 'pw')];
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('backs up (auto-init), lists, restores, verifies, deletes and prunes', async () => {
    const image = Buffer.concat([randomBytes(3 * BLOCK), Buffer.alloc(2 * BLOCK), randomBytes(1000)]);
    await writeFile(join(dir, 'vol.img'), image);
    const backup = await agent('backup', ...secret, '--json', '--id', 'first', join(dir, 'vol.img'));
    expect(backup.code, backup.stderr).to.equal(0);
    expect(JSON.parse(backup.stdout)).to.include({ backupId: 'first', sizeBytes: image.length, chunkCount: 4 });
    const second = await agent('backup', ...secret, join(dir, 'vol.img'));
    expect(second.code).to.equal(0);
    const secondId = second.stdout.trim();
    const list = JSON.parse((await agent('list', ...secret, '--json')).stdout) as Array<{ backupId: string }>;
    expect(list.map((b) => b.backupId).sort()).to.deep.equal(['first', secondId].sort());
    expect((await agent('restore', ...secret, 'first', join(dir, 'out.img'))).code).to.equal(0);
    expect((await readFile(join(dir, 'out.img'))).equals(image)).to.equal(true);
    const verify = await agent('verify', ...secret, secondId, '--json');
    expect(JSON.parse(verify.stdout)).to.include({ ok: true, chunksChecked: 4 });
    expect((await agent('delete', ...secret, 'first')).code).to.equal(0);
    const prune = await agent('prune', ...secret, '--json');
    expect(JSON.parse(prune.stdout)).to.include({ packsRemoved: 0 });
  });

  it('init --repository creates a configured repository with its compression and pack size, unless its options say otherwise', async () => {
    const configured = [
      { name: 'tuned', type: 'local', path: join(dir, 'tuned'), compression: 'gzip', packSize: '2M', encryption: { passwordFile: join(dir, 'pw') } },
      { name: 'plain', type: 'local', path: join(dir, 'plain'), compression: 'gzip', encryption: 'none' },
    ];
    const env = { FLOE_BACKUP_REPOSITORIES: JSON.stringify(configured), FLOE_DATA_DIR: dir };
    const tuned = await agentWith(env, 'init', '--repository', 'tuned');
    expect(tuned.code, tuned.stderr).to.equal(0);
    const plain = await agentWith(env, 'init', '--repository', 'plain', '--compression', 'zstd');
    expect(plain.code, plain.stderr).to.equal(0);
    const config = async (name: string) => JSON.parse(await readFile(join(dir, name, 'config', 'config'), 'utf8')) as Record<string, unknown>;
    expect(await config('tuned')).to.include({ compression: 'gzip', packSizeBytes: 2 * 1024 * 1024 });
    expect((await config('tuned')).encryption).to.not.equal(null);
    expect(await config('plain')).to.include({ compression: 'zstd', packSizeBytes: 16 * 1024 * 1024, encryption: null });
  });

  it('exits 4 on a wrong key, 3 on an unknown backup, 2 on bad usage, 1 when verify finds damage', async () => {
    await writeFile(join(dir, 'vol.img'), randomBytes(2 * BLOCK));
    expect((await agent('backup', ...secret, '--id', 'b', join(dir, 'vol.img'))).code).to.equal(0);
    await writeFile(join(dir, 'bad'), 'not it\n');
    const wrong = await agent('list', '--repo', repo, '--password-file', join(dir, 'bad'));
    expect(wrong.code).to.equal(4);
    expect(wrong.stderr).to.match(/Wrong repository key/);
    expect((await agent('verify', ...secret, 'missing')).code).to.equal(3);
    expect((await agent('restore', ...secret)).code).to.equal(2);
    const [pack] = (await readdir(join(repo, 'packs'), { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
    const path = join(pack.parentPath, pack.name);
    const bytes = await readFile(path);
    bytes[40] ^= 1;
    await writeFile(path, bytes);
    const verify = await agent('verify', ...secret, 'b');
    expect(verify.code).to.equal(1);
    expect(verify.stdout).to.match(/Backup b is damaged at offset \d+/);
  });

  it('a backup killed with SIGKILL leaves no manifest; the next backup and prune work', async () => {
    const store = new LocalRepository(repo);
    await BackupRepository.init(store, { passphrase: 'a passphrase' }, { packSizeBytes: 256 * 1024, compression: 'gzip' });
    const image = randomBytes(32 * 1024 * 1024);
    await writeFile(join(dir, 'vol.img'), image);
    const child = start(['backup', ...secret, '--id', 'killed', join(dir, 'vol.img')]);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const savedPacks = async (): Promise<number> => (await filesUnder(join(repo, 'packs'))).filter((n) => !n.startsWith('.tmp-')).length;
    while ((await savedPacks()) < 2) await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGKILL');
    await exited;
    expect(await filesUnder(join(repo, 'manifests'))).to.deep.equal([]);
    expect(await filesUnder(join(repo, 'locks'))).to.have.length(1);
    const next = await agent('backup', ...secret, '--id', 'next', join(dir, 'vol.img'));
    expect(next.code, next.stderr).to.equal(0);
    const prune = await agent('prune', ...secret, '--json');
    expect(prune.code, prune.stderr).to.equal(0);
    expect(JSON.parse(prune.stdout).packsRemoved).to.be.at.least(2);
    expect(await filesUnder(join(repo, 'locks'))).to.deep.equal([]);
    const verify = await agent('verify', ...secret, 'next', '--json');
    expect(JSON.parse(verify.stdout)).to.include({ ok: true });
  });

  it('exits after an error with an SFTP repository instead of hanging on its open connection', async () => {
    after(removeSftpTestRepositories);
    const configured = [
      {
        name: 'remote',
        type: 'sftp',
        host: SFTP_TEST.host,
        port: SFTP_TEST.port,
        user: SFTP_TEST.username,
        path: sftpTestPath('agent'),
        hostKey: await readSftpKnownHostsLine(),
        privateKeyFile: SFTP_TEST.privateKeyPath,
      },
    ];
    const env = { FLOE_BACKUP_REPOSITORIES: JSON.stringify(configured), FLOE_DATA_DIR: dir };
    const remote = ['--repository', 'remote', '--password-file', join(dir, 'pw')];
    // Each of these failed after the connection was made, and the process stayed alive on it.
    const uninitialized = await agentWithin(15_000, env, 'list', ...remote);
    expect(uninitialized.code, uninitialized.stderr).to.equal(3);
    expect(uninitialized.stderr).to.match(/not initialized/);
    await writeFile(join(dir, 'vol.img'), randomBytes(2 * BLOCK));
    const backup = await agentWithin(15_000, env, 'backup', ...remote, '--id', 'b', join(dir, 'vol.img'));
    expect(backup.code, backup.stderr).to.equal(0);
    await writeFile(join(dir, 'bad'), 'not it\n');
    const wrongKey = await agentWithin(15_000, env, 'restore', '--repository', 'remote', '--password-file', join(dir, 'bad'), 'b', join(dir, 'out.img'));
    expect(wrongKey.code, wrongKey.stderr).to.equal(4);
    const missingSource = await agentWithin(15_000, env, 'backup', ...remote, join(dir, 'missing.img'));
    expect(missingSource.code, missingSource.stderr).to.be.a('number').and.not.equal(0);
    expect(missingSource.stderr).to.match(/missing\.img/);
    const initAgain = await agentWithin(15_000, env, 'init', ...remote);
    expect(initAgain.code, initAgain.stderr).to.be.a('number').and.not.equal(0);
  });

  it('runs as its own command with one malloc arena (its #! line), as the benchmark runs it', async () => {
    const fifo = join(dir, 'pw.fifo');
    execFileSync('mkfifo', [fifo]);
    await writeFile(join(dir, 'vol.img'), randomBytes(BLOCK));
    // The agent waits on the FIFO for its passphrase, which leaves time to read its environment.
    const child = spawn(AGENT, ['backup', '--repo', repo, '--password-file', fifo, join(dir, 'vol.img')], { env: { PATH: process.env.PATH ?? '' } });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const proc = `/proc/${child.pid}`;
    const isNode = async () => (await readFile(`${proc}/cmdline`, 'utf8').catch(() => '')).split('\0')[0].endsWith('node');
    while (!(await isNode())) await new Promise((r) => setTimeout(r, 5));
    const environment = (await readFile(`${proc}/environ`, 'utf8')).split('\0');
    expect(environment).to.include('GLIBC_TUNABLES=glibc.malloc.arena_max=1');
    await writeFile(fifo, 'a passphrase\n');
    expect(await exited).to.equal(0);
  });
});
