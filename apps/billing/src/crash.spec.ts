/// <reference types="jest" />
import type { UsageEvent } from '@mxs/contracts';
import { QUEUES } from '@mxs/contracts';
import { createDataSource } from '@mxs/persistence';
import type { AppProcess } from '@mxs/test-kit';
import { admin, spawnApp, testRedisUrl, waitFor } from '@mxs/test-kit';
import { Rng } from '@mxs/topology';
import { Queue } from 'bullmq';
import { Decimal } from 'decimal.js';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { TestEnvironment } from './testing/billing-harness';
import { createBillingEnvironment, insertTenant, publishUsageEvents, usageEvent } from './testing/billing-harness';

const SEED = 20260214;
const TENANTS = 50;
const EXPANSIONS = 2_500; // × activated, degraded, restored, released = 10,000 events
const EVENTS = EXPANSIONS * 4;
const KILL_AT_CLAIMED = 1_000;
const MONTH = { name: '2026-02', startSec: Date.UTC(2026, 1, 1) / 1000, endSec: Date.UTC(2026, 2, 1) / 1000 };
const HOUR_MS = 3_600_000;
/** Price per GiB-hour by plan and tier; the credit tier below is the only one either plan has. */
const PRICES = { 'crash-a': { direct: '0.0125', pooled: '0.0075' }, 'crash-b': { direct: '0.031', pooled: '0.0049' } } as const;
const CREDIT = { belowUptimePct: '99', creditPct: 10 } as const;
type PlanId = keyof typeof PRICES;
type Tier = 'direct' | 'pooled';

interface Expected {
  readonly expansionId: string;
  readonly tenantId: string;
  readonly tier: Tier;
  readonly sizeGiB: number;
  readonly intervals: readonly { kind: 'charged' | 'degraded'; startSec: number; endSec: number }[];
}

const D = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP }); // half away from zero

let env: TestEnvironment;
let db: DataSource;
let queue: Queue;
let queueConnection: Redis;
const billing: AppProcess[] = [];
const tenantIds = Array.from({ length: TENANTS }, (_, i) => `crash-${String(i).padStart(2, '0')}`);

beforeAll(async () => {
  env = await createBillingEnvironment('crash');
  db = await createDataSource({ url: env.db.url, poolSize: 2 }).initialize();
  for (const id of tenantIds) await insertTenant(db, id);
  queueConnection = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  queue = new Queue(QUEUES.usageEvents, { connection: queueConnection, prefix: env.queuePrefix });
}, 30_000);

afterAll(async () => {
  for (const b of billing) await b.stop();
  await queue?.close();
  await queueConnection?.quit();
  await db?.destroy();
  await env?.drop();
}, 30_000);

/**
 * Each expansion is activated somewhere around February (some in late January, some released in
 * March), degraded for up to two hours, restored and released; times carry milliseconds.
 */
function generate(rng: Rng): { events: UsageEvent[]; expected: Expected[] } {
  const events: UsageEvent[] = [];
  const expected: Expected[] = [];
  for (let i = 0; i < EXPANSIONS; i++) {
    const expansionId = randomUUID();
    const tenantId = tenantIds[i % TENANTS] as string;
    const tier = rng.pick<Tier>(['direct', 'pooled']);
    const sizeGiB = rng.pick([1, 2, 4, 8, 16, 64]);
    const activatedMs = MONTH.startSec * 1000 - 2 * 24 * HOUR_MS + rng.int(0, 29 * 24 * HOUR_MS);
    const degradedMs = activatedMs + rng.int(1_000, 72 * HOUR_MS);
    const restoredMs = degradedMs + rng.int(1_000, 2 * HOUR_MS);
    const releasedMs = restoredMs + rng.int(1_000, 72 * HOUR_MS);
    const base = { expansionId, tenantId, tier, sizeGiB };
    events.push(
      usageEvent({ ...base, type: 'expansion.activated', at: new Date(activatedMs) }),
      usageEvent({ ...base, type: 'expansion.degraded', at: new Date(degradedMs) }),
      usageEvent({ ...base, type: 'expansion.restored', at: new Date(restoredMs) }),
      usageEvent({ ...base, type: 'expansion.released', at: new Date(releasedMs) }),
    );
    // Billing is to the whole second: each bound is its event's second.
    const [a, d, r, x] = [activatedMs, degradedMs, restoredMs, releasedMs].map((ms) => Math.floor(ms / 1000)) as [number, number, number, number];
    const intervals = [
      { kind: 'charged' as const, startSec: a, endSec: d },
      { kind: 'degraded' as const, startSec: d, endSec: r },
      { kind: 'charged' as const, startSec: r, endSec: x },
    ].filter((iv) => iv.endSec > iv.startSec);
    expected.push({ ...base, intervals });
  }
  // Arrival order is not event order: the consumer sees releases before activations and so on.
  for (let i = events.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [events[i], events[j]] = [events[j] as UsageEvent, events[i] as UsageEvent];
  }
  return { events, expected };
}

/** Seconds of `[startSec, endSec)` inside the month. */
function inMonth(startSec: number, endSec: number): number {
  return Math.max(0, Math.min(endSec, MONTH.endSec) - Math.max(startSec, MONTH.startSec));
}

/** Each tenant's February total, rated here without `@mxs/rating`: usage lines, then 10% credits below 99% uptime. */
function expectedTotals(expected: readonly Expected[], planOf: (tenantId: string) => PlanId): Map<string, { chargesMinor: number; creditsMinor: number }> {
  // Every tenant has a plan, so every tenant gets an invoice, with usage or without.
  const totals = new Map(tenantIds.map((id) => [id, { chargesMinor: 0, creditsMinor: 0 }]));
  for (const e of expected) {
    let chargedGiBSeconds = 0;
    let chargedSeconds = 0;
    let degradedSeconds = 0;
    for (const iv of e.intervals) {
      const seconds = inMonth(iv.startSec, iv.endSec);
      if (iv.kind === 'charged') {
        chargedSeconds += seconds;
        chargedGiBSeconds += seconds * e.sizeGiB;
      } else degradedSeconds += seconds;
    }
    const total = totals.get(e.tenantId);
    if (total === undefined || chargedGiBSeconds === 0) continue;
    const usageMinor = new D(chargedGiBSeconds).mul(PRICES[planOf(e.tenantId)][e.tier]).div(3600).mul(100).toDecimalPlaces(0).toNumber();
    total.chargesMinor += usageMinor;
    const uptimePct = new D(chargedSeconds).mul(100).div(chargedSeconds + degradedSeconds);
    if (uptimePct.lessThan(CREDIT.belowUptimePct)) total.creditsMinor -= new D(usageMinor).mul(CREDIT.creditPct).div(100).toDecimalPlaces(0).toNumber();
  }
  return totals;
}

async function claimedCount(): Promise<number> {
  const rows: { n: number }[] = await db.query(`SELECT count(*)::int AS n FROM usage_events`);
  return rows[0]?.n ?? 0;
}

async function startBilling(): Promise<AppProcess> {
  // A short lock: the killed consumer's held events go back to the queue in seconds, not a minute.
  const app = await spawnApp('billing', env.env({ MXS_BILLING_CLOSE_INTERVAL_MS: '0', MXS_SLA_EVALUATION_INTERVAL_MS: '0', MXS_METER_LOCK_MS: '3000' }));
  billing.push(app);
  return app;
}

it('SIGKILLed while consuming 10,000 usage events: after a restart every event is claimed once and every interval and invoice total is exact', async () => {
  const { events, expected } = generate(new Rng(SEED));
  expect(events).toHaveLength(EVENTS);

  // Publish while the first process consumes, and kill it as soon as a thousand claims have committed.
  const first = await startBilling();
  let claimedAtKill = -1;
  const killer = waitFor(`${KILL_AT_CLAIMED} claimed events`, async () => (await claimedCount()) >= KILL_AT_CLAIMED, 60_000, 5).then(async () => {
    first.process.kill('SIGKILL');
    claimedAtKill = await claimedCount();
  });
  await Promise.all([publishUsageEvents(env.queuePrefix, events), killer]);
  await waitFor('the killed process to exit', async () => first.process.signalCode === 'SIGKILL', 10_000, 10);
  expect(claimedAtKill).toBeGreaterThanOrEqual(KILL_AT_CLAIMED);
  expect(claimedAtKill).toBeLessThan(EVENTS);
  // The dead process held jobs: only the restarted one's stalled-job check can give them back.
  const heldAtKill = await queue.getJobCounts('active', 'wait');
  expect(heldAtKill['active']).toBeGreaterThan(0);

  const second = await startBilling();
  await waitFor(
    'every event claimed and the queue drained',
    async () => {
      if (second.process.exitCode !== null) throw new Error(`billing exited:\n${second.output()}`);
      const counts = await queue.getJobCounts('active', 'wait', 'delayed', 'prioritized', 'paused');
      return (await claimedCount()) === EVENTS && Object.values(counts).every((n) => n === 0);
    },
    45_000,
    100,
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; claimed ${claimedAtKill} at the kill, queue then ${JSON.stringify(heldAtKill)}\n${second.output().slice(-3000)}`);
  });
  expect((await queue.getJobCounts('failed')).failed).toBe(0);

  // Exactly one claim per event, and no other.
  const claims: { n: number; distinct_ids: number; ours: number }[] = await db.query(
    `SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS distinct_ids, count(*) FILTER (WHERE event_id = ANY($1::uuid[]))::int AS ours FROM usage_events`,
    [events.map((e) => e.eventId)],
  );
  expect(claims[0]).toEqual({ n: EVENTS, distinct_ids: EVENTS, ours: EVENTS });

  // Every expansion's intervals are those of the clean stream.
  const rows: { expansion_id: string; seq: number; tenant_id: string; tier: Tier; kind: 'charged' | 'degraded'; size_gib: number; start_sec: string; end_sec: string | null }[] = await db.query(
    `SELECT expansion_id, seq, tenant_id, tier, kind, size_gib, start_sec, end_sec FROM usage_intervals ORDER BY expansion_id, seq`,
  );
  const stored = new Map<string, unknown[]>();
  for (const r of rows) {
    const list = stored.get(r.expansion_id) ?? [];
    list.push({ seq: r.seq, tenantId: r.tenant_id, tier: r.tier, sizeGiB: r.size_gib, kind: r.kind, startSec: Number(r.start_sec), endSec: r.end_sec === null ? null : Number(r.end_sec) });
    stored.set(r.expansion_id, list);
  }
  const wrong = expected.filter((e) => {
    const want = e.intervals.map((iv, seq) => ({ seq, tenantId: e.tenantId, tier: e.tier, sizeGiB: e.sizeGiB, ...iv }));
    return JSON.stringify(stored.get(e.expansionId) ?? []) !== JSON.stringify(want);
  });
  expect(wrong.slice(0, 3).map((e) => ({ expected: e, stored: stored.get(e.expansionId) }))).toEqual([]);
  expect(rows).toHaveLength(expected.reduce((n, e) => n + e.intervals.length, 0));

  // Two plans through the API, half the tenants on each for all of February, then close it.
  for (const [id, prices] of Object.entries(PRICES)) {
    const plan = await admin(second.url, 'POST', '/admin/v1/plans', { id, name: id, currency: 'USD', prices, creditTiers: [CREDIT] });
    expect(plan.status).toBe(201);
  }
  const planOf = (tenantId: string): PlanId => (tenantIds.indexOf(tenantId) % 2 === 0 ? 'crash-a' : 'crash-b');
  for (const tenantId of tenantIds) {
    const assigned = await admin(second.url, 'PUT', `/admin/v1/tenants/${tenantId}/plan`, { planId: planOf(tenantId), effectiveFrom: '2026-01-01T00:00:00Z' });
    expect(assigned.status).toBe(200);
  }
  const closed = await admin(second.url, 'POST', '/admin/v1/billing/close', { period: MONTH.name, finalize: true });
  expect(closed.status).toBe(200);
  expect(closed.body).toMatchObject({ period: MONTH.name, rated: TENANTS, finalized: true, unrated: [] });

  const invoices: { tenant_id: string; status: string; charges_minor: string; credits_minor: string; total_minor: string }[] = await db.query(
    `SELECT tenant_id, status, charges_minor, credits_minor, total_minor FROM invoices WHERE period = '2026-02-01' ORDER BY tenant_id`,
  );
  const want = expectedTotals(expected, planOf);
  expect(invoices.map((i) => i.tenant_id)).toEqual([...want.keys()].sort());
  const got = invoices.map((i) => ({ tenantId: i.tenant_id, status: i.status, chargesMinor: Number(i.charges_minor), creditsMinor: Number(i.credits_minor), totalMinor: Number(i.total_minor) }));
  const wanted = got.map(({ tenantId }) => {
    const t = want.get(tenantId) ?? { chargesMinor: NaN, creditsMinor: NaN };
    return { tenantId, status: 'finalized', chargesMinor: t.chargesMinor, creditsMinor: t.creditsMinor, totalMinor: t.chargesMinor + t.creditsMinor };
  });
  expect(got).toEqual(wanted);
  // The stream did earn credits, so the check covered them too.
  expect(got.some((i) => i.creditsMinor < 0)).toBe(true);
}, 120_000);
