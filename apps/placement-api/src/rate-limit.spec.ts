/// <reference types="jest" />
import type { ApiUnderTest, TestEnvironment } from './testing/api-harness';
import { createTestEnvironment, startApi } from './testing/api-harness';
import type { Reply, SeededTenant } from '@mxs/test-kit';
import { call, loadFleet, seedTenant } from '@mxs/test-kit';
import { expectProblem } from './testing/expectations';

const LIMIT = 3;

// Rate limits count per API key: one tenant running hot does not slow another down.
describe('rate limits per API key', () => {
  let env: TestEnvironment;
  let api: ApiUnderTest;
  let hot: SeededTenant;
  let calm: SeededTenant;

  beforeAll(async () => {
    env = await createTestEnvironment('rate-limit');
    // Seeded through an unlimited replica: admin calls count per client address, not per key.
    const seeder = await startApi(env.env());
    try {
      const { hostIds } = await loadFleet(seeder.url);
      hot = await seedTenant(seeder.url, 'hot', hostIds.slice(0, 1));
      calm = await seedTenant(seeder.url, 'calm', hostIds.slice(1, 2));
    } finally {
      await seeder.close();
    }
    api = await startApi(env.env({ MXS_RATE_LIMIT_PER_MINUTE: String(LIMIT) }));
  });

  afterAll(async () => {
    await api?.close();
    await env?.drop();
  });

  it('answers 429 with Retry-After once a key passes its limit, and serves another key', async () => {
    const replies: Reply[] = [];
    // Fixed one-minute windows: 2 × limit + 1 requests pass the limit even across a window edge.
    for (let i = 0; i < 2 * LIMIT + 1; i++) replies.push(await call(api.url, 'GET', '/v1/vms', { key: hot.key }));
    const first = replies[0];
    expect(first?.status).toBe(200);
    expect(first?.headers.get('ratelimit-limit')).toBe(String(LIMIT));
    expect(first?.headers.get('ratelimit-remaining')).toMatch(/^[0-2]$/);
    const refused = replies.find((r) => r.status === 429);
    expect(refused).toBeDefined();
    if (refused === undefined) return;
    const problem = expectProblem(refused, 429, 'rate-limited');
    expect(problem.detail).toContain(String(LIMIT));
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(replies.filter((r) => r.status === 200).length).toBeLessThanOrEqual(2 * LIMIT);
    expect(replies.every((r) => r.status === 200 || r.status === 429)).toBe(true);

    const other = await call(api.url, 'GET', '/v1/vms', { key: calm.key });
    expect(other.status).toBe(200);
    expect(other.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1));
    expect((other.body as { items: { id: string }[] }).items.map((v) => v.id)).toEqual(calm.vmIds);
  });

  it('never limits the health probe', async () => {
    for (let i = 0; i < 2 * LIMIT + 1; i++) expect((await call(api.url, 'GET', '/health')).status).toBe(200);
  });
});
