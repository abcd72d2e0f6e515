import type { Command } from 'commander';
import { collectMetadata, parsePositiveInteger, parseWholeNumber } from '../arguments.js';
import type { CommandContext, ContextFactory } from '../context.js';
import { BatchError, UsageError, formatError } from '../errors.js';
import { findVolume } from '../find-volume.js';
import type { Volume, VolumeCreateRequest, VolumeUpdateRequest } from '../types.js';
import { VOLUME_CREATED, VOLUME_DELETED, volumeExtended, waitForVolume } from '../wait.js';
import { volumeColumns, volumeView } from './volume-view.js';

interface CreateOptions {
  readonly name?: string;
  readonly description?: string;
  readonly availabilityZone?: string;
  readonly type?: string;
  readonly metadata?: Record<string, string>;
  readonly wait?: boolean;
}

interface ListOptions {
  readonly allProjects?: boolean;
  readonly status?: string;
  readonly name?: string;
  readonly limit?: number;
  readonly long?: boolean;
}

type UpdateOptions = Pick<CreateOptions, 'name' | 'description' | 'metadata'>;

interface WaitOption {
  readonly wait?: boolean;
}

const WAIT_HELP = 'wait for the final status (see --timeout)';

export function registerVolumeCommands(program: Command, contextOf: ContextFactory): void {
  const volume = program.command('volume').description('manage volumes (a name or an id names a volume)');
  volume
    .command('create')
    .description('create a volume')
    .argument('<size>', 'size in GB', parseWholeNumber)
    .option('--name <name>', 'volume name')
    .option('--description <text>', 'volume description')
    .option('--availability-zone <zone>', 'availability zone to create it in')
    .option('--type <type>', 'volume type name or id')
    .option('--metadata <key=value>', 'a metadata item (repeatable)', collectMetadata)
    .option('--wait', WAIT_HELP)
    .action((size: number, opts: CreateOptions, cmd: Command) => createVolume(contextOf(cmd), size, opts));
  volume
    .command('list')
    .description('list volumes (every page)')
    .option('--all-projects', 'volumes of every project (admin)')
    .option('--status <status>', 'only volumes in this status')
    .option('--name <name>', 'only volumes with this name')
    .option('--limit <n>', 'at most this many volumes', parsePositiveInteger)
    .option('--long', 'more columns')
    .action((opts: ListOptions, cmd: Command) => listVolumes(contextOf(cmd), opts));
  volume
    .command('show')
    .description('show one volume')
    .argument('<volume>', 'name or id')
    .action(async (ref: string, _opts: unknown, cmd: Command) => showVolume(contextOf(cmd), ref));
  volume
    .command('update')
    .description('rename a volume, change its description, add or change metadata items')
    .argument('<volume>', 'name or id')
    .option('--name <name>', 'new name')
    .option('--description <text>', 'new description')
    .option('--metadata <key=value>', 'set a metadata item, keeping the others (repeatable)', collectMetadata)
    .action((ref: string, opts: UpdateOptions, cmd: Command) => updateVolume(contextOf(cmd), ref, opts));
  volume
    .command('extend')
    .description('grow a volume')
    .argument('<volume>', 'name or id')
    .argument('<new-size>', 'new size in GB', parseWholeNumber)
    .option('--wait', WAIT_HELP)
    .action((ref: string, size: number, opts: WaitOption, cmd: Command) => extendVolume(contextOf(cmd), ref, size, opts));
  volume
    .command('delete')
    .description('delete volumes')
    .argument('<volume...>', 'names or ids')
    .option('--wait', WAIT_HELP)
    .action((refs: string[], opts: WaitOption, cmd: Command) => deleteVolumes(contextOf(cmd), refs, opts));
}

async function createVolume(ctx: CommandContext, size: number, opts: CreateOptions): Promise<void> {
  const created = await ctx.api.createVolume(createRequest(size, opts));
  const volume = opts.wait ? await waitForVolume(ctx.api, created.id, VOLUME_CREATED, ctx.wait, ctx.progress()) : created;
  ctx.printer.record(volume, volumeView);
}

/** Only the keys given are sent; the API fills in the rest. */
export function createRequest(size: number, opts: CreateOptions): VolumeCreateRequest {
  return withoutUndefined({
    size,
    name: opts.name,
    description: opts.description,
    availability_zone: opts.availabilityZone,
    volume_type: opts.type,
    metadata: opts.metadata ?? {},
  }) as VolumeCreateRequest;
}

async function listVolumes(ctx: CommandContext, opts: ListOptions): Promise<void> {
  const volumes = await ctx.api.listVolumes(opts);
  ctx.printer.list(volumes, volumeColumns(opts));
}

async function showVolume(ctx: CommandContext, ref: string): Promise<void> {
  ctx.printer.record(await findVolume(ctx.api, ref), volumeView);
}

async function updateVolume(ctx: CommandContext, ref: string, opts: UpdateOptions): Promise<void> {
  if (opts.name === undefined && opts.description === undefined && opts.metadata === undefined) {
    throw new UsageError('nothing to update: give --name, --description or --metadata');
  }
  const target = await findVolume(ctx.api, ref);
  const volume = await ctx.api.updateVolume(target.id, updateRequest(target, opts));
  ctx.printer.record(volume, volumeView);
}

/** Cinder's PUT replaces the whole metadata map, so new items are merged into the current ones. */
export function updateRequest(current: Volume, opts: UpdateOptions): VolumeUpdateRequest {
  return withoutUndefined({
    name: opts.name,
    description: opts.description,
    metadata: opts.metadata && { ...current.metadata, ...opts.metadata },
  });
}

async function extendVolume(ctx: CommandContext, ref: string, newSize: number, opts: WaitOption): Promise<void> {
  const target = await findVolume(ctx.api, ref);
  await ctx.api.extendVolume(target.id, newSize);
  const volume = opts.wait
    ? await waitForVolume(ctx.api, target.id, volumeExtended(newSize), ctx.wait, ctx.progress())
    : await ctx.api.getVolume(target.id);
  ctx.printer.record(volume, volumeView);
}

interface Deletion {
  readonly id: string;
  readonly status: 'deleting' | 'deleted';
}

/** Every volume is tried; failures are printed one per line and make the command fail at the end. */
async function deleteVolumes(ctx: CommandContext, refs: readonly string[], opts: WaitOption): Promise<void> {
  const failures: unknown[] = [];
  let done = await eachSettled(ctx, refs, failures, async (ref): Promise<Deletion> => {
    const { id } = await findVolume(ctx.api, ref);
    await ctx.api.deleteVolume(id);
    return { id, status: 'deleting' };
  });
  if (opts.wait) {
    done = await eachSettled(ctx, done.map((d) => d.id), failures, async (id): Promise<Deletion> => {
      await waitForVolume(ctx.api, id, VOLUME_DELETED, ctx.wait, ctx.progress());
      return { id, status: 'deleted' };
    });
  }
  if (done.length > 0 || ctx.printer.json) ctx.printer.result(done, done.map(deletionText).join('\n'));
  if (failures.length > 0) throw new BatchError(`${failures.length} of ${refs.length} volume(s) could not be deleted`, failures);
}

function deletionText(d: Deletion): string {
  return d.status === 'deleted' ? `Volume ${d.id} has been deleted.` : `Request to delete volume ${d.id} has been accepted.`;
}

async function eachSettled<T>(
  ctx: CommandContext,
  refs: readonly string[],
  failures: unknown[],
  step: (ref: string) => Promise<T>,
): Promise<T[]> {
  const results: T[] = [];
  for (const ref of refs) {
    try {
      results.push(await step(ref));
    } catch (err) {
      failures.push(err);
      ctx.stderr.write(`${formatError(err, `volume ${ref}`)}\n`);
    }
  }
  return results;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
