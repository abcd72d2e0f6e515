import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RequestContext } from '../../common/context.js';
import type { Db } from '../../common/db/database.js';
import { DEFAULT_VOLUME_TYPE_ID } from '../../common/db/migrations/0001-volumes.js';
import type { NewVolume, VolumeRow } from '../../common/db/schema.js';
import { newRequestId, newUuid } from '../../common/ids.js';
import type { VolumeStatus } from '../../common/status.js';
import { TEST_RABBITMQ_URL, uniqueName } from './env.js';

const exec = promisify(execFile);

/** A request context of a fresh project, so that its messages can be found by request id. */
export function userContext(): RequestContext {
  return { requestId: newRequestId(), projectId: uniqueName('project'), userId: 'tester', roles: [] };
}

export async function insertVolume(db: Db, ctx: RequestContext, values: Partial<NewVolume>): Promise<string> {
  const id = newUuid<string>();
  await db
    .insertInto('volumes')
    .values({
      id,
      project_id: ctx.projectId,
      user_id: ctx.userId,
      name: null,
      description: null,
      size: 1,
      status: 'creating',
      previous_status: null,
      attach_status: 'detached',
      availability_zone: 'nova',
      volume_type_id: DEFAULT_VOLUME_TYPE_ID,
      host: null,
      metadata: '{}',
      status_reason: null,
      scheduling_excluded_hosts: '[]',
      created_at: new Date(),
      updated_at: null,
      deleted_at: null,
      ...values,
    })
    .execute();
  return id;
}

export async function readVolume(db: Db, id: string): Promise<VolumeRow> {
  return db.selectFrom('volumes').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** Polls the row until its status is one of `statuses` (bounded: fails after `timeoutMs`). */
export async function waitForStatus(db: Db, id: string, statuses: readonly VolumeStatus[], timeoutMs = 20_000): Promise<VolumeRow> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await readVolume(db, id);
    if (statuses.includes(row.status)) return row;
    if (Date.now() > deadline) throw new Error(`volume ${id} still ${row.status} after ${timeoutMs} ms, expected ${statuses.join('|')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function messagesOf(db: Db, ctx: RequestContext) {
  return db.selectFrom('messages').selectAll().where('project_id', '=', ctx.projectId).where('request_id', '=', ctx.requestId).execute();
}

function testVhost(): string {
  return decodeURIComponent(new URL(TEST_RABBITMQ_URL).pathname.slice(1));
}

interface QueueState {
  readonly messages: number;
  readonly consumers: number;
}

async function queueState(queue: string): Promise<QueueState> {
  const { stdout } = await exec('rabbitmqctl', ['-q', '--no-table-headers', 'list_queues', '-p', testVhost(), 'name', 'messages', 'consumers']);
  const line = stdout.split('\n').map((l) => l.split('\t')).find(([name]) => name === queue);
  if (!line) throw new Error(`queue ${queue} does not exist`);
  return { messages: Number(line[1]), consumers: Number(line[2]) };
}

/**
 * Polls the broker's counts of a queue until they are `expected` (quorum queues publish their
 * counts with a delay); returns the last counts seen, so that the caller's assertion shows them.
 */
export async function waitForQueueState(queue: string, expected: QueueState, timeoutMs = 15_000): Promise<QueueState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await queueState(queue);
    const done = state.messages === expected.messages && state.consumers === expected.consumers;
    if (done || Date.now() > deadline) return state;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Removes what a test registered: its services rows and its durable volume queues. */
export async function cleanUpHost(db: Db, host: string, queues: readonly string[]): Promise<void> {
  await db.deleteFrom('services').where((eb) => eb.or([eb('host', '=', host), eb('host', 'like', `${host}@%`)])).execute();
  for (const queue of queues) {
    await exec('rabbitmqctl', ['-q', 'delete_queue', '-p', testVhost(), queue]).catch(() => undefined);
  }
}
