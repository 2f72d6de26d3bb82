/// <reference types="jest" />
import { Redis } from 'ioredis';
import { startTestApp } from '../__fixtures__/test-app';
import { redisCheck } from './health-checks';

describe('GET /health', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('answers 200 ok with each check up and its latency', async () => {
    const t = await startTestApp({ checks: [redisCheck(redis), { name: 'postgres', check: async () => undefined }] });
    try {
      const res = await t.http.get('/health');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        status: 'ok',
        checks: {
          redis: { status: 'up', latencyMs: expect.any(Number) },
          postgres: { status: 'up', latencyMs: expect.any(Number) },
        },
      });
    } finally {
      await t.close();
    }
  });

  it('answers 503 down naming the failing check, and times out a hanging one', async () => {
    const deadRedis = new Redis('redis://127.0.0.1:1', { lazyConnect: true, retryStrategy: () => null, disconnectTimeout: 100 });
    deadRedis.on('error', () => undefined);
    const t = await startTestApp({
      checkTimeoutMs: 150,
      checks: [
        redisCheck(redis),
        { name: 'postgres', check: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')) },
        { name: 'queue', check: () => new Promise<void>(() => undefined) },
        redisCheck(deadRedis, 'cache'),
      ],
    });
    try {
      const res = await t.http.get('/health');
      expect(res.status).toBe(503);
      expect(res.body.status).toBe('down');
      expect(res.body.checks.redis.status).toBe('up');
      expect(res.body.checks.postgres).toEqual({
        status: 'down',
        latencyMs: expect.any(Number),
        error: 'connect ECONNREFUSED 127.0.0.1:5432',
      });
      expect(res.body.checks.queue).toMatchObject({ status: 'down', error: 'no answer within 150 ms' });
      expect(res.body.checks.cache.status).toBe('down');
    } finally {
      await t.close();
      deadRedis.disconnect();
    }
  });
});
