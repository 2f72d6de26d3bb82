/// <reference types="jest" />
import { QUEUES } from '@mxs/contracts';
import { waitFor } from '@mxs/test-kit';
import type { INestApplication } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { DeviceTelemetry } from '../telemetry/device-telemetry';
import { TestStack } from '../testing/stack';
import { Reconciler } from './reconciler';

let stack: TestStack;
let app: INestApplication | null = null;
let redis: Redis;
let hotplug: Queue;

beforeAll(async () => {
  stack = await TestStack.start('reconcile');
  redis = new Redis(stack.redisUrl, { maxRetriesPerRequest: null });
  hotplug = new Queue(QUEUES.hotplug, { connection: redis, prefix: stack.queuePrefix });
}, 120_000);

afterAll(async () => {
  await hotplug?.close();
  await redis?.quit();
  await stack?.stop();
});

/** The worker in this process; reconciliation looks at anything unfinished at once. */
async function worker(): Promise<INestApplication> {
  app ??= (await stack.startWorker({ MXS_RECONCILE_GRACE_MS: '0' })).app;
  return app;
}

async function reconcile(): Promise<Awaited<ReturnType<Reconciler['reconcile']>>> {
  return (await worker()).get(Reconciler).reconcile();
}

async function hotAddOf(expansionId: string): Promise<string> {
  const [op] = await stack.sql<{ id: string }>(`SELECT id FROM operations WHERE expansion_id = $1 AND kind = 'hot-add'`, [expansionId]);
  return op?.id as string;
}

async function activeExpansion(n: number): Promise<string> {
  const created = await stack.requestExpansion(stack.tenant.vmIds[n] as string, { sizeGiB: 4, tier: 'any' });
  expect(created.status).toBe(202);
  await stack.expansionReaches(created.body.id as string, ['active']);
  return created.body.id as string;
}

describe('reconciliation', () => {
  it('queues a lost hot-add again (from its outbox row, or rebuilt without it) and the expansion goes active', async () => {
    // No worker yet: the API relays the jobs, and they are lost before anyone takes them.
    const ids: string[] = [];
    for (const n of [0, 1]) ids.push((await stack.requestExpansion(stack.tenant.vmIds[n] as string, { sizeGiB: 4, tier: 'any' })).body.id as string);
    const ops = await Promise.all(ids.map(hotAddOf));
    await waitFor('the hot-add jobs relayed', async () => (await stack.sql(`SELECT 1 FROM outbox WHERE id = ANY($1::uuid[]) AND published_at IS NOT NULL`, [ops])).length === 2, 10_000, 25);
    for (const op of ops) await hotplug.remove(op);
    await stack.sql(`DELETE FROM outbox WHERE id = $1`, [ops[1]]);
    expect(await hotplug.getJob(ops[0] as string)).toBeUndefined();

    const summary = await reconcile();
    expect(summary.jobsRequeued).toBe(2);
    for (const id of ids) await stack.expansionReaches(id, ['active']);
    // Once running again, nothing is lost: a second pass queues nothing.
    expect((await reconcile()).jobsRequeued).toBe(0);
  });

  it('releases extents the fabric holds for an expansion the database does not know', async () => {
    await worker();
    const host = stack.fleet.hosts[2]?.id as string;
    const deviceId = stack.fleet.devices.find((d) => d.attachment.kind === 'direct' && d.attachment.hostId === host)?.id as string;
    const orphan = randomUUID();
    await stack.agent.offerExtents({ expansionId: orphan, hostId: host, extents: [{ deviceId, offsetGiB: 256, sizeGiB: 4 }] });
    await stack.agent.acceptExtents({ expansionId: orphan, hostId: host });
    expect((await stack.agent.deviceState(deviceId)).extents.filter((e) => e.expansionId === orphan)).toHaveLength(1);

    const summary = await reconcile();
    expect(summary.orphanExtentsReleased).toBe(1);
    const held = (await stack.agent.deviceState(deviceId)).extents.filter((e) => e.expansionId === orphan && (e.state === 'offered' || e.state === 'accepted'));
    expect(held).toEqual([]);
    expect((await reconcile()).orphanExtentsReleased).toBe(0);
  });

  it('marks an active expansion whose region is gone from its host as degraded drift, with downtime and a metric', async () => {
    const id = await activeExpansion(3);
    await stack.sim.injectFault({ kind: 'force-release', expansionId: id });
    const summary = await reconcile();
    expect(summary.drift['no-region']).toBe(1);
    const degraded = await stack.expansion(id);
    expect(degraded.body).toMatchObject({ state: 'degraded', reason: `drift: host ${stack.fleet.hosts[3]?.id as string} has no region for it` });
    expect(await stack.sql(`SELECT 1 FROM expansion_downtime WHERE expansion_id = $1 AND ended_at IS NULL`, [id])).toHaveLength(1);
    const metrics = await (await fetch(`${await (await worker()).getUrl()}/metrics`)).text();
    expect(metrics).toMatch(/mxs_reconcile_drift_total\{kind="no-region"\} 1/);
    // Telemetry sees every path whole, yet does not call drift repaired.
    await (await worker()).get(DeviceTelemetry).sweep();
    expect((await stack.expansion(id)).body).toMatchObject({ state: 'degraded' });
    expect((await reconcile()).drift['no-region']).toBe(0);
  });
});
