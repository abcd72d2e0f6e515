import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, type FloeConfig } from '../common/config.js';
import { getLogger } from '../common/logger.js';
import type { RunningService } from '../common/service.js';
import { createApp } from './app.js';
import type { ApiDeps } from './deps.js';

const log = getLogger('api');

/** How long in-flight requests may run on after stop() before their connections are cut. */
const STOP_GRACE_MS = 10_000;
const IDLE_SWEEP_MS = 50;

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1|::ffff:127(\.\d{1,3}){3})$/i;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

/** noauth trusts whatever user and project a caller names: only on loopback unless told otherwise. */
export function checkAuthBinding(config: FloeConfig): void {
  const { authStrategy, host, noauthAnyBind } = config.api;
  if (authStrategy === 'noauth' && !isLoopback(host) && !noauthAnyBind) {
    throw new ConfigError(
      `FLOE_AUTH_STRATEGY=noauth lets any caller act as any user, so the API refuses to listen on ${host}. ` +
        'Bind it to 127.0.0.1 (FLOE_API_HOST) or set FLOE_NOAUTH_ANY_BIND=true to accept the risk.',
    );
  }
}

function listen(server: http.Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Stops accepting, lets in-flight requests finish (closing keep-alive connections as they idle). */
function closeGracefully(server: http.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    const deadline = setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS);
    server.close((err) => {
      clearInterval(sweep);
      clearTimeout(deadline);
      if (err) reject(err);
      else resolve();
    });
    server.closeIdleConnections();
  });
}

function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

export async function startApiService(deps: ApiDeps): Promise<RunningService & { url: string; port: number }> {
  checkAuthBinding(deps.config);
  const server = http.createServer(createApp(deps));
  const address = await listen(server, deps.config.api.host, deps.config.api.port);
  const url = urlOf(address);
  log.info('listening', { url, auth: deps.config.api.authStrategy });
  return {
    name: 'floe-api',
    url,
    port: address.port,
    stop: () => closeGracefully(server),
  };
}
