import type { RequestHandler } from 'express';
import { isRequestId, newRequestId } from '../../common/ids.js';
import { initRequestState } from '../http/request-state.js';

const INBOUND_HEADER = 'x-openstack-request-id';

/**
 * Gives every request a fresh local id, sent back in both headers Cinder sets (cinderclient prints
 * x-compute-request-id and reuses x-openstack-request-id as its global id). A well-formed inbound
 * X-OpenStack-Request-ID is kept as the global request id.
 */
export const requestIdMiddleware: RequestHandler = (req, res, next) => {
  const requestId = newRequestId();
  const inbound = req.get(INBOUND_HEADER);
  const globalRequestId = inbound !== undefined && isRequestId(inbound) ? inbound : undefined;
  initRequestState(res, { requestId, globalRequestId });
  res.setHeader('x-openstack-request-id', requestId);
  res.setHeader('x-compute-request-id', requestId);
  next();
};
