import type { Command } from 'commander';
import type { ContextFactory } from '../context.js';
import type { Column } from '../output.js';
import type { Pool } from '../types.js';

const NAME_COLUMN: Column<Pool> = { header: 'Name', value: (p) => p.name };

/** `--detail` columns: the capabilities the scheduler weighs (DESIGN, Scheduler). */
const CAPABILITY_COLUMNS: readonly [string, string][] = [
  ['Backend', 'volume_backend_name'],
  ['Zone', 'availability_zone'],
  ['Total GB', 'total_capacity_gb'],
  ['Free GB', 'free_capacity_gb'],
  ['Provisioned GB', 'provisioned_capacity_gb'],
  ['Reserved %', 'reserved_percentage'],
  ['Thin', 'thin_provisioning_support'],
  ['Max over-subscription', 'max_over_subscription_ratio'],
];

export function poolColumns(detail: boolean): Column<Pool>[] {
  const capabilities = CAPABILITY_COLUMNS.map(([header, key]): Column<Pool> => ({
    header,
    value: (p) => p.capabilities?.[key],
  }));
  return detail ? [NAME_COLUMN, ...capabilities] : [NAME_COLUMN];
}

export function registerPoolCommands(program: Command, contextOf: ContextFactory): void {
  program
    .command('pool')
    .description('storage pools as the scheduler sees them (admin)')
    .command('list')
    .description('list pools')
    .option('--detail', 'show capacities and capabilities')
    .action(async (opts: { detail?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const detail = opts.detail === true;
      ctx.printer.list(await ctx.api.listPools(detail), poolColumns(detail));
    });
}
