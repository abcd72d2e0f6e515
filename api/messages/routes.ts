import { Router } from 'express';
import type { ApiDeps } from '../deps.js';
import { requireVersion } from '../http/policy.js';
import { requestContext } from '../http/request-state.js';
import { viewContext } from '../http/view-context.js';
import { MV } from '../versions/microversions.js';
import { deleteMessage, getMessage, listMessages } from './queries.js';
import { messageFilters } from './schema.js';
import { messageView } from './view.js';

/** `GET /messages`, `GET /messages/{id}`, `DELETE /messages/{id}` (3.3+), the caller's project only. */
export function messagesRouter({ config, db }: ApiDeps): Router {
  const router = Router();
  router.use('/messages', (_req, res, next) => {
    requireVersion(res, MV.messages);
    next();
  });
  router.get('/messages', async (req, res) => {
    const messages = await listMessages(db, requestContext(res).projectId, messageFilters(req.query));
    const view = viewContext(req, res, config);
    res.json({ messages: messages.map((m) => messageView(m, view)) });
  });
  router.get('/messages/:id', async (req, res) => {
    const message = await getMessage(db, requestContext(res).projectId, req.params.id);
    res.json({ message: messageView(message, viewContext(req, res, config)) });
  });
  router.delete('/messages/:id', async (req, res) => {
    await deleteMessage(db, requestContext(res).projectId, req.params.id);
    res.status(204).end();
  });
  return router;
}
