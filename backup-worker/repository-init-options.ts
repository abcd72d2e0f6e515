import type { RepositoryDefinition } from '../common/repository-config.js';
import type { InitOptions } from './engine/index.js';

/** The settings a configured repository is created with, when a backup or `floe-agent init` finds it empty. */
export function initOptionsFor(definition: RepositoryDefinition): InitOptions {
  return { compression: definition.compression, encrypted: definition.encryption.kind !== 'none', packSizeBytes: definition.packSizeBytes };
}
