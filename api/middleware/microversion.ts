import type { RequestHandler } from 'express';
import { requestState } from '../http/request-state.js';
import { negotiateVersion } from '../versions/api-version.js';

export const VERSION_HEADER = 'OpenStack-API-Version';

/** Negotiates the microversion of the request and echoes it, as Cinder does on /v3 responses. */
export const microversionMiddleware: RequestHandler = (req, res, next) => {
  const version = negotiateVersion(req.get(VERSION_HEADER));
  requestState(res).version = version;
  res.setHeader(VERSION_HEADER, `volume ${version.toString()}`);
  res.vary(VERSION_HEADER);
  next();
};
