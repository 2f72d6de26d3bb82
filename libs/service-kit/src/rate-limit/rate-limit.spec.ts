/// <reference types="jest" />
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { TestApp } from '../__fixtures__/test-app';
import { startTestApp } from '../__fixtures__/test-app';
import { generateApiKey, parseApiKey } from '../auth/api-key';
import { PROBLEM_TYPE_BASE } from '../problems/problem-error';
import { RateLimiter } from './rate-limiter';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Counts reset when the minute turns; start a burst well inside one so it is not split. */
async function awayFromWindowEdge(): Promise<void> {
  const intoWindowMs = Date.now() % 60_000;
  if (intoWindowMs > 55_000) await new Promise((resolve) => setTimeout(resolve, 60_500 - intoWindowMs));
}

describe('rate limits in Redis', () => {
  const keyPrefix = `mxs-test-${randomUUID()}:`;
  let redis: Redis;
  let t: TestApp;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    t = await startTestApp({ env: { MXS_RATE_LIMIT_PER_MINUTE: '3', REDIS_URL }, keyPrefix });
    expect(await t.app.get(RateLimiter).waitForRedis()).toBe(true);
  });
  afterAll(async () => {
    await t.close();
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('allows `limit` requests per key and window, then answers 429 rate-limited with Retry-After', async () => {
    await awayFromWindowEdge();
    const key = t.tenantKeys.issue('tenant-a');
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await t.http.get('/v1/vms').set('Authorization', `Bearer ${key}`);
      expect(res.status).toBe(200);
      expect(res.headers['ratelimit-limit']).toBe('3');
      remaining.push(res.headers['ratelimit-remaining'] as string);
    }
    expect(remaining).toEqual(['2', '1', '0']);

    const refused = await t.http.get('/v1/vms').set('Authorization', `Bearer ${key}`);
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toBe('application/problem+json');
    expect(refused.body.type).toBe(`${PROBLEM_TYPE_BASE}rate-limited`);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);

    // The count lives in Redis under the verified tenant and expires with its window.
    const window = Math.floor(Date.now() / 60_000);
    const redisKey = `${keyPrefix}rl:tenant:tenant-a:${window}`;
    expect(await redis.get(redisKey)).toBe('4');
    const ttlMs = await redis.pttl(redisKey);
    expect(ttlMs).toBeGreaterThan(0);
    expect(ttlMs).toBeLessThanOrEqual(60_000);

    // Another key has its own budget.
    const other = t.tenantKeys.issue('tenant-b');
    expect((await t.http.get('/v1/vms').set('Authorization', `Bearer ${other}`)).status).toBe(200);
  });

  it('counts requests without a verified key by client address, and never limits /health or /metrics', async () => {
    await awayFromWindowEdge();
    const victim = t.tenantKeys.issue('tenant-c');
    const victimPrefix = parseApiKey(victim)?.prefix ?? '';
    // Junk, a well-formed key nobody issued, and the victim's prefix with a guessed secret:
    // none verifies, so all count against this address, not against a key or the victim.
    const tokens = ['junk-0', generateApiKey().key, `mxs_${victimPrefix}_${'x'.repeat(32)}`, 'junk-3'];
    const statuses: number[] = [];
    for (const token of tokens) statuses.push((await t.http.get('/v1/vms').set('Authorization', `Bearer ${token}`)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const victimFirst = await t.http.get('/v1/vms').set('Authorization', `Bearer ${victim}`);
    expect(victimFirst.status).toBe(200);
    expect(victimFirst.headers['ratelimit-remaining']).toBe('2');
    const keys = await redis.keys(`${keyPrefix}rl:ip:*`);
    expect(keys).toHaveLength(1);
    for (let i = 0; i < 5; i++) {
      expect((await t.http.get('/health')).status).toBe(200);
      expect((await t.http.get('/metrics')).status).toBe(200);
    }
  });
});

describe('rate limits without Redis', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Port 1 refuses connections: the limiter must answer from its in-process window.
    t = await startTestApp({ env: { MXS_RATE_LIMIT_PER_MINUTE: '3', REDIS_URL: 'redis://127.0.0.1:1' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('still serves every request promptly and still limits, counting in the process', async () => {
    await awayFromWindowEdge();
    const key = t.tenantKeys.issue('tenant-a');
    const statuses: number[] = [];
    const startedAt = performance.now();
    for (let i = 0; i < 4; i++) {
      statuses.push((await t.http.get('/v1/vms').set('Authorization', `Bearer ${key}`)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(performance.now() - startedAt).toBeLessThan(1_000);
    expect((await t.app.get(RateLimiter).consume('probe')).source).toBe('memory');
  });
});

describe('rate limits switched off', () => {
  it('sends no RateLimit headers and opens no Redis connection when the limit is 0', async () => {
    const t = await startTestApp({ env: { MXS_RATE_LIMIT_PER_MINUTE: '0', REDIS_URL: 'redis://127.0.0.1:1' } });
    try {
      const res = await t.http.get('/v1/vms');
      expect(res.status).toBe(200);
      expect(res.headers['ratelimit-limit']).toBeUndefined();
      expect(await t.app.get(RateLimiter).waitForRedis(50)).toBe(false);
    } finally {
      await t.close();
    }
  });
});
