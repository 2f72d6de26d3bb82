/// <reference types="jest" />
import { PROBLEM_TYPE_BASE } from '@mxs/service-kit';
import type { Reply } from '@mxs/test-kit';
import { call } from '@mxs/test-kit';
import type { BillingUnderTest, TestEnvironment } from './testing/billing-harness';
import { ADMIN_KEY, createBillingEnvironment, insertTenant, startBilling } from './testing/billing-harness';
import { hotAdd, hotRemove, insertVm } from './testing/expansion-timelines';

// GET /admin/v1/sla/history: fleet percentiles per time bucket, from the expansions' timelines.
let env: TestEnvironment;
let billing: BillingUnderTest;
let tenantKey: string;

const HOUR_MS = 3_600_000;
/** The start of an hour bucket three hours back: far enough from now that the window moving by a bucket keeps it. */
const B = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 3 * HOUR_MS;

interface Latency {
  count: number;
  minMs: number;
  maxMs: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
}

interface History {
  from: string;
  to: string;
  bucketMinutes: number;
  buckets: { start: string; timeToReady: Latency; hotRemove: Latency }[];
}

/** Each operation the fixtures wrote: its kind, when it ended, and whether it completed. */
const operations: { kind: 'timeToReady' | 'hotRemove'; endMs: number; durationMs: number; failed: boolean }[] = [];

const EMPTY: Latency = { count: 0, minMs: 0, maxMs: 0, meanMs: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, p999Ms: 0 };

async function ready(tenantId: string, endMs: number, durationMs: number, outcome: 'active' | 'failed' = 'active'): Promise<string> {
  operations.push({ kind: 'timeToReady', endMs, durationMs, failed: outcome === 'failed' });
  return hotAdd(billing.db, tenantId, new Date(endMs - durationMs), durationMs, outcome);
}

async function remove(expansionId: string, endMs: number, durationMs: number): Promise<void> {
  operations.push({ kind: 'hotRemove', endMs, durationMs, failed: false });
  await hotRemove(billing.db, expansionId, new Date(endMs - durationMs), durationMs);
}

async function history(query: string): Promise<History> {
  const reply = await call<History>(billing.url, 'GET', `/admin/v1/sla/history${query}`, { key: ADMIN_KEY });
  expect(reply.status).toBe(200);
  return reply.body;
}

/** The completed operations of `kind` per bucket start, as the fixtures say they should fall. */
function expectedCounts(kind: 'timeToReady' | 'hotRemove', h: History): Map<string, number> {
  const bucketMs = h.bucketMinutes * 60_000;
  const counts = new Map<string, number>();
  for (const op of operations) {
    if (op.kind !== kind || op.failed || op.endMs < Date.parse(h.from) || op.endMs >= Date.parse(h.to)) continue;
    const start = new Date(Math.floor(op.endMs / bucketMs) * bucketMs).toISOString();
    counts.set(start, (counts.get(start) ?? 0) + 1);
  }
  return counts;
}

/** The buckets are whole, aligned, consecutive and cover [from, to); every count is where the fixtures put it. */
function expectConsistent(h: History, requestedAtMs: readonly [number, number], hours: number, bucketMinutes: number): void {
  const bucketMs = bucketMinutes * 60_000;
  const [before, after] = requestedAtMs;
  const fromMs = Date.parse(h.from);
  const toMs = Date.parse(h.to);
  expect(h.bucketMinutes).toBe(bucketMinutes);
  expect(fromMs % bucketMs).toBe(0);
  expect(fromMs).toBeGreaterThanOrEqual(Math.floor((before - hours * HOUR_MS) / bucketMs) * bucketMs);
  expect(fromMs).toBeLessThanOrEqual(after - hours * HOUR_MS);
  expect(toMs).toBeGreaterThan(before);
  expect(toMs - bucketMs).toBeLessThanOrEqual(after);
  expect(h.buckets.length).toBe((toMs - fromMs) / bucketMs);
  expect(h.buckets.map((b) => Date.parse(b.start))).toEqual(h.buckets.map((_, i) => fromMs + i * bucketMs));
  for (const kind of ['timeToReady', 'hotRemove'] as const) {
    const expected = expectedCounts(kind, h);
    expect(h.buckets.filter((b) => b[kind].count > 0).map((b) => [b.start, b[kind].count])).toEqual([...expected].sort());
    for (const b of h.buckets.filter((x) => x[kind].count === 0)) expect(b[kind]).toEqual(EMPTY);
  }
}

async function timedHistory(hours: number, bucketMinutes: number): Promise<{ h: History; at: [number, number] }> {
  const before = Date.now();
  const h = await history(`?hours=${hours}&bucketMinutes=${bucketMinutes}`);
  return { h, at: [before, Date.now()] };
}

function expectProblem(reply: Reply, status: number, slug: string): { errors?: { path: string; message: string }[] } {
  expect({ status: reply.status, type: (reply.body as { type?: string } | null)?.type }).toEqual({ status, type: `${PROBLEM_TYPE_BASE}${slug}` });
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return reply.body as { errors?: { path: string; message: string }[] };
}

/** Percentiles come from a histogram kept to 3 significant digits: within 0.1% of the value. */
function expectNear(actualMs: number, expectedMs: number): void {
  expect(Math.abs(actualMs - expectedMs)).toBeLessThanOrEqual(expectedMs / 1000);
}

beforeAll(async () => {
  env = await createBillingEnvironment('billing-sla-history');
  billing = await startBilling(env.env({ MXS_METER_CONCURRENCY: '0' }));
  for (const t of ['hist-a', 'hist-b']) {
    const key = await insertTenant(billing.db, t);
    if (t === 'hist-a') tenantKey = key;
    await insertVm(billing.db, t);
  }
  // Bucket B: ready in 2 s (ending on B itself), 3 s and 10 s, one failed; bucket B − 1 h: 7 s, ending 1 ms before B.
  const a1 = await ready('hist-a', B, 2_000);
  const a2 = await ready('hist-a', B + 60_000, 3_000);
  await ready('hist-b', B + 120_000, 10_000);
  await ready('hist-b', B + 180_000, 5_000, 'failed');
  await ready('hist-a', B - 1, 7_000);
  // Hot-removes of 4 s and 6 s in bucket B − 1 h would end before their hot-adds: use later buckets.
  await remove(a1, B + HOUR_MS + 30 * 60_000, 4_000);
  await remove(a2, B + HOUR_MS + 40 * 60_000, 6_000);
  // Thirty hours back: outside a 24-hour window, inside a 48-hour one.
  await ready('hist-b', Date.now() - 30 * HOUR_MS, 1_500);
});

afterAll(async () => {
  await billing?.close();
  await env?.drop();
});

describe('GET /admin/v1/sla/history', () => {
  it('answers the last 24 hours in hour buckets by default, each operation in the bucket it ended in', async () => {
    const before = Date.now();
    const h = await history('');
    expectConsistent(h, [before, Date.now()], 24, 60);
    expect(h.buckets).toHaveLength(25);
    const bucket = (startMs: number): History['buckets'][number] | undefined => h.buckets.find((b) => b.start === new Date(startMs).toISOString());

    // The failed hot-add has no duration; the one ending on B's first millisecond is B's.
    const b = bucket(B);
    expect(b?.timeToReady).toMatchObject({ count: 3, minMs: 2_000, maxMs: 10_000 });
    expectNear(b?.timeToReady.p50Ms ?? 0, 3_000);
    expectNear(b?.timeToReady.p99Ms ?? 0, 10_000);
    expect(b?.hotRemove).toEqual(EMPTY);
    expect(bucket(B - HOUR_MS)?.timeToReady).toMatchObject({ count: 1, minMs: 7_000, maxMs: 7_000, p50Ms: 7_000 });
    const removes = bucket(B + HOUR_MS)?.hotRemove;
    expect(removes).toMatchObject({ count: 2, minMs: 4_000, maxMs: 6_000 });
    expectNear(removes?.p50Ms ?? 0, 4_000);
    expectNear(removes?.p95Ms ?? 0, 6_000);
    // Every other bucket is present and empty; the 30-hour-old hot-add is outside the window.
    expect(h.buckets.reduce((sum, x) => sum + x.timeToReady.count, 0)).toBe(4);
    expect(h.buckets.filter((x) => x.timeToReady.count + x.hotRemove.count === 0)).toHaveLength(22);
  });

  it('aligns buckets on multiples of bucketMinutes since the epoch, whatever the width', async () => {
    for (const [hours, bucketMinutes] of [
      [5, 7],
      [48, 60],
      [6, 1],
      [2160, 1440],
      [1000, 60],
    ] as const) {
      const { h, at } = await timedHistory(hours, bucketMinutes);
      expectConsistent(h, at, hours, bucketMinutes);
    }
    const { h } = await timedHistory(48, 60);
    expect(h.buckets.reduce((sum, x) => sum + x.timeToReady.count, 0)).toBe(5);
    // Nothing ended in the last hour: 61 one-minute buckets, every one present and empty.
    const { h: recent } = await timedHistory(1, 1);
    expect(recent.buckets).toHaveLength(61);
    expect(recent.buckets.every((x) => x.timeToReady.count === 0 && x.hotRemove.count === 0)).toBe(true);
  });

  it('refuses out-of-range, non-integer and unknown parameters, and more than 1000 buckets: 400 naming the field', async () => {
    const cases: [string, string[]][] = [
      ['hours=0', ['query.hours']],
      ['hours=2161', ['query.hours']],
      ['hours=1.5', ['query.hours']],
      ['hours=abc', ['query.hours']],
      ['bucketMinutes=0', ['query.bucketMinutes']],
      ['bucketMinutes=1441', ['query.bucketMinutes']],
      ['hours=24&colour=red', ['query.colour']],
      ['hours=0&bucketMinutes=0', ['query.bucketMinutes', 'query.hours']],
      ['hours=2160', ['query.bucketMinutes']],
      ['hours=1001&bucketMinutes=60', ['query.bucketMinutes']],
      ['hours=17&bucketMinutes=1', ['query.bucketMinutes']],
    ];
    for (const [query, paths] of cases) {
      const problem = expectProblem(await call(billing.url, 'GET', `/admin/v1/sla/history?${query}`, { key: ADMIN_KEY }), 400, 'validation-failed');
      expect({ query, paths: (problem.errors ?? []).map((e) => e.path).sort() }).toEqual({ query, paths });
    }
    const tooMany = expectProblem(await call(billing.url, 'GET', '/admin/v1/sla/history?hours=2160', { key: ADMIN_KEY }), 400, 'validation-failed');
    expect(tooMany.errors?.[0]?.message).toBe('2160 hours in 60-minute buckets is more than 1000 buckets; use bucketMinutes of at least 130 or fewer hours');
    expect((await history('?hours=2160&bucketMinutes=130')).buckets.length).toBeLessThanOrEqual(1001);
    expect((await history('?hours=16&bucketMinutes=1')).buckets.length).toBeLessThanOrEqual(1001);
  });

  it('refuses a tenant key, a wrong admin key and no key: 401', async () => {
    for (const key of [tenantKey, `${ADMIN_KEY}x`, undefined]) {
      const reply = await call(billing.url, 'GET', '/admin/v1/sla/history', key === undefined ? {} : { key });
      expectProblem(reply, 401, 'unauthorized');
      expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="admin"');
    }
  });

  it('documents the query and the SlaHistory answer in OpenAPI, and the credits in FleetSla', async () => {
    const doc = (await call(billing.url, 'GET', '/docs/openapi.json')).body as {
      paths: Record<string, { get?: { parameters?: { name: string; in: string }[] } }>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    expect(doc.paths['/admin/v1/sla/history']?.get?.parameters?.map((p) => `${p.in}.${p.name}`).sort()).toEqual(['query.bucketMinutes', 'query.hours']);
    expect(Object.keys(doc.components.schemas.SlaHistory?.properties ?? {}).sort()).toEqual(['bucketMinutes', 'buckets', 'from', 'to']);
    // The fleet report's tenants carry their credits too.
    expect(JSON.stringify(doc.components.schemas.FleetSla?.properties?.tenants)).toMatch(/"creditsMinor".*"currency"/);
  });
});
