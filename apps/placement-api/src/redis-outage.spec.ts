/// <reference types="jest" />
import { QUEUES } from '@mxs/contracts';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { ApiUnderTest, TestEnvironment } from './testing/api-harness';
import { createTestEnvironment, startApi } from './testing/api-harness';
import type { Reply, SeededTenant } from '@mxs/test-kit';
import { call, loadFleet, seedTenant } from '@mxs/test-kit';
import { withDb } from './testing/db-checks';
import type { RedisServer } from '@mxs/test-kit';
import { freePort, startRedisServer, waitFor } from '@mxs/test-kit';

// The API on a Redis of its own, which the test stops and starts again: the transactional
// outbox must keep every accepted expansion's hot-add job until Redis is back, then put it on
// the `hotplug` queue once (job id = operation id).

const DURING_OUTAGE = 24;
const AFTER_RESTART = 8;

describe('Redis stopped while expansions are requested', () => {
  let redisPort: number;
  let redis: RedisServer;
  let env: TestEnvironment;
  let api: ApiUnderTest;
  let acme: SeededTenant;

  const expand = (i: number): Promise<Reply> =>
    call(api.url, 'POST', `/v1/vms/${acme.vmIds[i % acme.vmIds.length] ?? ''}/expansions`, {
      key: acme.key,
      body: { sizeGiB: 4, tier: 'any' },
      headers: { 'idempotency-key': `outage-${i}` },
    });
  const health = (): Promise<Reply<{ status: string; checks: Record<string, { status: string }> }>> => call(api.url, 'GET', '/health');

  /** Every hot-add operation the database holds, with its outbox row (the relay's to-do list). */
  const hotAddOperations = (): Promise<{ id: string; expansion_id: string }[]> =>
    withDb(env.db.url, async (db) => {
      const { rows } = await db.query<{ id: string; expansion_id: string }>(
        `SELECT o.id, o.expansion_id FROM operations o JOIN outbox b ON b.id = o.id WHERE o.kind = 'hot-add' ORDER BY o.id`,
      );
      return rows;
    });

  const outboxDrained = (): Promise<void> =>
    waitFor(
      'the outbox to drain',
      () => withDb(env.db.url, async (db) => (await db.query(`SELECT 1 FROM outbox WHERE published_at IS NULL`)).rowCount === 0),
      60_000,
      250,
    );

  /** The hotplug queue holds one job per operation, id = operation id, added once. */
  async function expectEachJobQueuedOnce(operations: readonly { id: string; expansion_id: string }[]): Promise<void> {
    const ids = operations.map((o) => o.id);
    const queue = new Queue(QUEUES.hotplug, { connection: { host: '127.0.0.1', port: redisPort }, prefix: env.queuePrefix });
    const events = new Redis(redis.url);
    try {
      const jobs = await queue.getJobs(['waiting', 'paused', 'delayed', 'prioritized', 'active', 'completed', 'failed']);
      expect(jobs.map((j) => j.id).sort()).toEqual(ids);
      for (const job of jobs) {
        const operation = operations.find((o) => o.id === job.id);
        expect(job.name).toBe('hot-add');
        expect(job.data).toMatchObject({ operationId: job.id, expansionId: operation?.expansion_id, kind: 'hot-add', tenantId: 'acme' });
      }
      // BullMQ records each add in the queue's event stream: one `added` per job, whatever the
      // relay retried (a repeated add with the same job id is a `duplicated` event, not a job).
      const stream = (await events.xrange(`${env.queuePrefix}:${QUEUES.hotplug}:events`, '-', '+')) as [string, string[]][];
      const added = new Map<string, number>();
      let duplicates = 0;
      for (const [, fields] of stream) {
        const entry = new Map<string, string>();
        for (let i = 0; i + 1 < fields.length; i += 2) entry.set(fields[i] ?? '', fields[i + 1] ?? '');
        if (entry.get('event') === 'duplicated') duplicates++;
        if (entry.get('event') === 'added') added.set(entry.get('jobId') ?? '', (added.get(entry.get('jobId') ?? '') ?? 0) + 1);
      }
      expect([...added.keys()].sort()).toEqual(ids);
      expect([...added.entries()].filter(([, n]) => n !== 1)).toEqual([]);
      process.stdout.write(`redis-outage: ${jobs.length} hotplug jobs, each added once; ${duplicates} repeated add(s) absorbed by the job id\n`);
    } finally {
      await queue.close();
      events.disconnect();
    }
  }

  beforeAll(async () => {
    redisPort = await freePort();
    redis = await startRedisServer(redisPort);
    env = await createTestEnvironment('redis-outage');
    api = await startApi(env.env({ REDIS_URL: redis.url }));
    const { hostIds } = await loadFleet(api.url, 'small');
    acme = await seedTenant(api.url, 'acme', hostIds.slice(0, 4));
  });

  afterAll(async () => {
    await api?.close();
    await redis?.stop();
    await env?.drop();
  });

  it('accepts every request while Redis is down and queues each hot-add job exactly once when it is back', async () => {
    expect((await health()).status).toBe(200);

    await redis.stop();
    await waitFor('/health to report Redis down', async () => (await health()).status === 503, 20_000);
    const down = await health();
    expect(down.body).toMatchObject({ status: 'down', checks: { postgres: { status: 'up' }, redis: { status: 'down' } } });

    const duringOutage = await Promise.all(Array.from({ length: DURING_OUTAGE }, (_, i) => expand(i)));
    expect(duringOutage.map((r) => r.status)).toEqual(Array(DURING_OUTAGE).fill(202));
    // Nothing could have gone out: every job waits in the outbox.
    await withDb(env.db.url, async (db) => {
      const { rows } = await db.query<{ pending: number }>(`SELECT count(*)::int AS pending FROM outbox WHERE published_at IS NULL`);
      expect(rows[0]?.pending).toBe(DURING_OUTAGE);
    });
    // The API could not put them on the queue itself: it gives them back to the relays at once.
    await waitFor(
      'the rows given back to the relays',
      () => withDb(env.db.url, async (db) => (await db.query(`SELECT 1 FROM outbox WHERE relay_after IS NOT NULL`)).rowCount === 0),
      20_000,
      100,
    );

    redis = await startRedisServer(redisPort);
    const afterRestart = await Promise.all(Array.from({ length: AFTER_RESTART }, (_, i) => expand(DURING_OUTAGE + i)));
    expect(afterRestart.map((r) => r.status)).toEqual(Array(AFTER_RESTART).fill(202));

    await waitFor('/health to report Redis up', async () => (await health()).status === 200, 30_000);
    await outboxDrained();

    const accepted = [...duringOutage, ...afterRestart].map((r) => (r.body as { id: string }).id);
    const operations = await hotAddOperations();
    expect(operations.map((o) => o.expansion_id).sort()).toEqual([...accepted].sort());

    await expectEachJobQueuedOnce(operations);
  });

  it('keeps each job once when Redis hangs mid-stream and then answers the adds it was holding', async () => {
    const before = new Set((await hotAddOperations()).map((o) => o.expansion_id));
    const first = await Promise.all(Array.from({ length: 8 }, (_, i) => expand(100 + i)));
    // Frozen, not gone: the connection stays open, commands pile up unanswered, the relay's adds
    // time out and are retried, and the held ones still run once Redis wakes.
    redis.process.kill('SIGSTOP');
    try {
      const during = await Promise.all(Array.from({ length: 16 }, (_, i) => expand(200 + i)));
      expect([...first, ...during].map((r) => r.status)).toEqual(Array(24).fill(202));
      expect((await health()).status).toBe(503);
      await waitFor(
        'a relay attempt to fail',
        () => withDb(env.db.url, async (db) => (await db.query(`SELECT 1 FROM outbox WHERE published_at IS NULL AND attempts > 0`)).rowCount !== 0),
        30_000,
        250,
      );
    } finally {
      redis.process.kill('SIGCONT');
    }
    await waitFor('/health to report Redis up', async () => (await health()).status === 200, 30_000);
    await outboxDrained();

    const operations = await hotAddOperations();
    expect(operations.filter((o) => !before.has(o.expansion_id))).toHaveLength(24);
    await expectEachJobQueuedOnce(operations);
  });
});
