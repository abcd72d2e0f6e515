import type { FloeConfig } from '../common/config.js';
import type { VolumeRow } from '../common/db/schema.js';
import { FloeError } from '../common/errors.js';
import { volumeFilePath } from '../volume-worker/drivers/file.js';

/** The backup worker cannot reach a volume's data from where it runs. */
export class VolumeNotReachableError extends FloeError {
  constructor(volumeId: string, why: string) {
    super('volume_not_reachable', 500, `Volume ${volumeId} cannot be read or written by this backup worker: ${why}.`);
  }
}

/**
 * The file of a volume on a file backend, found from its `host@backend#pool` location. In this
 * release a backup worker reads and writes volumes in place, through the file backends configured
 * on its own node (FLOE_BACKENDS, FLOE_HOST): it must run on the node of the volume workers.
 */
export function volumeFileOf(config: FloeConfig, volume: Pick<VolumeRow, 'id' | 'host'>): string {
  if (volume.host === null) throw new VolumeNotReachableError(volume.id, 'it is not placed on any backend');
  const [node, backendName] = volume.host.split('#')[0].split('@');
  if (node !== config.host) throw new VolumeNotReachableError(volume.id, `it is on node ${node}, this worker runs on ${config.host}`);
  const backend = config.backends.find((b) => b.name === backendName);
  if (!backend) throw new VolumeNotReachableError(volume.id, `backend ${backendName} is not configured here`);
  return volumeFilePath(backend, volume.id);
}
