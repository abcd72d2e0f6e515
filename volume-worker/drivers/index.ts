import type { BackendConfig } from '../../common/config.js';
import type { VolumeDriver } from './driver.js';
import { FileVolumeDriver } from './file.js';

export type { BackendStats, DriverVolume, VolumeDriver } from './driver.js';
export { FAIL_CREATE_CAPABILITY, FileVolumeDriver, volumeFilePath } from './file.js';

/** The driver a backend's configuration names. */
export function createDriver(backend: BackendConfig): VolumeDriver {
  switch (backend.driver) {
    case 'file':
      return new FileVolumeDriver(backend);
  }
}
