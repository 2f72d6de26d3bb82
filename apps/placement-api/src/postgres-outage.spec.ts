/// <reference types="jest" />
import type { Reply, SeededTenant, TcpProxy } from '@mxs/test-kit';
import { call, loadFleet, seedTenant, startTcpProxy, waitFor } from '@mxs/test-kit';
import type { ApiUnderTest, TestEnvironment } from './testing/api-harness';
import { createTestEnvironment, startApi } from './testing/api-harness';
import { withDb } from './testing/db-checks';
import { expectProblem } from './testing/expectations';

// The API reaches its database through a proxy the test cuts: to the API, PostgreSQL went away
// (every connection reset, and every new one), while the test still reads the real rows directly.
// A tenant is told 503 with Retry-After, never 500; nothing is half done; and a POST repeated
// with the same Idempotency-Key once the database is back takes effect exactly once.

describe('PostgreSQL unreachable while tenants call the API', () => {
  let env: TestEnvironment;
  let proxy: TcpProxy;
  let api: ApiUnderTest;
  let acme: SeededTenant;

  const expand = (key: string, vm = 0): Promise<Reply> =>
    call(api.url, 'POST', `/v1/vms/${acme.vmIds[vm % acme.vmIds.length] ?? ''}/expansions`, {
      key: acme.key,
      body: { sizeGiB: 4, tier: 'any' },
      headers: { 'idempotency-key': key },
    });

  /** Expansions per Idempotency-Key, as the database holds them. */
  const expansionsByKey = (): Promise<Map<string, number>> =>
    withDb(env.db.url, async (db) => {
      const { rows } = await db.query<{ key: string; n: number }>(
        `SELECT k.key, count(e.id)::int AS n FROM idempotency_keys k JOIN expansions e ON e.id = k.resource_id WHERE k.tenant_id = 'acme' GROUP BY k.key`,
      );
      return new Map(rows.map((r) => [r.key, r.n]));
    });

  /** The API's connections the server still has, and how many of them wait for a lock. */
  const apiBackends = (): Promise<number> => countApiBackends('');
  const apiBackendsWaitingOnALock = (): Promise<number> => countApiBackends(`AND wait_event_type = 'Lock'`);
  const countApiBackends = (extra: string): Promise<number> =>
    withDb(env.db.url, async (db) => (await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'mxs-placement-api' ${extra}`,
    )).rows[0]?.n ?? -1);

  const usedGiB = (): Promise<number> =>
    withDb(env.db.url, async (db) => (await db.query<{ used: number }>(`SELECT used_gib AS used FROM tenants WHERE id = 'acme'`)).rows[0]?.used ?? -1);

  const expansionCount = (): Promise<number> =>
    withDb(env.db.url, async (db) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM expansions`)).rows[0]?.n ?? -1);

  beforeAll(async () => {
    env = await createTestEnvironment('pg-outage');
    proxy = await startTcpProxy(env.db.url);
    api = await startApi(env.env({ DATABASE_URL: proxy.url }));
    const { hostIds } = await loadFleet(api.url, 'small');
    acme = await seedTenant(api.url, 'acme', hostIds.slice(0, 4));
  });

  afterAll(async () => {
    await api?.close();
    await proxy?.close();
    await env?.drop();
  });

  it('answers 503 with Retry-After while the database is away, changes nothing, and takes the same request once when it is back', async () => {
    const before = await expand('before-outage');
    expect(before.status).toBe(202);
    const earlier = (before.body as { id: string }).id;

    proxy.cut();
    const refused = await expand('during-outage', 1);
    const problem = expectProblem(refused, 503, 'unavailable');
    expect(refused.headers.get('retry-after')).toBe('2');
    expect(problem.detail).toMatch(/Idempotency-Key/);
    expect(JSON.stringify(problem)).not.toMatch(/ECONN|127\.0\.0\.1|terminated|postgres/i);
    // Reads and the admin API say the same, rather than 500.
    expectProblem(await call(api.url, 'GET', `/v1/expansions/${earlier}`, { key: acme.key }), 503, 'unavailable');
    const health = await call(api.url, 'GET', '/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ checks: { postgres: { status: 'down' } } });

    expect(await expansionCount()).toBe(1);
    expect([...(await expansionsByKey()).keys()]).toEqual(['before-outage']);
    // An outage, not a bug: a warning with its cause, and no "unhandled error" with a stack.
    expect(api.logs.some((line) => line.includes('"level":40') && line.includes('answered 503 unavailable'))).toBe(true);
    expect(api.logs.some((line) => line.includes('unhandled error'))).toBe(false);

    proxy.restore();
    const taken = await expand('during-outage', 1);
    expect(taken.status).toBe(202);
    const again = await expand('during-outage', 1);
    expect(again.status).toBe(202);
    expect((again.body as { id: string }).id).toBe((taken.body as { id: string }).id);
    expect(Object.fromEntries(await expansionsByKey())).toEqual({ 'before-outage': 1, 'during-outage': 1 });
  });

  it('answers 503 to commits whose answer the outage cut off though they committed, and repeats them as the stored answer, once each', async () => {
    const keys = Array.from({ length: 6 }, (_, i) => `cut-off-${i}`);
    const usedBefore = await usedGiB();
    await withDb(env.db.url, async (db) => {
      // Share the tenant's row: the placements are read and decided, and their commit, which
      // updates the row, waits for it inside PostgreSQL.
      await db.query('BEGIN');
      await db.query(`SELECT 1 FROM tenants WHERE id = 'acme' FOR SHARE`);
      const inFlight = keys.map((key, i) => expand(key, i));
      // The placements' reads take the row FOR SHARE too and go on; only the commit waits. Asked
      // on a connection of its own each time: a transaction sees pg_stat_activity as it first read it.
      await waitFor('the commit to wait for the tenant row', () => apiBackendsWaitingOnALock().then((n) => n === 1), 10_000, 5);
      // The API loses its connections with the commit still waiting; then the row is let go.
      proxy.cut();
      const answers = await Promise.all(inFlight);
      for (const r of answers) expectProblem(r, 503, 'unavailable');
      await db.query('COMMIT');
    });
    // PostgreSQL does not notice a gone client while a statement waits: the held commit (the
    // first of them, a batch the API had sent; the rest had waited in the API) goes through.
    await waitFor('the cut-off backends to end', () => apiBackends().then((n) => n === 0), 10_000, 20);
    const cutOff = await expansionsByKey();
    const landedUnanswered = keys.filter((key) => cutOff.has(key));
    expect(landedUnanswered.length).toBeGreaterThan(0);
    process.stdout.write(`postgres-outage: ${landedUnanswered.length} of ${keys.length} placements answered 503 had committed\n`);

    proxy.restore();
    const repeated = await Promise.all(keys.map((key, i) => expand(key, i)));
    expect(repeated.map((r) => r.status)).toEqual(keys.map(() => 202));
    const landed = await expansionsByKey();
    expect(keys.map((key) => landed.get(key))).toEqual(keys.map(() => 1));
    // Each counted once against the quota, and the space they hold is not handed out again.
    expect(await usedGiB()).toBe(usedBefore + 4 * keys.length);
    expect((await expand('after-the-cut', 2)).status).toBe(202);
    const overlaps = await withDb(env.db.url, async (db) => (await db.query(
      `SELECT 1 FROM expansion_extents a JOIN expansion_extents b ON a.device_id = b.device_id AND a.expansion_id < b.expansion_id AND a.live AND b.live
       AND int4range(a.offset_gib, a.offset_gib + a.size_gib) && int4range(b.offset_gib, b.offset_gib + b.size_gib)`,
    )).rowCount);
    expect(overlaps).toBe(0);
  });

  it('answers 503 too when the database goes silent, once a new connection has waited its connect timeout', async () => {
    // Open connections are cut; new ones are accepted and never answered (a host powered off).
    proxy.stall();
    const silent = await expand('while-silent', 3);
    expectProblem(silent, 503, 'unavailable');
    proxy.restore();
    expect((await expand('while-silent', 3)).status).toBe(202);
    expect((await expansionsByKey()).get('while-silent')).toBe(1);
  });
});
