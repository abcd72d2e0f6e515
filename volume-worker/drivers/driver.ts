import type { BackendCapabilities } from '../../rpc/capabilities-api.js';

/** A volume as a driver sees it: storage needs only the id and the size. */
export interface DriverVolume {
  readonly id: string;
  readonly sizeGb: number;
}

/** What a driver measures about its backend; the manager adds `host` and `timestamp`. */
export type BackendStats = {
  readonly [K in keyof BackendCapabilities as K extends 'host' | 'timestamp' ? never : K]: BackendCapabilities[K];
};

/**
 * Storage operations of one backend (Cinder's VolumeDriver). The manager owns the database and the
 * statuses; a driver only touches storage. Every operation is idempotent (a redelivered request or
 * a start-up resumption runs it again) and throws DriverError on failure.
 */
export interface VolumeDriver {
  /** Prepares the backend (directories, connections); called once before anything else. */
  setup(): Promise<void>;
  getStats(): Promise<BackendStats>;
  createVolume(volume: DriverVolume): Promise<void>;
  /** Succeeds when the volume is already gone. */
  deleteVolume(volume: Pick<DriverVolume, 'id'>): Promise<void>;
  /** Grows the volume to `newSizeGb`; never shrinks it. */
  extendVolume(volume: DriverVolume, newSizeGb: number): Promise<void>;
  /** The size the volume has on storage (whole GiB), or undefined when it does not exist. */
  getVolumeSize(volume: Pick<DriverVolume, 'id'>): Promise<number | undefined>;
}
