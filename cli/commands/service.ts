import type { Command } from 'commander';
import type { ContextFactory } from '../context.js';
import type { Column } from '../output.js';
import type { Service } from '../types.js';

export const SERVICE_COLUMNS: readonly Column<Service>[] = [
  { header: 'Binary', value: (s) => s.binary },
  { header: 'Host', value: (s) => s.host },
  { header: 'Zone', value: (s) => s.zone },
  { header: 'Status', value: (s) => s.status },
  { header: 'State', value: (s) => s.state },
  { header: 'Updated at', value: (s) => s.updated_at },
  { header: 'Disabled reason', value: (s) => s.disabled_reason },
];

export function registerServiceCommands(program: Command, contextOf: ContextFactory): void {
  program
    .command('service')
    .description('Floe services and their heartbeats (admin)')
    .command('list')
    .description('list services')
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      ctx.printer.list(await ctx.api.listServices(), SERVICE_COLUMNS);
    });
}
