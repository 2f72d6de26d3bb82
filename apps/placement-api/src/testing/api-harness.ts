import { createTestDatabase } from '@mxs/persistence';
import { AppModule } from '../app.module';
import type { ApiConfig } from '../config';
import { loadApiConfig } from '../config';
import type { InProcessApp, TestEnvironment } from '@mxs/test-kit';
import { ADMIN_KEY, startInProcess, testEnvironment } from '@mxs/test-kit';

export type { TestEnvironment };

export { ADMIN_KEY };

export interface ApiUnderTest extends InProcessApp {
  readonly config: ApiConfig;
}

/** A fresh database (cloned from the migrated template) and a queue prefix of the test's own. */
export async function createTestEnvironment(label: string): Promise<TestEnvironment> {
  return testEnvironment(await createTestDatabase(label));
}

/** The real app, in this process, on a free port: every module, filter and guard as in production. */
export async function startApi(env: Record<string, string>): Promise<ApiUnderTest> {
  const config = loadApiConfig(env);
  const app = await startInProcess((logDestination) => AppModule.forRoot(config, { logDestination }), 'mxs placement API');
  return { ...app, config };
}
