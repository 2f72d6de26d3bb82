/// <reference types="jest" />
import type { HotplugJob } from '@mxs/contracts';
import { QUEUES, hotplugJobSchema } from '@mxs/contracts';
import type { Job } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { OutboxRelay } from '@mxs/messaging';
import type { ApiUnderTest, TestEnvironment } from './testing/api-harness';
import { createTestEnvironment, startApi } from './testing/api-harness';
import type { SeededTenant } from '@mxs/test-kit';
import { call, loadFleet, seedTenant } from '@mxs/test-kit';
import { eventually, requestExpansion, sql } from './testing/expectations';
import { TestQueues } from './testing/test-queues';

interface Placed {
  id: string;
  extents: { deviceId: string; offsetGiB: number; sizeGiB: number }[];
}

// The transactional outbox: each accepted expansion's hotplug job reaches BullMQ once, with
// job id = operation id and the request id of the HTTP request that caused it.
describe('outbox to the hotplug queue', () => {
  let env: TestEnvironment;
  let api: ApiUnderTest;
  let queues: TestQueues;
  let acme: SeededTenant;
  const vm = (): string => acme.vmIds[0] ?? '';

  beforeAll(async () => {
    env = await createTestEnvironment('outbox');
    api = await startApi(env.env());
    queues = new TestQueues(api.config.REDIS_URL, env.queuePrefix);
    const { hostIds } = await loadFleet(api.url);
    acme = await seedTenant(api.url, 'acme', hostIds.slice(2, 3));
  });

  afterAll(async () => {
    await api?.close();
    await queues?.close();
    await env?.drop();
  });

  async function operationOf(expansionId: string, kind: HotplugJob['kind'], on: ApiUnderTest = api): Promise<string> {
    const [op] = await sql<{ id: string }>(on, `SELECT id FROM operations WHERE expansion_id = $1 AND kind = $2`, [expansionId, kind]);
    if (op === undefined) throw new Error(`no ${kind} operation for ${expansionId}`);
    return op.id;
  }

  const hotplugJob = (id: string): Promise<Job> =>
    eventually(async () => (await queues.queue(QUEUES.hotplug).getJob(id)) ?? undefined, `hotplug job ${id}`);

  it('puts a hot-add job with id = operation id = outbox id, carrying the request id', async () => {
    const reply = await requestExpansion(api, acme, vm(), { sizeGiB: 12, tier: 'any', layout: 'spread' }, { requestId: 'req-outbox-1' });
    expect(reply.status).toBe(202);
    const placed = reply.body as Placed;
    const operationId = await operationOf(placed.id, 'hot-add');
    const job = await hotplugJob(operationId);
    expect(job.id).toBe(operationId);
    expect(job.name).toBe('hot-add');
    const data = hotplugJobSchema.parse(job.data);
    expect(data).toEqual({
      operationId,
      kind: 'hot-add',
      expansionId: placed.id,
      tenantId: 'acme',
      vmId: vm(),
      hostId: 'host-001-03',
      sizeGiB: 12,
      extents: placed.extents,
      requestId: 'req-outbox-1',
    });
    // The API put it on the queue itself, and marks the row once it has; relay passes left it to it meanwhile.
    const row = await eventually(async () => {
      const [found] = await sql<{ queue: string; job_name: string; published: boolean; left_to_api: boolean }>(
        api,
        `SELECT queue, job_name, published_at IS NOT NULL AS published, relay_after > created_at AS left_to_api FROM outbox WHERE id = $1`,
        [operationId],
      );
      return found?.published === true ? found : undefined;
    }, 'the outbox row to be marked published');
    expect(row).toEqual({ queue: 'hotplug', job_name: 'hot-add', published: true, left_to_api: true });
  });

  it('puts a committed row on its queue without a relay pass, and marks it sent once it can', async () => {
    // A row held by another replica's relay pass: passes here skip it, so only publishNow can send it.
    const id = randomUUID();
    const payload = { operationId: id, kind: 'hot-add', expansionId: randomUUID(), requestId: 'req-now' };
    await sql(api, `INSERT INTO outbox (id, queue, job_name, payload) VALUES ($1, 'hotplug', 'hot-add', $2)`, [id, payload]);
    const holder = new Client({ connectionString: api.config.DATABASE_URL });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT id FROM outbox WHERE id = $1 FOR UPDATE`, [id]);
      expect(await api.app.get(OutboxRelay).relayOnce()).toBe(0);
      api.app.get(OutboxRelay).publishNow([{ id, queue: 'hotplug', jobName: 'hot-add', payload }]);
      expect((await hotplugJob(id)).data).toEqual(payload);
      const published = (): Promise<boolean | undefined> => sql<{ p: boolean }>(api, `SELECT published_at IS NOT NULL AS p FROM outbox WHERE id = $1`, [id]).then(([r]) => r?.p);
      expect(await published()).toBe(false);
      await holder.query('COMMIT');
      await eventually(async () => ((await published()) === true ? true : undefined), 'the row marked sent');
    } finally {
      await holder.end();
    }
  });

  it('gives every accepted expansion exactly one job, and a relay that runs again adds none', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const reply = await requestExpansion(api, acme, vm(), { sizeGiB: 2, tier: 'any' }, { requestId: `req-batch-${i}` });
      expect(reply.status).toBe(202);
      ids.push((reply.body as Placed).id);
    }
    const operationIds = await Promise.all(ids.map((id) => operationOf(id, 'hot-add')));
    for (const [i, operationId] of operationIds.entries()) expect((await hotplugJob(operationId)).data.requestId).toBe(`req-batch-${i}`);
    const before = await queues.queue(QUEUES.hotplug).getJobCounts();
    // As after a crash between the add and the mark, once the crashed writer's time is up: the
    // rows go out again, and BullMQ keeps one job per id.
    await sql(api, `UPDATE outbox SET published_at = NULL, relay_after = NULL WHERE id = ANY($1::uuid[])`, [operationIds]);
    await eventually(async () => ((await api.app.get(OutboxRelay).relayOnce()) >= 0 ? true : undefined), 'a relay pass');
    await eventually(async () => {
      const [pending] = await sql<{ n: number }>(api, `SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`);
      return pending?.n === 0 ? true : undefined;
    }, 'the outbox to drain');
    expect(await queues.queue(QUEUES.hotplug).getJobCounts()).toEqual(before);
  });

  it('DELETE puts a hot-remove job with the live extents and the DELETE’s request id', async () => {
    const reply = await requestExpansion(api, acme, vm(), { sizeGiB: 6, tier: 'any' });
    const placed = reply.body as Placed;
    const removed = await call(api.url, 'DELETE', `/v1/expansions/${placed.id}`, { key: acme.key, headers: { 'x-request-id': 'req-remove-9' } });
    expect(removed.status).toBe(202);
    const operationId = await operationOf(placed.id, 'hot-remove');
    const job = await hotplugJob(operationId);
    expect(job.name).toBe('hot-remove');
    expect(hotplugJobSchema.parse(job.data)).toMatchObject({ operationId, kind: 'hot-remove', expansionId: placed.id, sizeGiB: 6, extents: placed.extents, requestId: 'req-remove-9' });
    // A second DELETE while it detaches starts no second hot-remove.
    expect((await call(api.url, 'DELETE', `/v1/expansions/${placed.id}`, { key: acme.key })).status).toBe(202);
    expect(await sql(api, `SELECT id FROM outbox WHERE job_name = 'hot-remove' AND payload->>'expansionId' = $1`, [placed.id])).toHaveLength(1);
  });

  it('keeps jobs in the outbox while no relay runs, and a replica that relays sends them', async () => {
    const quiet = await startApi(env.env({ MXS_OUTBOX_RELAY: 'false', MXS_AUTOMATION_CONCURRENCY: '0' }));
    await api.close(); // the only relay so far
    try {
      const reply = await requestExpansion(quiet, acme, vm(), { sizeGiB: 4, tier: 'any' }, { requestId: 'req-quiet' });
      expect(reply.status).toBe(202);
      const operationId = await operationOf((reply.body as Placed).id, 'hot-add', quiet);
      // It does not publish, so the relays need not leave the row to it.
      expect(await sql(quiet, `SELECT id FROM outbox WHERE id = $1 AND relay_after IS NULL`, [operationId])).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await queues.queue(QUEUES.hotplug).getJob(operationId)).toBeUndefined();
      api = await startApi(env.env());
      expect((await hotplugJob(operationId)).data.requestId).toBe('req-quiet');
    } finally {
      await quiet.close();
    }
  });

  it('never queues a hot-remove before its hot-add, even while another replica holds the hot-add row', async () => {
    // Only this test's explicit passes relay: a background relay could send the hot-add before the holder locks it.
    await api.close();
    const quiet = await startApi(env.env({ MXS_OUTBOX_RELAY: 'false', MXS_AUTOMATION_CONCURRENCY: '0' }));
    const holder = new Client({ connectionString: api.config.DATABASE_URL });
    await holder.connect();
    try {
      const placed = (await requestExpansion(quiet, acme, vm(), { sizeGiB: 2, tier: 'any' })).body as Placed;
      const addId = await operationOf(placed.id, 'hot-add', quiet);
      // Another replica is relaying the hot-add right now: its row is locked, not yet sent.
      await holder.query('BEGIN');
      await holder.query(`SELECT id FROM outbox WHERE id = $1 FOR UPDATE`, [addId]);
      expect((await call(quiet.url, 'DELETE', `/v1/expansions/${placed.id}`, { key: acme.key })).status).toBe(202);
      const removeId = await operationOf(placed.id, 'hot-remove', quiet);
      await quiet.app.get(OutboxRelay).relayOnce();
      expect(await queues.queue(QUEUES.hotplug).getJob(removeId)).toBeUndefined();
      await holder.query('ROLLBACK');
      // The first pass sends the hot-add; the hot-remove waits for it and goes in the second.
      expect(await quiet.app.get(OutboxRelay).relayOnce()).toBe(1);
      expect(await quiet.app.get(OutboxRelay).relayOnce()).toBe(1);
      const add = await hotplugJob(addId);
      const remove = await hotplugJob(removeId);
      expect(add.timestamp).toBeLessThanOrEqual(remove.timestamp);
    } finally {
      await holder.end();
      await quiet.close();
      api = await startApi(env.env());
    }
  });

  it('a DELETE queues its hot-remove itself only once every older row of the expansion is sent', async () => {
    const placed = (await requestExpansion(api, acme, vm(), { sizeGiB: 2, tier: 'any' })).body as Placed;
    const addId = await operationOf(placed.id, 'hot-add');
    await hotplugJob(addId);
    // As if the hot-add's row were still being relayed by another replica: unsent, the relays', and locked.
    await sql(api, `UPDATE outbox SET published_at = NULL, relay_after = NULL WHERE id = $1`, [addId]);
    const holder = new Client({ connectionString: api.config.DATABASE_URL });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT id FROM outbox WHERE id = $1 FOR UPDATE`, [addId]);
      expect((await call(api.url, 'DELETE', `/v1/expansions/${placed.id}`, { key: acme.key })).status).toBe(202);
      const removeId = await operationOf(placed.id, 'hot-remove');
      await api.app.get(OutboxRelay).relayOnce();
      expect(await queues.queue(QUEUES.hotplug).getJob(removeId)).toBeUndefined();
      await holder.query('COMMIT');
      await api.app.get(OutboxRelay).relayAll();
      expect((await hotplugJob(removeId)).name).toBe('hot-remove');
    } finally {
      await holder.end();
    }
  });

  it('sends a row that waited behind its expansion\'s older one in the same round, not at the next poll', async () => {
    await api.close();
    const quiet = await startApi(env.env({ MXS_OUTBOX_RELAY: 'false', MXS_AUTOMATION_CONCURRENCY: '0' }));
    try {
      const placed = (await requestExpansion(quiet, acme, vm(), { sizeGiB: 2, tier: 'any' })).body as Placed;
      expect((await call(quiet.url, 'DELETE', `/v1/expansions/${placed.id}`, { key: acme.key })).status).toBe(202);
      // Both rows wait; one pass may send only the hot-add, and the hot-remove goes in the pass after it.
      expect(await quiet.app.get(OutboxRelay).relayAll()).toBe(2);
      const add = await hotplugJob(await operationOf(placed.id, 'hot-add', quiet));
      const remove = await hotplugJob(await operationOf(placed.id, 'hot-remove', quiet));
      expect(add.timestamp).toBeLessThanOrEqual(remove.timestamp);
    } finally {
      await quiet.close();
      api = await startApi(env.env());
    }
  });

  it('leaves a row to the writer that publishes it itself, and takes it, and the rows behind it, once its time is up', async () => {
    const expansionId = randomUUID();
    const [add, usage, remove] = [randomUUID(), randomUUID(), randomUUID()];
    const insert = (id: string, queue: string, jobName: string, relayAfter: string): Promise<unknown> =>
      sql(api, `INSERT INTO outbox (id, queue, job_name, payload, relay_after) VALUES ($1, $2, $3, $4, clock_timestamp() + $5::interval)`, [id, queue, jobName, { expansionId, operationId: id }, relayAfter]);
    // Committed in this order: the hot-add is its writer's for an hour, the rest is the relays' at once.
    await insert(add, QUEUES.hotplug, 'hot-add', '1 hour');
    await insert(usage, QUEUES.usageEvents, 'usage-event', '-1 second');
    await insert(remove, QUEUES.hotplug, 'hot-remove', '-1 second');
    try {
      await api.app.get(OutboxRelay).relayAll();
      // The expansion's usage event is on a queue of its own: nothing it must wait for.
      await eventually(async () => (await queues.queue(QUEUES.usageEvents).getJob(usage)) ?? undefined, 'the usage event');
      expect(await queues.queue(QUEUES.hotplug).getJob(add)).toBeUndefined();
      // The hot-remove waits behind its hot-add, wherever that is.
      expect(await queues.queue(QUEUES.hotplug).getJob(remove)).toBeUndefined();
      // The writer never published: once its time is up, the relays take the row and the one behind it.
      await sql(api, `UPDATE outbox SET relay_after = clock_timestamp() - interval '1 second' WHERE id = $1`, [add]);
      await api.app.get(OutboxRelay).relayAll();
      const [addJob, removeJob] = await Promise.all([hotplugJob(add), hotplugJob(remove)]);
      expect(addJob.timestamp).toBeLessThanOrEqual(removeJob.timestamp);
    } finally {
      await sql(api, `DELETE FROM outbox WHERE id = ANY($1::uuid[])`, [[add, usage, remove]]);
    }
  });

  it('a DELETE queues its hot-remove itself while an older row of its expansion waits on another queue', async () => {
    const placed = (await requestExpansion(api, acme, vm(), { sizeGiB: 2, tier: 'any' })).body as Placed;
    await hotplugJob(await operationOf(placed.id, 'hot-add'));
    // An event of the expansion not yet sent (its writer's for an hour): it orders only its own queue.
    const event = randomUUID();
    await sql(api, `INSERT INTO outbox (id, queue, job_name, payload, relay_after) VALUES ($1, $2, 'expansion-event', $3, clock_timestamp() + interval '1 hour')`, [
      event, QUEUES.expansionEvents, { expansionId: placed.id },
    ]);
    try {
      expect((await call(api.url, 'DELETE', `/v1/expansions/${placed.id}`, { key: acme.key })).status).toBe(202);
      const removeId = await operationOf(placed.id, 'hot-remove');
      expect((await hotplugJob(removeId)).name).toBe('hot-remove');
      // Left to the API, which sent it: no relay pass was needed.
      expect(await sql(api, `SELECT id FROM outbox WHERE id = $1 AND relay_after IS NOT NULL`, [removeId])).toHaveLength(1);
      expect(await sql(api, `SELECT id FROM outbox WHERE id = $1 AND published_at IS NULL`, [event])).toHaveLength(1);
    } finally {
      await sql(api, `DELETE FROM outbox WHERE id = $1`, [event]);
    }
  });

  it('wakes the relays elsewhere only from a process that does not relay, and only after its commit', async () => {
    const listener = new Client({ connectionString: api.config.DATABASE_URL });
    await listener.connect();
    const quiet = await startApi(env.env({ MXS_OUTBOX_RELAY: 'false', MXS_AUTOMATION_CONCURRENCY: '0' }));
    try {
      // Each notice records whether the quiet replica's row was committed when it arrived.
      const seen: Promise<number>[] = [];
      const committed = (): Promise<number> => sql<{ n: number }>(api, `SELECT count(*)::int AS n FROM outbox WHERE payload->>'requestId' = 'req-woken'`).then(([r]) => r?.n ?? -1);
      listener.on('notification', () => seen.push(committed()));
      await listener.query('LISTEN mxs_outbox');

      // A relaying replica's writes notify no one: it relays them itself.
      const own = (await requestExpansion(api, acme, vm(), { sizeGiB: 2, tier: 'any' })).body as Placed;
      await hotplugJob(await operationOf(own.id, 'hot-add'));
      await listener.query('SELECT 1'); // a round trip, so any notice has surely arrived
      expect(seen).toHaveLength(0);

      const reply = await requestExpansion(quiet, acme, vm(), { sizeGiB: 2, tier: 'any' }, { requestId: 'req-woken' });
      expect(reply.status).toBe(202);
      expect((await hotplugJob(await operationOf((reply.body as Placed).id, 'hot-add', quiet))).data.requestId).toBe('req-woken');
      await eventually(async () => (seen.length > 0 ? true : undefined), 'a notice from the quiet replica');
      expect(await Promise.all(seen)).toEqual([1]);
    } finally {
      await quiet.close();
      await listener.end();
    }
  });
});
