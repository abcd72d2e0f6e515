import type { Command } from 'commander';
import type { ContextFactory } from '../context.js';
import type { Column } from '../output.js';
import type { BackupRepository } from '../types.js';

export const REPOSITORY_COLUMNS: readonly Column<BackupRepository>[] = [
  { header: 'Name', value: (r) => r.name },
  { header: 'Type', value: (r) => r.type },
  { header: 'State', value: (r) => r.state },
  { header: 'Default', value: (r) => (r.default ? 'yes' : 'no') },
  { header: 'Replicates to', value: (r) => r.replicate_to },
  { header: 'Detail', value: (r) => r.detail },
];

export function registerRepositoryCommands(program: Command, contextOf: ContextFactory): void {
  program
    .command('repository')
    .description('backup repositories (Floe extension): where backups and their copies are kept')
    .command('list')
    .description('list the repositories this project may back up to, with their state as the backup workers last found it')
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      ctx.printer.list(await ctx.api.listBackupRepositories(), REPOSITORY_COLUMNS);
    });
}
