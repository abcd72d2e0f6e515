/** What other folders use of the API: the app, the service and the dependencies they take. */
export { createApp } from './app.js';
export type { ApiDeps, CastOptions, CastOutbox } from './deps.js';
export { checkAuthBinding, startApiService } from './server.js';
