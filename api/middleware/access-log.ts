import type { RequestHandler } from 'express';
import { getLogger } from '../../common/logger.js';
import { requestState } from '../http/request-state.js';

const log = getLogger('api');

/** One line per request once its response is done (or the client went away). */
export const accessLogMiddleware: RequestHandler = (req, res, next) => {
  const started = process.hrtime.bigint();
  res.on('close', () => {
    const state = requestState(res);
    log.info('request', {
      method: req.method,
      path: req.originalUrl.split('?')[0],
      status: res.statusCode,
      duration_ms: Number(process.hrtime.bigint() - started) / 1e6,
      request_id: state.requestId,
      global_request_id: state.globalRequestId,
      project_id: state.context?.projectId,
      user_id: state.context?.userId,
      completed: res.writableFinished,
    });
  });
  next();
};
