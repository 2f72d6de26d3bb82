import { createTestDatabase } from '@mxs/persistence';
import { createHttpApp, setupOpenApi } from '@mxs/service-kit';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { AppModule } from '../app.module';
import type { ApiConfig } from '../config';
import { loadApiConfig } from '../config';
import type { TestEnvironment } from '@mxs/test-kit';
import { ADMIN_KEY, testEnvironment } from '@mxs/test-kit';

export type { TestEnvironment };

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
export async function createTestEnvironment(label: string): Promise<TestEnvironment> {
  return testEnvironment(await createTestDatabase(label));
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
