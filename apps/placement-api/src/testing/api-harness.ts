import { createTestDatabase } from '@mxs/persistence';
import type { TestDatabase } from '@mxs/persistence';
import { createHttpApp, setupOpenApi } from '@mxs/service-kit';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { AppModule } from '../app.module';
import type { ApiConfig } from '../config';
import { loadApiConfig } from '../config';
import { ADMIN_KEY, dropQueueKeys } from '@mxs/test-kit';

export { ADMIN_KEY };

export interface ApiUnderTest {
  readonly url: string;
  readonly app: NestExpressApplication;
  readonly config: ApiConfig;
  /** The JSON log lines the app wrote, for assertions on logs. */
  readonly logs: string[];
  close(): Promise<void>;
}

/** A fresh database (cloned from the migrated template) and a queue prefix of the test's own. */
export interface TestEnvironment {
  readonly db: TestDatabase;
  readonly queuePrefix: string;
  env(overrides?: Record<string, string>): Record<string, string>;
  drop(): Promise<void>;
}

export async function createTestEnvironment(label: string): Promise<TestEnvironment> {
  const db = await createTestDatabase(label);
  const queuePrefix = `{mxs-test-${randomBytes(4).toString('hex')}}`;
  return {
    db,
    queuePrefix,
    env: (overrides = {}) => ({
      DATABASE_URL: db.url,
      REDIS_URL: process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      MXS_ADMIN_KEY: ADMIN_KEY,
      MXS_QUEUE_PREFIX: queuePrefix,
      LOG_LEVEL: 'warn',
      MXS_RATE_LIMIT_PER_MINUTE: '0',
      PORT: '3000',
      ...overrides,
    }),
    drop: async () => {
      await db.drop();
      await dropQueueKeys(process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379', queuePrefix);
    },
  };
}

/** The real app, in this process, on a free port: every module, filter and guard as in production. */
export async function startApi(env: Record<string, string>): Promise<ApiUnderTest> {
  const config = loadApiConfig(env);
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter((line) => line.length > 0));
      done();
    },
  });
  const app = await createHttpApp(AppModule.forRoot(config, { logDestination: destination }));
  setupOpenApi(app, { title: 'mxs placement API', version: '1' });
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, app, config, logs, close: () => app.close() };
}
