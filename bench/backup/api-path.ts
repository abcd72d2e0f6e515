import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from '../../common/errors.js';
import { ApiError } from '../../cli/errors.js';
import { FloeApi } from '../../cli/floe-api.js';
import { HttpClient, isRecord } from '../../cli/http-client.js';
import type { Progress } from '../../cli/progress.js';
import { VOLUME_CREATED, waitForVolume } from '../../cli/wait.js';
import { volumeFilePath } from '../../volume-worker/drivers/file.js';
import { FloeAllProcess, apiFor } from '../floe-all-process.js';
import { runCommand, runTimed } from './command.js';
import { settleAndWarm } from './files.js';
import { BENCH_PASSWORD, toolWorkspace, type BackupTool } from './tools/backup-tool.js';

/** One backup of the same volume data by `floe-agent` and through the API, wall seconds each. */
export interface ApiPathResult {
  readonly agentWallS: number;
  readonly apiWallS: number;
}

export interface ApiPathSetup {
  /** `dist/bin/floe-all.js` of this checkout. */
  readonly floeAllScript: string;
  readonly agent: BackupTool;
  readonly image: string;
  readonly volumeMib: number;
  /** Created for the step; the caller removes it. */
  readonly workDir: string;
  readonly note: (text: string) => void;
}

const HOST = 'bench';
const BACKEND = 'bench-backup';
const PROJECT = 'bench';
const POLL_INTERVAL_MS = 100;
const TIMEOUT_S = 600;

/**
 * Times one backup through the API (POST /backups → backup worker → the stack's repository, until
 * GET /backups/{id} says available) against `floe-agent backup` of the same volume file into a new
 * repository, both warm and both into an empty repository protected by the same passphrase.
 */
export async function timeApiPath(setup: ApiPathSetup): Promise<ApiPathResult> {
  await mkdir(setup.workDir, { recursive: true });
  const passwordFile = path.join(setup.workDir, 'backup-password');
  await writeFile(passwordFile, `${BENCH_PASSWORD}\n`, { mode: 0o600 });
  const stack = await FloeAllProcess.start({
    script: setup.floeAllScript,
    host: HOST,
    backends: [BACKEND],
    capacityGb: Math.ceil(setup.volumeMib / 1024) * 4,
    env: { FLOE_BACKUP_PASSWORD_FILE: passwordFile, FLOE_BACKUP_COMPRESSION: 'zstd' },
  });
  try {
    return await measure(stack, setup);
  } catch (err) {
    setup.note(`floe-all's last log lines:\n${stack.logTail}`);
    throw err;
  } finally {
    await stack.stop();
  }
}

async function measure(stack: FloeAllProcess, setup: ApiPathSetup): Promise<ApiPathResult> {
  const http = new HttpClient({ endpoint: stack.endpoint, project: PROJECT, user: PROJECT });
  const api = new FloeApi(http);
  await stack.waitUntilReady(apiFor(stack.endpoint, 'admin'), HOST, [BACKEND], setup.note);
  const volume = await volumeWithImage(api, stack, setup);
  const made: { backupId?: string } = {};
  try {
    const agentWallS = await agentBackup(setup, volume.file);
    await settleAndWarm([volume.file]);
    const apiWallS = await apiBackup(http, volume.id, (id) => (made.backupId = id));
    setup.note(`API backup ${apiWallS.toFixed(2)} s, floe-agent backup of the same file ${agentWallS.toFixed(2)} s`);
    return { agentWallS, apiWallS };
  } finally {
    await cleanUp(http, api, volume.id, made.backupId, setup.note);
  }
}

/** A new volume of the image's size whose file holds the image (a sparse copy over the file backend's file). */
async function volumeWithImage(api: FloeApi, stack: FloeAllProcess, setup: ApiPathSetup): Promise<{ id: string; file: string }> {
  const created = await api.createVolume({ size: Math.ceil(setup.volumeMib / 1024), name: 'bench-backup-api' });
  await waitForVolume(api, created.id, VOLUME_CREATED, { timeoutSeconds: TIMEOUT_S, intervalMs: POLL_INTERVAL_MS }, quietProgress(setup.note));
  const file = volumeFilePath({ path: path.join(stack.dataDir, 'volumes', BACKEND) }, created.id);
  await runCommand({ argv: ['cp', '--sparse=always', setup.image, file] });
  return { id: created.id, file };
}

async function agentBackup(setup: ApiPathSetup, volumeFile: string): Promise<number> {
  const ws = toolWorkspace(path.join(setup.workDir, 'agent'));
  await mkdir(ws.stateDir, { recursive: true });
  await runCommand(setup.agent.init(ws));
  await settleAndWarm([volumeFile, ws.stateDir]);
  return (await runTimed(setup.agent.backup(ws, volumeFile, 'full'))).usage.wallS;
}

/** From the POST to the first GET that shows the backup available; an error status fails with its reason. */
async function apiBackup(http: HttpClient, volumeId: string, created: (backupId: string) => void): Promise<number> {
  const began = performance.now();
  const id = backupOf(await postBackup(http, volumeId), 'POST /backups').id;
  created(id);
  for (;;) {
    const backup = backupOf(await http.get<unknown>(`/backups/${id}`), `GET /backups/${id}`);
    if (backup.status === 'available') return (performance.now() - began) / 1000;
    if (backup.status === 'error') throw new Error(`the API backup ${id} ended in error: ${String(backup.fail_reason)}`);
    if (performance.now() - began > TIMEOUT_S * 1000) throw new Error(`the API backup ${id} was not available within ${TIMEOUT_S} s (status ${String(backup.status)})`);
    await sleep(POLL_INTERVAL_MS);
  }
}

async function postBackup(http: HttpClient, volumeId: string): Promise<unknown> {
  try {
    return await http.post<unknown>('/backups', { backup: { volume_id: volumeId, name: 'bench-backup-api' } });
  } catch (err) {
    if (err instanceof ApiError && err.status === 404 && err.faultName === 'itemNotFound') {
      throw new Error(`POST /backups answered 404 (${err.message}): is the backup API in this build?`, { cause: err });
    }
    throw err;
  }
}

/** Leaves the bench database as it was: the backup, then the volume once it is available again. Failures are only noted. */
async function cleanUp(http: HttpClient, api: FloeApi, volumeId: string, backupId: string | undefined, note: (text: string) => void): Promise<void> {
  try {
    if (backupId !== undefined) await http.delete(`/backups/${backupId}`);
    await waitForVolume(api, volumeId, VOLUME_CREATED, { timeoutSeconds: TIMEOUT_S, intervalMs: POLL_INTERVAL_MS }, quietProgress(() => undefined));
    await api.deleteVolume(volumeId);
  } catch (err) {
    note(`clean-up of volume ${volumeId}${backupId === undefined ? '' : ` and backup ${backupId}`} failed: ${errorMessage(err)}`);
  }
}

function backupOf(body: unknown, request: string): Record<string, unknown> & { id: string } {
  const backup = isRecord(body) ? body.backup : undefined;
  if (!isRecord(backup) || typeof backup.id !== 'string') throw new Error(`${request} answered without a backup: ${JSON.stringify(body)}`);
  return backup as Record<string, unknown> & { id: string };
}

function quietProgress(note: (text: string) => void): Progress {
  return { update: () => undefined, succeed: note, fail: note };
}
