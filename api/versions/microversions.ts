import { ApiVersion } from './api-version.js';

/** The microversions that change what Floe's views and routes do (Cinder's api/microversions.py). */
export const MV = {
  messages: new ApiVersion(3, 3),
  serviceCluster: new ApiVersion(3, 7),
  volumeGroupId: new ApiVersion(3, 13),
  volumeProviderId: new ApiVersion(3, 21),
  sharedTargetsAndServiceUuid: new ApiVersion(3, 48),
  serviceBackendState: new ApiVersion(3, 49),
  volumeClusterName: new ApiVersion(3, 61),
  volumeTypeIdInDetail: new ApiVersion(3, 63),
  consumesQuota: new ApiVersion(3, 65),
} as const;
