/// <reference types="jest" />
import { QUEUES } from '@mxs/contracts';
import { dropQueueKeys, freePort, startRedisServer, waitFor } from '@mxs/test-kit';
import { producerConnection } from '@mxs/messaging';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { loadWorkerConfig } from '../config';
import type { Reconciler } from '../reconcile/reconciler';
import type { DeviceTelemetry } from '../telemetry/device-telemetry';
import { MaintenanceProcessor } from './maintenance.processor';

const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const prefix = `{mxs-test-${randomBytes(4).toString('hex')}}`;
const config = loadWorkerConfig({
  REDIS_URL, MXS_QUEUE_PREFIX: prefix, MXS_ADMIN_KEY: 'maintenance-spec-admin-key', MXS_HOST_AGENT_TOKEN: 'maintenance-spec-token',
  MXS_TELEMETRY_INTERVAL_MS: '50', MXS_RECONCILE_INTERVAL_MS: '0',
});

// The sweeps themselves have their own specs (on a real fabric); here they only count their runs.
const runs = { telemetry: 0, reconcile: 0 };
const telemetry = { sweep: async () => ({ sweep: ++runs.telemetry }) } as unknown as DeviceTelemetry;
const reconciler = { reconcile: async () => ({ pass: ++runs.reconcile }) } as unknown as Reconciler;

let producer: Redis;
let consumer: Redis;
let queue: Queue;
let processor: MaintenanceProcessor;

beforeAll(() => {
  producer = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  consumer = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  queue = new Queue(QUEUES.maintenance, { connection: producer, prefix });
  processor = new MaintenanceProcessor(telemetry, reconciler, config);
});

afterAll(async () => {
  await processor.stop();
  await queue.close();
  await consumer.quit();
  await producer.quit();
  await dropQueueKeys(REDIS_URL, prefix);
});

describe('maintenance scheduling', () => {
  it('schedules each sweep with a non-zero interval once, however often a process starts', async () => {
    expect(await processor.schedule(queue)).toEqual(['device-telemetry']);
    expect(await processor.schedule(queue)).toEqual(['device-telemetry']);
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => ({ id: s.key, every: Number(s.every) }))).toEqual([{ id: 'device-telemetry', every: 50 }]);
  });

  it('schedules once Redis answers when it started while Redis was away, without holding up the start', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    // The connection the worker schedules on: no offline queue, one retry, so each try fails at once.
    const connection = producerConnection(url, 'maintenance-spec');
    connection.on('error', () => undefined);
    const away = new Queue(QUEUES.maintenance, { connection, prefix });
    away.on('error', () => undefined);
    let outcome: string[] | null | 'pending' = 'pending';
    const scheduling = processor.scheduleWhenReachable(away, new AbortController().signal).then((names) => (outcome = names));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(outcome).toBe('pending');
    const redis = await startRedisServer(port);
    try {
      expect(await scheduling).toEqual(['device-telemetry']);
      expect((await away.getJobSchedulers()).map((s) => s.key)).toEqual(['device-telemetry']);
      // Stopped while Redis is away again: it gives up and says so.
      await redis.stop();
      const stop = new AbortController();
      const late = processor.scheduleWhenReachable(away, stop.signal);
      stop.abort();
      expect(await late).toBeNull();
    } finally {
      await redis.stop();
      await away.close().catch(() => undefined);
      connection.disconnect();
    }
  });

  it('runs the scheduled sweep on the maintenance consumer, again and again', async () => {
    processor.start(consumer);
    await waitFor('two telemetry sweeps', async () => runs.telemetry >= 2, 10_000, 20);
    expect(runs.reconcile).toBe(0);
  });

  it('runs a sweep asked for by name, and fails for good a job it does not know', async () => {
    const asked = await queue.add('reconcile', {});
    await waitFor('the reconcile job', async () => (await asked.getState()) === 'completed', 10_000, 20);
    expect(runs.reconcile).toBe(1);
    const unknown = await queue.add('billing-close', {});
    await waitFor('the unknown job to fail', async () => (await unknown.getState()) === 'failed', 10_000, 20);
    const failed = await queue.getJob(unknown.id as string);
    expect(failed?.failedReason).toBe('no maintenance job named "billing-close"');
    expect(failed?.attemptsMade).toBe(1);
  });
});
