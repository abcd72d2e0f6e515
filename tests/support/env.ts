import { randomBytes } from 'node:crypto';
import { loadConfig, type FloeConfig } from '../../common/config.js';
import { openDatabase, migrateToLatest, type Db } from '../../common/db/database.js';
import { TcpRelay } from './tcp-relay.js';

/** Tests use their own database and RabbitMQ virtual host, created by `scripts/setup.sh --test`. */
export const TEST_DATABASE_URL =
  process.env.FLOE_TEST_DATABASE_URL ?? 'postgres://floe:floe@127.0.0.1:5432/floe_test';
export const TEST_RABBITMQ_URL =
  process.env.FLOE_TEST_RABBITMQ_URL ?? 'amqp://floe:floe@127.0.0.1:5672/floe-test';

/** A short random suffix so that tests never share hosts, projects or queues. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export function testEnv(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    FLOE_DATABASE_URL: TEST_DATABASE_URL,
    FLOE_RABBITMQ_URL: TEST_RABBITMQ_URL,
    FLOE_LOG_LEVEL: 'warn',
    ...overrides,
  };
}

export function testConfig(overrides: Record<string, string> = {}): FloeConfig {
  return loadConfig(testEnv(overrides));
}

export async function openTestDb(): Promise<Db> {
  const db = openDatabase(TEST_DATABASE_URL, 5);
  await migrateToLatest(db);
  return db;
}

/** A TcpRelay in front of the test PostgreSQL (a test can cut it), and the test database's URL through it. */
export async function relayToTestDatabase(): Promise<{ relay: TcpRelay; url: string }> {
  const url = new URL(TEST_DATABASE_URL);
  const relay = await TcpRelay.start(url.hostname, Number(url.port || 5432));
  url.hostname = '127.0.0.1';
  url.port = String(relay.port);
  return { relay, url: url.href };
}
