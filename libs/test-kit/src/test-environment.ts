import { randomBytes } from 'node:crypto';
import { ADMIN_KEY } from './api-client';
import { dropQueueKeys } from './queue-keys';

/** A database of the test's own (from `@mxs/persistence`'s createTestDatabase) and a queue prefix of its own. */
export interface TestEnvironment {
  readonly db: { readonly url: string; drop(): Promise<void> };
  readonly queuePrefix: string;
  /** The environment an app under test reads: this database, this prefix, the test admin key. */
  env(overrides?: Record<string, string>): Record<string, string>;
  drop(): Promise<void>;
}

export function testRedisUrl(): string {
  return process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
}

export function testEnvironment(db: { readonly url: string; drop(): Promise<void> }): TestEnvironment {
  const queuePrefix = `{mxs-test-${randomBytes(4).toString('hex')}}`;
  return {
    db,
    queuePrefix,
    env: (overrides = {}) => ({
      DATABASE_URL: db.url,
      REDIS_URL: testRedisUrl(),
      MXS_ADMIN_KEY: ADMIN_KEY,
      MXS_QUEUE_PREFIX: queuePrefix,
      LOG_LEVEL: 'warn',
      MXS_RATE_LIMIT_PER_MINUTE: '0',
      PORT: '3000',
      ...overrides,
    }),
    drop: async () => {
      await db.drop();
      await dropQueueKeys(testRedisUrl(), queuePrefix);
    },
  };
}
