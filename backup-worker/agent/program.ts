import { randomUUID } from 'node:crypto';
import { Command, CommanderError, Option } from 'commander';
import { errorMessage } from '../../common/errors.js';
import type { BackupRepository, Progress } from '../engine/index.js';
import { backupReadsAhead, ReadAheadStore, type ReadsAhead } from '../engine/read-ahead.js';
import { COMPRESSIONS, type Compression } from '../engine/repo-config.js';
import { unlockIfInitialized, unlockRepository } from '../engine/unlock.js';
import { AGENT_EXIT_CODES, AGENT_EXIT_HELP, agentExitCodeFor, DamagedBackupError, type AgentExitCode } from './exit-codes.js';
import { progressBar } from './progress-bar.js';
import { agentRepository, type AgentRepositoryOptions } from './agent-repository.js';

export interface AgentIo {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { isTTY?: boolean; write(s: string): unknown };
  readonly env: NodeJS.ProcessEnv;
}

interface RepoOptions extends AgentRepositoryOptions {
  readonly json?: boolean;
  readonly progress?: boolean;
}

/** The `floe-agent` command tree: the backup engine without the service. */
export function buildAgentProgram(io: AgentIo): Command {
  const program = new Command('floe-agent')
    .description('Back up and restore a file or block device to a Floe repository (no API needed).')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .addHelpText('after', `\nRepository: --repo <path> | --repository <name> (configured in FLOE_BACKUP_REPOSITORIES, with its credentials and secret)\nSecret: --password-file F | env FLOE_REPO_PASSWORD | --key-file F | env FLOE_REPO_KEY_FILE\n\n${AGENT_EXIT_HELP}`);
  const say = (text: string): void => void io.stdout.write(`${text}\n`);
  const json = (value: unknown): void => void io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  const withRepo = async (o: RepoOptions, readsAhead?: ReadsAhead) => (await openRepository(o, io, { readsAhead })).repo;

  command(program, 'init', 'create a repository (a configured one with its configured settings, unless overridden here)')
    .addOption(new Option('--compression <name>', 'chunk compression (default: the configured one, else zstd)').choices(COMPRESSIONS))
    .option('--no-encryption', 'store chunks unencrypted (no secret needed)')
    .action(async (o: RepoOptions & { compression?: Compression; encryption: boolean }) => {
      const [{ BackupRepository }, { store, secret, where, initOptions }] = await Promise.all([loadEngine(), agentRepository(o, io.env)]);
      const overrides = { ...(o.compression && { compression: o.compression }), ...(!o.encryption && { encrypted: false }) };
      const repo = await closingOnFailure(store, () => BackupRepository.init(store, secret, { ...initOptions, ...overrides }));
      await repo.close();
      say(`Initialized repository ${repo.config.repositoryId} at ${where}`);
    });
  command(program, 'backup', 'back up a file or block device; prints the backup id')
    .argument('<source>', 'file or block device')
    .option('--id <id>', 'backup id (default: a new UUID)')
    .action(async (source: string, o: RepoOptions & { id?: string }) => {
      const { engine, repo } = await openRepository(o, io, { createIfMissing: true });
      const input = await closingOnFailure(repo, () => engine.openBlockFile(source));
      const summary = await withProgress(io, o, (progress) => repo.backup(input, { backupId: o.id ?? randomUUID(), progress })).finally(() => Promise.all([input.close(), repo.close()]));
      if (o.json) json(summary);
      else say(summary.backupId);
    });
  command(program, 'restore', 'restore a backup to a file or block device')
    .argument('<backup-id>')
    .argument('<target>', 'file (created or overwritten) or block device')
    .action(async (id: string, target: string, o: RepoOptions) => {
      const repo = await withRepo(o, backupReadsAhead(id));
      const summary = await withProgress(io, o, (progress) => repo.restore(id, target, { progress })).finally(() => repo.close());
      if (o.json) json(summary);
    });
  command(program, 'list', 'list the backups')
    .action(async (o: RepoOptions) => {
      const repo = await withRepo(o);
      const backups = await repo.listBackups().finally(() => repo.close());
      if (o.json) return json(backups);
      for (const b of backups) say(`${b.backupId}  ${b.finishedAt}  ${b.sizeBytes} bytes  ${b.sourceName}`);
    });
  command(program, 'verify', 're-read and check every chunk of a backup (exit 1 on damage)')
    .argument('<backup-id>')
    .action(async (id: string, o: RepoOptions) => {
      const repo = await withRepo(o, backupReadsAhead(id));
      const report = await withProgress(io, o, (progress) => repo.verify(id, { progress })).finally(() => repo.close());
      if (o.json) json(report);
      else say(report.ok ? `Backup ${id}: ${report.chunksChecked} chunks checked, no errors` : report.errors.join('\n'));
      if (!report.ok) throw new DamagedBackupError(id, report.errors.length);
    });
  command(program, 'delete', 'delete a backup (prune reclaims its data)')
    .argument('<backup-id>')
    .action(async (id: string, o: RepoOptions) => {
      const repo = await withRepo(o);
      await repo.deleteBackup(id).finally(() => repo.close());
    });
  command(program, 'prune', 'remove data no backup references (takes the repository lock)')
    .action(async (o: RepoOptions) => {
      const repo = await withRepo(o);
      const report = await repo.prune().finally(() => repo.close());
      if (o.json) json(report);
      else say(`Removed ${report.packsRemoved} packs and ${report.temporariesRemoved} leftovers of interrupted writes, rewrote ${report.packsRewritten} packs, freed ${report.bytesFreed} bytes`);
    });
  return program;
}

function command(program: Command, name: string, description: string): Command {
  return program
    .command(name)
    .description(description)
    .option('--repo <url>', 'repository: a directory path or file:///path')
    .option('--repository <name>', 'a repository configured in FLOE_BACKUP_REPOSITORIES (local, sftp, s3 or swift)')
    .option('--password-file <file>', 'file holding the repository passphrase')
    .option('--key-file <file>', 'key file (instead of a passphrase)')
    .option('--json', 'print the result as JSON')
    .option('--no-progress', 'no progress bar (it is shown only when stderr is a terminal)');
}

type Engine = typeof import('../engine/index.js');

/** The engine and its native bindings: about as long to load here as scrypt takes. */
function loadEngine(): Promise<Engine> {
  return import('../engine/index.js');
}

/**
 * Opens the repository (with `createIfMissing`, as a backup does, creates it when it has no config
 * yet). Once the config is read, while scrypt derives the key on the thread pool, the engine loads on
 * the main thread (earlier, it would delay a remote store's connection) and the store starts
 * `readsAhead`.
 */
async function openRepository(o: RepoOptions, io: AgentIo, { createIfMissing = false, readsAhead }: { createIfMissing?: boolean; readsAhead?: ReadsAhead } = {}): Promise<{ engine: Engine; repo: BackupRepository }> {
  const unlock = createIfMissing ? unlockIfInitialized : unlockRepository;
  const { store: opened, secret, initOptions } = await agentRepository(o, io.env);
  const readingAhead = readsAhead && new ReadAheadStore(opened, readsAhead);
  const store = readingAhead ?? opened;
  return closingOnFailure(store, async () => {
    const onConfigRead = (): void => {
      // Node keeps one load per module: the import started here is the one awaited below, where a
      // failure is reported unless the unlock's error comes first.
      void loadEngine().catch(() => undefined);
      readingAhead?.start();
    };
    const unlocked = await unlock(store, secret, { onConfigRead });
    const engine = await loadEngine();
    return { engine, repo: await engine.BackupRepository.unlockedOrInit(store, secret, unlocked, initOptions) };
  });
}

/**
 * Runs `use`, closing the store if it fails: an open SFTP or HTTP connection would keep the
 * process alive after the error is reported.
 */
async function closingOnFailure<T>(store: { close(): Promise<void> }, use: () => Promise<T>): Promise<T> {
  try {
    return await use();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
}

async function withProgress<T>(io: AgentIo, o: RepoOptions, run: (p: Progress | undefined) => Promise<T>): Promise<T> {
  const bar = progressBar(io.stderr, o.progress !== false);
  try {
    return await run(bar.progress);
  } finally {
    bar.done();
  }
}

/** Runs one command line; returns the exit code after printing any error. */
export async function runAgent(args: readonly string[], io: AgentIo): Promise<AgentExitCode> {
  try {
    await buildAgentProgram(io).parseAsync([...args], { from: 'user' });
    return AGENT_EXIT_CODES.ok;
  } catch (err) {
    if (!(err instanceof CommanderError)) io.stderr.write(`floe-agent: ${errorMessage(err)}\n`);
    return agentExitCodeFor(err);
  }
}
