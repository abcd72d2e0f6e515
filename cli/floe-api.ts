import { ApiError, UnexpectedReplyError } from './errors.js';
import { HttpClient, isRecord } from './http-client.js';
import type {
  Backup,
  BackupCreateRequest,
  BackupRepository,
  Pool,
  Service,
  UserMessage,
  Volume,
  VolumeCreateRequest,
  VolumeListFilters,
  VolumeUpdateRequest,
} from './types.js';

/** The Cinder v3 calls the CLI and the benchmark make, typed; one method per call. */
export class FloeApi {
  readonly #http: HttpClient;

  constructor(http: HttpClient) {
    this.#http = http;
  }

  async createVolume(request: VolumeCreateRequest): Promise<Volume> {
    return member<Volume>(await this.#http.post('/volumes', { volume: request }), 'volume', 'POST /volumes');
  }

  async getVolume(id: string): Promise<Volume> {
    const path = volumePath(id);
    return member<Volume>(await this.#http.get(path), 'volume', `GET ${path}`);
  }

  /** The volume, or undefined once the API answers 404 (deleted, or never existed). */
  async getVolumeIfExists(id: string): Promise<Volume | undefined> {
    try {
      return await this.getVolume(id);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  /** `GET /volumes/detail`, following `volumes_links` until the last page or `limit`. */
  async listVolumes(filters: VolumeListFilters = {}): Promise<Volume[]> {
    return collectPages<Volume>(this.#http, '/volumes/detail', 'volumes', volumeQuery(filters), filters.limit);
  }

  async updateVolume(id: string, changes: VolumeUpdateRequest): Promise<Volume> {
    const path = volumePath(id);
    return member<Volume>(await this.#http.put(path, { volume: changes }), 'volume', `PUT ${path}`);
  }

  async extendVolume(id: string, newSizeGb: number): Promise<void> {
    await this.#http.post(`${volumePath(id)}/action`, { 'os-extend': { new_size: newSizeGb } });
  }

  async deleteVolume(id: string): Promise<void> {
    await this.#http.delete(volumePath(id));
  }

  async listVolumeMessages(volumeId: string): Promise<UserMessage[]> {
    const body = await this.#http.get('/messages', { resource_uuid: volumeId });
    return member<UserMessage[]>(body, 'messages', 'GET /messages');
  }

  async createBackup(request: BackupCreateRequest): Promise<{ id: string }> {
    return member<{ id: string }>(await this.#http.post('/backups', { backup: request }), 'backup', 'POST /backups');
  }

  async getBackup(id: string): Promise<Backup> {
    const path = backupPath(id);
    return member<Backup>(await this.#http.get(path), 'backup', `GET ${path}`);
  }

  /** The backup, or undefined once the API answers 404 (deleted, or never existed). */
  async getBackupIfExists(id: string): Promise<Backup | undefined> {
    try {
      return await this.getBackup(id);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  async listBackups(filters: { name?: string; volumeId?: string; limit?: number } = {}): Promise<Backup[]> {
    const query = new URLSearchParams();
    if (filters.name !== undefined) query.set('name', filters.name);
    if (filters.volumeId !== undefined) query.set('volume_id', filters.volumeId);
    if (filters.limit !== undefined) query.set('limit', String(filters.limit));
    return collectPages<Backup>(this.#http, '/backups/detail', 'backups', query, filters.limit);
  }

  async restoreBackup(id: string, target: { volume_id: string | null; name: string | null }): Promise<{ volume_id: string; volume_name: string | null }> {
    const path = `${backupPath(id)}/restore`;
    return member(await this.#http.post(path, { restore: target }), 'restore', `POST ${path}`);
  }

  async deleteBackup(id: string): Promise<void> {
    await this.#http.delete(backupPath(id));
  }

  /** Floe's `os-verify` extension: the outcome appears on the backup (`verify_status`). */
  async verifyBackup(id: string): Promise<void> {
    await this.#http.post(`${backupPath(id)}/action`, { 'os-verify': null });
  }

  /** Floe extension: the backup repositories the project may use, with their state. */
  async listBackupRepositories(): Promise<BackupRepository[]> {
    const body = await this.#http.get('/backup-repositories');
    return member<BackupRepository[]>(body, 'backup_repositories', 'GET /backup-repositories');
  }

  async listServices(): Promise<Service[]> {
    return member<Service[]>(await this.#http.get('/os-services'), 'services', 'GET /os-services');
  }

  async listPools(detail: boolean): Promise<Pool[]> {
    const body = await this.#http.get('/scheduler-stats/get_pools', detail ? { detail: 'True' } : {});
    return member<Pool[]>(body, 'pools', 'GET /scheduler-stats/get_pools');
  }
}

function backupPath(id: string): string {
  return `/backups/${encodeURIComponent(id)}`;
}

function volumePath(id: string): string {
  return `/volumes/${encodeURIComponent(id)}`;
}

function volumeQuery(filters: VolumeListFilters): URLSearchParams {
  const query = new URLSearchParams();
  if (filters.allProjects) query.set('all_tenants', '1');
  if (filters.name !== undefined) query.set('name', filters.name);
  if (filters.status !== undefined) query.set('status', filters.status);
  if (filters.limit !== undefined) query.set('limit', String(filters.limit));
  return query;
}

function member<T>(body: unknown, key: string, request: string): T {
  if (!isRecord(body) || body[key] === undefined) throw new UnexpectedReplyError(request, key);
  return body[key] as T;
}

/** Follows `<key>_links[rel=next]` (its query carries the marker) until no next page is offered. */
async function collectPages<T>(
  http: HttpClient,
  path: string,
  key: string,
  first: URLSearchParams,
  limit: number | undefined,
): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  for (let query = first; limit === undefined || items.length < limit; ) {
    seen.add(query.toString());
    const body = await http.get(path, query);
    const page = member<T[]>(body, key, `GET ${path}`);
    items.push(...page);
    const next = page.length > 0 ? nextPageQuery(body, `${key}_links`) : undefined;
    if (next === undefined || seen.has(next.toString())) break;
    query = next;
  }
  return limit === undefined ? items : items.slice(0, limit);
}

function nextPageQuery(body: unknown, linksKey: string): URLSearchParams | undefined {
  const links = isRecord(body) ? body[linksKey] : undefined;
  if (!Array.isArray(links)) return undefined;
  const next = links.find((l) => isRecord(l) && l.rel === 'next' && typeof l.href === 'string');
  return next ? new URL(next.href as string, 'http://next.invalid').searchParams : undefined;
}
