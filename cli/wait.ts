import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from '../common/errors.js';
import { NoMatchError, VolumeErrorStatusError, WaitTimeoutError } from './errors.js';
import type { FloeApi } from './floe-api.js';
import type { Progress } from './progress.js';
import type { UserMessage, Volume } from './types.js';

export interface WaitSettings {
  readonly timeoutSeconds: number;
  readonly intervalMs: number;
}

/**
 * What a --wait waits for. `reached` sees undefined once the volume is gone (404); its type says
 * what the wait returns: the volume, or undefined for a deletion.
 */
export interface VolumeGoal<R extends Volume | undefined> {
  readonly description: string;
  readonly reached: (volume: Volume | undefined) => volume is R;
  readonly errorStatuses: readonly string[];
}

export const VOLUME_CREATED: VolumeGoal<Volume> = {
  description: 'available',
  reached: (v): v is Volume => v?.status === 'available',
  errorStatuses: ['error'],
};

export const VOLUME_DELETED: VolumeGoal<undefined> = {
  description: 'deleted',
  reached: (v): v is undefined => v === undefined,
  errorStatuses: ['error_deleting'],
};

/** The size check keeps a poll that lands before the API has moved the volume to extending from passing. */
export function volumeExtended(sizeGb: number): VolumeGoal<Volume> {
  return {
    description: `available at ${sizeGb} GB`,
    reached: (v): v is Volume => v?.status === 'available' && v.size >= sizeGb,
    errorStatuses: ['error_extending', 'error'],
  };
}

/** Polls the volume until `goal`; throws on an error status (with its user message), 404 or timeout. */
export async function waitForVolume<R extends Volume | undefined>(
  api: FloeApi,
  id: string,
  goal: VolumeGoal<R>,
  settings: WaitSettings,
  progress: Progress,
): Promise<R> {
  const deadline = Date.now() + settings.timeoutSeconds * 1000;
  for (;;) {
    const volume = await api.getVolumeIfExists(id);
    if (goal.reached(volume)) {
      progress.succeed(`volume ${id}: ${goal.description}`);
      return volume;
    }
    const failure = await failureOf(api, id, volume, goal);
    if (failure === undefined && Date.now() < deadline) {
      progress.update(`volume ${id}: ${volume?.status}, waiting until ${goal.description}`);
      await sleep(Math.min(settings.intervalMs, deadline - Date.now()));
      continue;
    }
    const error = failure ?? new WaitTimeoutError(id, settings.timeoutSeconds, volume?.status ?? 'unknown');
    progress.fail(`volume ${id}: ${volume?.status ?? 'gone'}`);
    throw error;
  }
}

async function failureOf(
  api: FloeApi,
  id: string,
  volume: Volume | undefined,
  goal: VolumeGoal<Volume | undefined>,
): Promise<Error | undefined> {
  if (volume === undefined) return new NoMatchError('volume', id);
  if (!goal.errorStatuses.includes(volume.status)) return undefined;
  return new VolumeErrorStatusError(id, volume.status, await failureReason(api, id));
}

/** The newest user message recorded for the volume (`GET /messages?resource_uuid=`). */
export async function failureReason(api: FloeApi, volumeId: string): Promise<string> {
  try {
    const messages = (await api.listVolumeMessages(volumeId)).filter((m) => (m.resource_uuid ?? volumeId) === volumeId);
    return newest(messages)?.user_message ?? 'no reason was recorded for it';
  } catch (err) {
    return `the reason could not be read (${errorMessage(err)})`;
  }
}

function newest(messages: readonly UserMessage[]): UserMessage | undefined {
  return [...messages].sort((a, b) => (a.created_at ?? '').localeCompare(b.created_at ?? '')).at(-1);
}
