import { mkdir, open, readdir, rm, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import type { BackendConfig } from '../../common/config.js';
import { DriverError } from '../../common/errors.js';
import { isUuid } from '../../common/ids.js';
import type { BackendStats, DriverVolume, VolumeDriver } from './driver.js';

const DRIVER_VERSION = '1.0.0';

/**
 * Testing capability: a backend configured with `"capabilities": {"floe_test_fail_create": true}`
 * refuses every create, so that tests can prove the retry on another backend. It is reported with
 * the other capabilities, so `get_pools` shows which backends are set up to fail.
 */
export const FAIL_CREATE_CAPABILITY = 'floe_test_fail_create';

const GIB = 1024 ** 3;
const VOLUME_FILE = /^volume-.+\.img$/;

function gib(bytes: number): number {
  return Math.round((bytes / GIB) * 100) / 100;
}

/** Wraps a file-system error without its path: the message reaches the volume's owner. */
function storageError(operation: string, err: unknown): DriverError {
  const code = (err as NodeJS.ErrnoException).code;
  return new DriverError(operation, code ? `storage error ${code}` : 'storage error', { cause: err });
}

async function wrap<T>(operation: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw err instanceof DriverError ? err : storageError(operation, err);
  }
}

/** Apparent and allocated bytes of the volume files (a file deleted meanwhile counts for nothing). */
interface Usage {
  readonly apparentBytes: number;
  readonly allocatedBytes: number;
}

/**
 * Where the file driver keeps a volume: `<backend.path>/volume-<id>.img`. Exported so that the backup
 * worker, which runs on the node of the file backends in this release, reads and writes it in place.
 */
export function volumeFilePath(backend: Pick<BackendConfig, 'path'>, volumeId: string): string {
  if (!isUuid(volumeId)) throw new DriverError('file driver', `volume id ${volumeId} is not a UUID`);
  return path.join(backend.path, `volume-${volumeId}.img`);
}

/**
 * Volumes as sparse raw files `<backend.path>/volume-<id>.img`: a create or an extend sets the
 * apparent size with ftruncate, so only written blocks take space.
 */
export class FileVolumeDriver implements VolumeDriver {
  readonly #backend: BackendConfig;

  constructor(backend: BackendConfig) {
    this.#backend = backend;
  }

  volumePath(id: string): string {
    return volumeFilePath(this.#backend, id);
  }

  async setup(): Promise<void> {
    await wrap('setup', () => mkdir(this.#backend.path, { recursive: true }));
  }

  async createVolume(volume: DriverVolume): Promise<void> {
    if (this.#backend.capabilities[FAIL_CREATE_CAPABILITY] === true) {
      throw new DriverError('createVolume', `backend ${this.#backend.name} is set up to fail creates (${FAIL_CREATE_CAPABILITY})`);
    }
    await wrap('createVolume', () => this.#growTo(this.volumePath(volume.id), volume.sizeGb, 'a'));
  }

  async deleteVolume(volume: Pick<DriverVolume, 'id'>): Promise<void> {
    await wrap('deleteVolume', () => rm(this.volumePath(volume.id), { force: true }));
  }

  async extendVolume(volume: DriverVolume, newSizeGb: number): Promise<void> {
    await wrap('extendVolume', async () => {
      if ((await this.getVolumeSize(volume)) === undefined) {
        throw new DriverError('extendVolume', `volume ${volume.id} does not exist on backend ${this.#backend.name}`);
      }
      await this.#growTo(this.volumePath(volume.id), newSizeGb, 'r+');
    });
  }

  async getVolumeSize(volume: Pick<DriverVolume, 'id'>): Promise<number | undefined> {
    return wrap('getVolumeSize', async () => {
      const info = await stat(this.volumePath(volume.id)).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
      return info && Math.floor(info.size / GIB);
    });
  }

  /**
   * total = the file system's size, capped by `capacityGb`; provisioned = the volumes' apparent
   * sizes; free = thick: what neither the file system nor the provisioned sizes have taken;
   * thin: what neither the file system nor the written blocks have taken.
   */
  async getStats(): Promise<BackendStats> {
    const b = this.#backend;
    const [fs, usage] = await wrap('getStats', () => Promise.all([statfs(b.path), this.#usage()]));
    const fsFree = fs.bavail * fs.bsize;
    const total = Math.min(fs.blocks * fs.bsize, (b.capacityGb ?? Infinity) * GIB);
    const taken = b.thinProvisioning ? usage.allocatedBytes : usage.apparentBytes;
    return {
      ...b.capabilities,
      volume_backend_name: b.name,
      pool_name: b.name,
      availability_zone: b.availabilityZone,
      total_capacity_gb: gib(total),
      free_capacity_gb: gib(Math.max(0, Math.min(fsFree, total - taken))),
      provisioned_capacity_gb: gib(usage.apparentBytes),
      allocated_capacity_gb: gib(usage.apparentBytes),
      reserved_percentage: b.reservedPercentage,
      thin_provisioning_support: b.thinProvisioning,
      thick_provisioning_support: !b.thinProvisioning,
      max_over_subscription_ratio: b.maxOverSubscriptionRatio,
      storage_protocol: 'file',
      vendor_name: 'Floe',
      driver_version: DRIVER_VERSION,
    };
  }

  /** Sets the file's apparent size to `sizeGb` unless it is already that large (idempotent). */
  async #growTo(file: string, sizeGb: number, flags: 'a' | 'r+'): Promise<void> {
    const handle = await open(file, flags);
    try {
      const bytes = sizeGb * GIB;
      if ((await handle.stat()).size < bytes) await handle.truncate(bytes);
    } finally {
      await handle.close();
    }
  }

  async #usage(): Promise<Usage> {
    const names = (await readdir(this.#backend.path)).filter((n) => VOLUME_FILE.test(n));
    const infos = await Promise.all(names.map((n) => stat(path.join(this.#backend.path, n)).catch(() => undefined)));
    let apparentBytes = 0;
    let allocatedBytes = 0;
    for (const info of infos) {
      apparentBytes += info?.size ?? 0;
      allocatedBytes += (info?.blocks ?? 0) * 512;
    }
    return { apparentBytes, allocatedBytes };
  }
}
