/// <reference types="jest" />
import type { ExpansionEvent, PlacementOutcome } from '@mxs/contracts';
import { QUEUES, expansionEventSchema } from '@mxs/contracts';
import type { Job, QueueEvents } from 'bullmq';
import { expansionSchema } from './expansions/expansion.schemas';
import type { ApiUnderTest, TestEnvironment } from './testing/api-harness';
import { createTestEnvironment, startApi } from './testing/api-harness';
import type { SeededTenant } from '@mxs/test-kit';
import { loadFleet, seedTenant } from '@mxs/test-kit';
import type { Problem } from './testing/expectations';
import { eventually, requestExpansion, sql } from './testing/expectations';
import { TestQueues } from './testing/test-queues';

// Automation's way in: a `placement-requests` job takes the very path of the POST.
describe('placement-requests queue', () => {
  let env: TestEnvironment;
  let api: ApiUnderTest;
  let queues: TestQueues;
  let events: QueueEvents;
  let acme: SeededTenant;
  const vm = (): string => acme.vmIds[0] ?? '';

  beforeAll(async () => {
    env = await createTestEnvironment('automation');
    api = await startApi(env.env());
    queues = new TestQueues(api.config.REDIS_URL, env.queuePrefix);
    events = await queues.queueEvents(QUEUES.placementRequests);
    const { hostIds } = await loadFleet(api.url);
    acme = await seedTenant(api.url, 'acme', hostIds.slice(2, 3));
  });

  afterAll(async () => {
    await api?.close();
    await queues?.close();
    await env?.drop();
  });

  async function submit(data: Record<string, unknown>, options: { attempts?: number } = {}): Promise<{ job: Job; outcome: PlacementOutcome }> {
    const job = await queues.queue(QUEUES.placementRequests).add('place', data, { attempts: options.attempts ?? 3, backoff: { type: 'fixed', delay: 50 } });
    const outcome = (await job.waitUntilFinished(events, 15_000)) as PlacementOutcome;
    return { job, outcome };
  }

  /** The events published for one key, oldest first (nothing consumes the queue in this test). */
  async function publishedEvents(tenantId: string, idempotencyKey: string, atLeast = 1): Promise<ExpansionEvent[]> {
    return eventually(async () => {
      const jobs = await queues.queue(QUEUES.expansionEvents).getJobs(['waiting', 'active', 'completed', 'delayed']);
      const found = jobs
        .map((job) => expansionEventSchema.parse(job.data))
        .filter((e) => e.tenantId === tenantId && e.idempotencyKey === idempotencyKey)
        .sort((a, b) => a.at.localeCompare(b.at));
      return found.length >= atLeast ? found : undefined;
    }, `events for ${tenantId}/${idempotencyKey}`);
  }

  async function publishedEvent(tenantId: string, idempotencyKey: string): Promise<ExpansionEvent> {
    const [event] = await publishedEvents(tenantId, idempotencyKey);
    if (event === undefined) throw new Error('no event');
    return event;
  }

  it('answers a job as the POST answered the same request', async () => {
    const posted = await requestExpansion(api, acme, vm(), { sizeGiB: 16, tier: 'any' }, { idempotencyKey: 'auto-1' });
    expect(posted.status).toBe(202);
    const { outcome } = await submit({ sizeGiB: 16, tier: 'any', tenantId: 'acme', vmId: vm(), idempotencyKey: 'auto-1' });
    expect(outcome).toEqual({ status: 202, body: posted.body });
  });

  it('places from a job, and the POST with its key then answers the job’s expansion', async () => {
    const { outcome } = await submit({ sizeGiB: 8, tier: 'direct', tenantId: 'acme', vmId: vm(), idempotencyKey: 'auto-2', requestId: 'auto-req-2' });
    expect(outcome.status).toBe(202);
    const body = expansionSchema.parse(outcome.body);
    expect(body).toMatchObject({ vmId: vm(), sizeGiB: 8, tier: 'direct', state: 'placed' });
    const [row] = await sql<{ request_id: string; tenant_id: string }>(api, `SELECT request_id, tenant_id FROM expansions WHERE id = $1`, [body.id]);
    expect(row).toEqual({ request_id: 'auto-req-2', tenant_id: 'acme' });
    const posted = await requestExpansion(api, acme, vm(), { sizeGiB: 8, tier: 'direct' }, { idempotencyKey: 'auto-2' });
    expect(posted.status).toBe(202);
    expect(posted.body).toEqual(outcome.body);
    // The outcome is published for automation that listens rather than waits.
    const event = await publishedEvent('acme', 'auto-2');
    expect(event).toMatchObject({ type: 'expansion.placed', tenantId: 'acme', vmId: vm(), expansionId: body.id, state: 'placed', status: 202, idempotencyKey: 'auto-2' });
    expect(event.body).toEqual(outcome.body);
  });

  it('a second job with the same idempotency key answers the same expansion and places nothing more', async () => {
    const data = { sizeGiB: 4, tier: 'pooled', tenantId: 'acme', vmId: vm(), idempotencyKey: 'auto-3' };
    const first = await submit(data);
    const second = await submit(data);
    expect(second.job.id).not.toBe(first.job.id);
    expect(second.outcome).toEqual(first.outcome);
    const rows = await sql(api, `SELECT e.id FROM expansions e JOIN idempotency_keys k ON k.resource_id = e.id WHERE k.key = 'auto-3'`);
    expect(rows).toHaveLength(1);
    const other = await submit({ ...data, sizeGiB: 6 });
    expect(other.outcome.status).toBe(409);
    expect((other.outcome.body as Problem).type).toBe('https://mxs.dev/problems/idempotency-key-reused');
  });

  it('answers a rejected request with the POST’s 422 problem, and publishes the rejection', async () => {
    const posted = await requestExpansion(api, acme, vm(), { sizeGiB: 600, tier: 'direct' }, { idempotencyKey: 'post-reject' });
    expect(posted.status).toBe(422);
    const { job, outcome } = await submit({ sizeGiB: 600, tier: 'direct', tenantId: 'acme', vmId: vm(), idempotencyKey: 'auto-reject' });
    expect(outcome.status).toBe(422);
    const problem = outcome.body as Problem;
    const comparable = (p: Problem): unknown => ({ ...p, instance: undefined, requestId: undefined });
    expect(comparable(problem)).toEqual(comparable(posted.body as Problem));
    expect(problem).toMatchObject({ reason: 'no-capacity', instance: `/queues/placement-requests/jobs/${job.id ?? ''}`, requestId: `job-${job.id ?? ''}` });
    const event = await publishedEvent('acme', 'auto-reject');
    expect(event).toMatchObject({ type: 'expansion.rejected', expansionId: null, state: null, status: 422 });
    const foreign = await submit({ sizeGiB: 8, tier: 'any', tenantId: 'globex', vmId: vm(), idempotencyKey: 'auto-foreign' });
    expect(foreign.outcome.status).toBe(404);
  });

  it('publishes a success that follows a refusal under the same key', async () => {
    const refused = await submit({ sizeGiB: 600, tier: 'direct', tenantId: 'acme', vmId: vm(), idempotencyKey: 'auto-again' });
    expect(refused.outcome.status).toBe(422);
    // The caller retries under the same key with a request that fits: a 4xx stored nothing.
    const fits = await submit({ sizeGiB: 4, tier: 'any', tenantId: 'acme', vmId: vm(), idempotencyKey: 'auto-again' });
    expect(fits.outcome.status).toBe(202);
    const events = await publishedEvents('acme', 'auto-again', 2);
    expect(events.map((e) => e.type)).toEqual(['expansion.rejected', 'expansion.placed']);
    expect(events[1]?.expansionId).toBe((fits.outcome.body as { id: string }).id);
  });

  it('fails a malformed job once, without retries, naming the bad fields', async () => {
    const job = await queues.queue(QUEUES.placementRequests).add('place', { sizeGiB: 'lots', tier: 'any', vmId: vm(), idempotencyKey: 'auto-bad' }, { attempts: 5, backoff: { type: 'fixed', delay: 10 } });
    await expect(job.waitUntilFinished(events, 15_000)).rejects.toThrow(/data\.sizeGiB/);
    const failed = await queues.queue(QUEUES.placementRequests).getJob(job.id ?? '');
    expect(await failed?.getState()).toBe('failed');
    expect(failed?.attemptsMade).toBe(1);
    const reason = JSON.parse(failed?.failedReason ?? '{}') as { status: number; errors: { path: string }[] };
    expect(reason.status).toBe(400);
    expect(reason.errors.map((e) => e.path).sort()).toEqual(['data.sizeGiB', 'data.tenantId']);
    expect(await sql(api, `SELECT key FROM idempotency_keys WHERE key = 'auto-bad'`)).toHaveLength(0);
  });
});
