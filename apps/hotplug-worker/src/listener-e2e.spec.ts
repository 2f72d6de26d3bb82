/// <reference types="jest" />
import { createTestDatabase } from '@mxs/persistence';
import type { TestDatabase } from '@mxs/persistence';
import type { Child } from '@mxs/test-kit';
import { ADMIN_KEY, dropQueueKeys, freePort, startSourceChild, waitFor } from '@mxs/test-kit';
import { randomBytes } from 'node:crypto';
import { SIM_TOKEN } from './testing/stack';

const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const QUEUE_PREFIX = `{mxs-test-${randomBytes(4).toString('hex')}}`;

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('worker_listener');
}, 60_000);

afterAll(async () => {
  await db?.drop();
  await dropQueueKeys(REDIS_URL, QUEUE_PREFIX);
});

/** The worker as production runs it, with `bind` (none: its default) for its /health and /metrics. */
async function workerBoundTo(bind: string | null): Promise<{ child: Child; port: number }> {
  const port = await freePort();
  const child = startSourceChild('apps/hotplug-worker/src/main.ts', [], {
    DATABASE_URL: db.url, REDIS_URL, MXS_QUEUE_PREFIX: QUEUE_PREFIX, MXS_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'warn',
    MXS_HOST_AGENT_URL: 'http://127.0.0.1:1', MXS_HOST_AGENT_TOKEN: SIM_TOKEN, MXS_TELEMETRY_INTERVAL_MS: '0', MXS_RECONCILE_INTERVAL_MS: '0',
    PORT: String(port), ...(bind === null ? {} : { MXS_WORKER_BIND: bind }),
  });
  return { child, port };
}

const answers = (address: string, port: number): Promise<number | null> =>
  fetch(`http://${address}:${port}/health`).then((r) => r.status, () => null);

// 127.0.0.2 is loopback too on Linux, so the test needs no outside interface to tell binds apart.
it.each([
  { bind: null, reachable: '127.0.0.1', not: '127.0.0.2' },
  { bind: '127.0.0.2', reachable: '127.0.0.2', not: '127.0.0.1' },
])('serves /health on MXS_WORKER_BIND ($bind) and nowhere else', async ({ bind, reachable, not }) => {
  const { child, port } = await workerBoundTo(bind);
  try {
    await waitFor(`the worker on ${reachable}:${port}`, async () => {
      if (child.process.exitCode !== null) throw new Error(`the worker exited:\n${child.output()}`);
      return (await answers(reachable, port)) === 200;
    });
    expect(await answers(not, port)).toBeNull();
  } finally {
    await child.stop();
  }
}, 90_000);
