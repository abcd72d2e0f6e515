import type { RequestHandler } from 'express';
import type { FloeConfig } from '../../common/config.js';
import { baseUrl } from '../http/links.js';
import { versionsDocument } from './document.js';

/** `GET /` answers 300 Multiple Choices like Cinder; `GET /v3/` answers 200. No auth on either. */
export function versionsHandler(config: FloeConfig, status: 200 | 300): RequestHandler {
  return (req, res) => {
    res.status(status).json(versionsDocument(baseUrl(req, config)));
  };
}
