/** What other folders import from the volume worker. */
export { startVolumeService, type VolumeServiceDeps } from './service.js';
export { createDriver, FAIL_CREATE_CAPABILITY, FileVolumeDriver, volumeFilePath } from './drivers/index.js';
export type { BackendStats, DriverVolume, VolumeDriver } from './drivers/index.js';
