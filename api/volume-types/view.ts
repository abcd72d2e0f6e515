import type { VolumeTypeRow } from '../../common/db/schema.js';

/** Cinder's volume type view; cinderclient's type-list reads `id`, `name` and the is_public keys. */
export function volumeTypeView(type: VolumeTypeRow) {
  return {
    id: type.id,
    name: type.name,
    description: type.description,
    is_public: type.is_public,
    extra_specs: type.extra_specs,
    qos_specs_id: null,
    'os-volume-type-access:is_public': type.is_public,
  };
}
