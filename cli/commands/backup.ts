import type { Command } from 'commander';
import { parsePositiveInteger } from '../arguments.js';
import { BACKUP_CREATED, BACKUP_DELETED, BACKUP_RESTORED, waitForBackup, waitForVerify } from '../backup-wait.js';
import type { CommandContext, ContextFactory } from '../context.js';
import { AmbiguousNameError, NoMatchError } from '../errors.js';
import type { FloeApi } from '../floe-api.js';
import { findVolume } from '../find-volume.js';
import { isUuid } from '../../common/ids.js';
import type { Backup } from '../types.js';
import { BACKUP_COLUMNS, backupView } from './backup-view.js';

interface CreateOptions {
  readonly repository?: string;
  readonly name?: string;
  readonly description?: string;
  readonly incremental?: boolean;
  readonly wait?: boolean;
}

interface RestoreOptions {
  readonly volume?: string;
  readonly name?: string;
  readonly wait?: boolean;
}

interface WaitOption {
  readonly wait?: boolean;
}

const WAIT_HELP = 'follow it with a progress bar until it ends (see --timeout)';

export function registerBackupCommands(program: Command, contextOf: ContextFactory): void {
  const backup = program.command('backup').description('back up and restore volumes (a name or an id names a backup)');
  backup
    .command('create')
    .description('back up a volume')
    .argument('<volume>', 'volume name or id')
    .option('--repository <name>', 'the backup repository (see `floe repository list`; default: the default one)')
    .option('--name <name>', 'backup name')
    .option('--description <text>', 'backup description')
    .option('--incremental', 'label it incremental (needs an earlier available backup of the volume)')
    .option('--wait', WAIT_HELP)
    .action((ref: string, opts: CreateOptions, cmd: Command) => createBackup(contextOf(cmd), ref, opts));
  backup
    .command('list')
    .description('list backups (every page)')
    .option('--name <name>', 'only backups with this name')
    .option('--volume <volume-id>', 'only backups of this volume id')
    .option('--limit <n>', 'at most this many backups', parsePositiveInteger)
    .action(async (opts: { name?: string; volume?: string; limit?: number }, cmd: Command) => {
      const ctx = contextOf(cmd);
      ctx.printer.list(await ctx.api.listBackups({ name: opts.name, volumeId: opts.volume, limit: opts.limit }), BACKUP_COLUMNS);
    });
  backup
    .command('show')
    .description('show one backup')
    .argument('<backup>', 'name or id')
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      ctx.printer.record(await findBackup(ctx.api, ref), backupView);
    });
  backup
    .command('restore')
    .description('restore a backup to a new volume, or to an existing available volume (--volume)')
    .argument('<backup>', 'name or id')
    .option('--volume <volume>', 'existing volume (name or id) to overwrite')
    .option('--name <name>', 'name of the new volume')
    .option('--wait', WAIT_HELP)
    .action((ref: string, opts: RestoreOptions, cmd: Command) => restoreBackup(contextOf(cmd), ref, opts));
  backup
    .command('delete')
    .description('delete a backup (no other backup depends on it)')
    .argument('<backup>', 'name or id')
    .option('--wait', WAIT_HELP)
    .action((ref: string, opts: WaitOption, cmd: Command) => deleteBackup(contextOf(cmd), ref, opts));
  backup
    .command('verify')
    .description('re-read every chunk of a backup and check it (Floe extension os-verify)')
    .argument('<backup>', 'name or id')
    .option('--wait', 'wait for the outcome (exit 1 when the backup is damaged)')
    .action((ref: string, opts: WaitOption, cmd: Command) => verifyBackup(contextOf(cmd), ref, opts));
}

/** A UUID is fetched directly; otherwise exactly one backup must have that exact name. */
export async function findBackup(api: FloeApi, ref: string): Promise<Backup> {
  const byId = isUuid(ref) ? await api.getBackupIfExists(ref) : undefined;
  if (byId) return byId;
  const matches = (await api.listBackups({ name: ref })).filter((b) => b.name === ref);
  if (matches.length === 0) throw new NoMatchError('backup', ref);
  if (matches.length > 1) throw new AmbiguousNameError('backup', ref, matches.length);
  return matches[0];
}

async function createBackup(ctx: CommandContext, ref: string, opts: CreateOptions): Promise<void> {
  const volume = await findVolume(ctx.api, ref);
  const request = {
    volume_id: volume.id, container: opts.repository, name: opts.name, description: opts.description, incremental: opts.incremental ?? false,
  };
  const { id } = await ctx.api.createBackup(request);
  if (opts.wait) await waitForBackup(ctx.api, id, BACKUP_CREATED, ctx.wait, ctx.progress());
  ctx.printer.record(await ctx.api.getBackup(id), backupView);
}

async function restoreBackup(ctx: CommandContext, ref: string, opts: RestoreOptions): Promise<void> {
  const backup = await findBackup(ctx.api, ref);
  const volumeId = opts.volume === undefined ? null : (await findVolume(ctx.api, opts.volume)).id;
  const restore = await ctx.api.restoreBackup(backup.id, { volume_id: volumeId, name: opts.name ?? null });
  if (opts.wait) await waitForBackup(ctx.api, backup.id, BACKUP_RESTORED, ctx.wait, ctx.progress());
  ctx.printer.record({ backup_id: backup.id, ...restore }, (r) => r);
}

async function deleteBackup(ctx: CommandContext, ref: string, opts: WaitOption): Promise<void> {
  const backup = await findBackup(ctx.api, ref);
  await ctx.api.deleteBackup(backup.id);
  if (opts.wait) await waitForBackup(ctx.api, backup.id, BACKUP_DELETED, ctx.wait, ctx.progress());
  const text = opts.wait ? `Backup ${backup.id} has been deleted.` : `Request to delete backup ${backup.id} has been accepted.`;
  ctx.printer.result({ id: backup.id, status: opts.wait ? 'deleted' : 'deleting' }, text);
}

async function verifyBackup(ctx: CommandContext, ref: string, opts: WaitOption): Promise<void> {
  const backup = await findBackup(ctx.api, ref);
  await ctx.api.verifyBackup(backup.id);
  const shown = opts.wait ? await waitForVerify(ctx.api, backup.id, ctx.wait, ctx.progress()) : await ctx.api.getBackup(backup.id);
  ctx.printer.record(shown, backupView);
}
