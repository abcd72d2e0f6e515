import { ApiVersion } from './api-version.js';

/** The microversions that change what Floe's views and routes do (Cinder's api/microversions.py). */
export const MV = {
  messages: new ApiVersion(3, 3),
  serviceCluster: new ApiVersion(3, 7),
  volumeGroupId: new ApiVersion(3, 13),
  backupProjectAttr: new ApiVersion(3, 18),
  volumeProviderId: new ApiVersion(3, 21),
  backupMetadata: new ApiVersion(3, 43),
  sharedTargetsAndServiceUuid: new ApiVersion(3, 48),
  serviceBackendState: new ApiVersion(3, 49),
  backupAvailabilityZone: new ApiVersion(3, 51),
  backupUserId: new ApiVersion(3, 56),
  volumeClusterName: new ApiVersion(3, 61),
  volumeTypeIdInDetail: new ApiVersion(3, 63),
  consumesQuota: new ApiVersion(3, 65),
} as const;
