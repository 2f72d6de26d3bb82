/// <reference types="jest" />
import type { Reply } from '@mxs/test-kit';
import { call } from '@mxs/test-kit';
import { generateFleetSpec } from '@mxs/topology';
import { randomUUID } from 'node:crypto';
import { MonthRater } from './invoices/month-rater';
import { MeterStore } from './metering/meter-store';
import { monthAt, nowSec } from './period/month';
import { SlaEvaluator } from './sla/sla-evaluator';
import type { BillingUnderTest, TestEnvironment } from './testing/billing-harness';
import { ADMIN_KEY, createBillingEnvironment, insertTenant, startBilling, usageEvent } from './testing/billing-harness';
import { hotAdd, hotRemove, insertExpansion, insertVm } from './testing/expansion-timelines';

// SLA reports from the expansions' timelines (as the placement API and worker write them) and billing's intervals.
let env: TestEnvironment;
let billing: BillingUnderTest;
const keys = new Map<string, string>();

const now = nowSec();
const month = monthAt(now);
/** Every fixture operation ends within this month, in the ~20 minutes after this second. */
const baseSec = Math.max(month.startSec, now - 2 * 3600);
const at = (offsetMs: number): Date => new Date(baseSec * 1000 + offsetMs);

interface Latency {
  count: number;
  minMs: number;
  maxMs: number;
  p50Ms: number;
  p999Ms: number;
}

interface TenantSla {
  tenantId: string;
  period: string;
  timeToReady: Latency;
  hotRemove: Latency;
  uptime: { windowSeconds: number; downtimeSeconds: number; uptimePct: string };
  creditsMinor: number | null;
  currency: string | null;
}

interface SloBody {
  name: string;
  objective: number;
  thresholdMs: number;
  good: number;
  bad: number;
  errorBudget: { allowedBad: number; consumedFraction: number; remainingFraction: number };
  burnAlerts: { name: string; factor: number; longBurn: number; shortBurn: number; firing: boolean }[];
}

interface FleetSla {
  period: string;
  fleet: { timeToReady: Latency; hotRemove: Latency; uptime: TenantSla['uptime'] };
  slos: SloBody[];
  capacity: { capacityGiB: number; usedGiB: number; utilization: number } | null;
  tenants: Omit<TenantSla, 'period'>[];
}

/** Percentiles come from a histogram kept to 3 significant digits: within 0.1% of the value. */
function expectNear(actualMs: number, expectedMs: number): void {
  expect(Math.abs(actualMs - expectedMs)).toBeLessThanOrEqual(expectedMs / 1000);
}

const admin = (method: string, path: string, body?: unknown): Promise<Reply> => call(billing.url, method, path, { key: ADMIN_KEY, ...(body === undefined ? {} : { body }) });

async function tenantSla(tenantId: string): Promise<TenantSla> {
  const reply = await call<TenantSla>(billing.url, 'GET', '/v1/sla', { key: keys.get(tenantId) ?? '' });
  expect(reply.status).toBe(200);
  return reply.body;
}

async function fleetSla(): Promise<FleetSla> {
  const reply = await admin('GET', '/admin/v1/sla');
  expect(reply.status).toBe(200);
  return reply.body as FleetSla;
}

beforeAll(async () => {
  env = await createBillingEnvironment('billing-sla');
  billing = await startBilling(env.env({ MXS_METER_CONCURRENCY: '0' }));
  const db = billing.db;
  for (const t of ['sla-a', 'sla-b', 'sla-up', 'sla-burn']) {
    keys.set(t, await insertTenant(db, t));
    await insertVm(db, t);
  }
  // sla-a: ready in 2 s, 3 s and 10 s, one hot-add failed; two hot-removes of 4 s and 6 s.
  const a1 = await hotAdd(db, 'sla-a', at(0), 2_000);
  const a2 = await hotAdd(db, 'sla-a', at(60_000), 3_000);
  await hotAdd(db, 'sla-a', at(120_000), 10_000);
  await hotAdd(db, 'sla-a', at(180_000), 5_000, 'failed');
  await hotRemove(db, a1, at(600_000), 4_000);
  await hotRemove(db, a2, at(660_000), 6_000);
  // sla-b: one hot-add, ready in 20 s.
  await hotAdd(db, 'sla-b', at(300_000), 20_000);

  // sla-up: 16 GiB for 1,000 s, 10 s of them degraded: 99% up, at 10 USD a GiB-hour.
  expect((await admin('POST', '/admin/v1/plans', { id: 'sla-usd', name: 'SLA', currency: 'USD', prices: { direct: '10', pooled: '10' } })).status).toBe(201);
  expect((await admin('PUT', '/admin/v1/tenants/sla-up/plan', { planId: 'sla-usd', effectiveFrom: '2026-01-01T00:00:00Z' })).status).toBe(200);
  const up = { tenantId: 'sla-up', expansionId: randomUUID(), sizeGiB: 16 };
  await billing.app.get(MeterStore).meter([
    usageEvent({ ...up, type: 'expansion.activated', at: at(0) }),
    usageEvent({ ...up, type: 'expansion.degraded', at: at(600_000) }),
    usageEvent({ ...up, type: 'expansion.restored', at: at(610_000) }),
    usageEvent({ ...up, type: 'expansion.released', at: at(1_000_000) }),
  ]);
});

afterAll(async () => {
  await billing?.close();
  await env?.drop();
});

describe('GET /v1/sla', () => {
  it('gives a tenant its own hot-add and hot-remove percentiles this month; failures have no duration', async () => {
    const report = await tenantSla('sla-a');
    expect(report).toMatchObject({ tenantId: 'sla-a', period: month.name });
    expect(report.timeToReady).toMatchObject({ count: 3, minMs: 2_000, maxMs: 10_000 });
    expectNear(report.timeToReady.p50Ms, 3_000);
    expect(report.hotRemove).toMatchObject({ count: 2, minMs: 4_000, maxMs: 6_000 });
    expectNear(report.hotRemove.p50Ms, 4_000);
    // No metered usage and no plan (nor a default one): full uptime, no credits to speak of.
    expect(report.uptime).toEqual({ windowSeconds: 0, downtimeSeconds: 0, uptimePct: '100' });
    expect([report.creditsMinor, report.currency]).toEqual([null, null]);

    const other = await tenantSla('sla-b');
    expect(other.timeToReady).toMatchObject({ count: 1, minMs: 20_000, maxMs: 20_000, p50Ms: 20_000 });
    expect(other.hotRemove.count).toBe(0);
  });

  it('measures uptime from degraded intervals and earns the credit of its tier, as a negative amount', async () => {
    const report = await tenantSla('sla-up');
    expect(report.uptime).toEqual({ windowSeconds: 1_000, downtimeSeconds: 10, uptimePct: '99' });
    // 16 GiB × 990 s charged = 4.4 GiB-hours at 10 USD = 44.00; 99% is below 99.99% (10%) but not below 99%.
    expect([report.creditsMinor, report.currency]).toEqual([-440, 'USD']);
    expect(report.timeToReady.count).toBe(0);
    const estimate = await call(billing.url, 'GET', '/v1/invoices/estimate', { key: keys.get('sla-up') ?? '' });
    expect(estimate.body).toMatchObject({ chargesMinor: 4_400, creditsMinor: -440, totalMinor: 3_960 });
  });
});

describe('GET /admin/v1/sla', () => {
  it('reports the fleet and each tenant, and two SLOs with their error budgets and three burn alerts each', async () => {
    const report = await fleetSla();
    expect(report.period).toBe(month.name);
    expect(report.fleet.timeToReady).toMatchObject({ count: 4, minMs: 2_000, maxMs: 20_000 });
    expectNear(report.fleet.timeToReady.p50Ms, 3_000);
    expect(report.fleet.hotRemove).toMatchObject({ count: 2, minMs: 4_000, maxMs: 6_000 });
    expect(report.fleet.uptime).toEqual({ windowSeconds: 1_000, downtimeSeconds: 10, uptimePct: '99' });

    const byTenant = new Map(report.tenants.map((t) => [t.tenantId, t]));
    for (const tenantId of ['sla-a', 'sla-b', 'sla-up']) {
      const { period, ...own } = await tenantSla(tenantId);
      expect(period).toBe(report.period);
      expect(byTenant.get(tenantId)).toEqual(own);
    }

    expect(report.slos.map((s) => [s.name, s.objective, s.thresholdMs])).toEqual([
      ['time-to-ready', 0.99, 30_000],
      ['hot-remove', 0.99, 60_000],
    ]);
    const [ready, remove] = report.slos;
    // Four hot-adds in time, one failed: the budget of 1% of five is 0.05, spent twenty times over.
    expect(ready).toMatchObject({ good: 4, bad: 1 });
    expect(ready?.errorBudget.allowedBad).toBeCloseTo(0.05, 10);
    expect(ready?.errorBudget.consumedFraction).toBeCloseTo(20, 10);
    expect(ready?.errorBudget.remainingFraction).toBeCloseTo(-19, 10);
    expect(remove?.good).toBe(2);
    for (const slo of report.slos) {
      expect(slo.burnAlerts.map((a) => [a.name, a.factor])).toEqual([
        ['page-fast', 14.4],
        ['page-slow', 6],
        ['ticket', 1],
      ]);
    }
  });

  it('gives each tenant the credits its own report gives, rating the month once for all of them', async () => {
    const rate = jest.spyOn(billing.app.get(MonthRater), 'rate');
    try {
      const report = await fleetSla();
      expect(rate).toHaveBeenCalledTimes(1);
      expect(rate.mock.calls[0]?.[3]).toEqual(report.tenants.map((t) => t.tenantId));
      const credits = report.tenants.map((t) => [t.tenantId, t.creditsMinor, t.currency]);
      // sla-up: 10% of 44.00 USD (99% up); the others have no plan and there is no default plan.
      expect(credits).toEqual([
        ['sla-a', null, null],
        ['sla-b', null, null],
        ['sla-up', -440, 'USD'],
      ]);
      for (const [tenantId, creditsMinor, currency] of credits) {
        expect(await tenantSla(String(tenantId))).toMatchObject({ creditsMinor, currency });
      }
    } finally {
      rate.mockRestore();
    }
  });

  it('fires the page-fast alert when every operation of the last five minutes is bad', async () => {
    const alerts = (r: FleetSla): SloBody | undefined => r.slos.find((s) => s.name === 'hot-remove');
    const before = await fleetSla();
    const removeBefore = alerts(before);
    expect(removeBefore?.burnAlerts.find((a) => a.name === 'page-fast')).toMatchObject({ shortBurn: 0, firing: false });

    // Three hot-removes that gave up (back to active) in the last minute, of expansions active since last month.
    const recent = new Date((nowSec() - 60) * 1000);
    for (let i = 0; i < 3; i++) {
      const id = await insertExpansion(billing.db, 'sla-burn', 'active', new Date((month.startSec - 86_400) * 1000));
      await hotRemove(billing.db, id, recent, 20_000 + i, 'active');
    }
    const after = await fleetSla();
    const removeAfter = alerts(after);
    expect(removeAfter?.bad).toBe((removeBefore?.bad ?? 0) + 3);
    const pageFast = removeAfter?.burnAlerts.find((a) => a.name === 'page-fast');
    expect(pageFast).toMatchObject({ shortBurn: 100, firing: true });
    expect(pageFast?.longBurn).toBeGreaterThanOrEqual(14.4);
    expect(removeAfter?.errorBudget.remainingFraction).toBeLessThan(removeBefore?.errorBudget.remainingFraction ?? 0);
    // Operations that gave up have no duration: the percentiles are those of the completed ones.
    expect(after.fleet.hotRemove).toEqual(before.fleet.hotRemove);
    expect(after.fleet.timeToReady).toEqual(before.fleet.timeToReady);
  });

  it('reports capacity null while no fleet is loaded, and the fleet’s figures once one is', async () => {
    expect((await fleetSla()).capacity).toBeNull();
    const spec = generateFleetSpec({ preset: 'small', seed: 1, vmsPerHost: 0 });
    await billing.db.query(`INSERT INTO fleet_layout (id, version, name, spec) VALUES (1, 1, $1, $2::jsonb)`, [spec.name, JSON.stringify(spec)]);
    try {
      // The small preset: 4 pooled devices of 1 TiB and 16 direct ones of 512 GiB, nothing placed.
      expect((await fleetSla()).capacity).toMatchObject({ capacityGiB: 4 * 1024 + 16 * 512, usedGiB: 0, utilization: 0 });
    } finally {
      await billing.db.query(`DELETE FROM fleet_layout`);
    }
  });
});

describe('SLA evaluator', () => {
  it('puts the fleet’s percentiles, in seconds, and the uptime ratio on /metrics, without tenant labels', async () => {
    // Every replica evaluates every interval: the gauges need no credits, so no month is rated.
    const rate = jest.spyOn(billing.app.get(MonthRater), 'rate');
    try {
      await billing.app.get(SlaEvaluator).evaluate();
      expect(rate).not.toHaveBeenCalled();
    } finally {
      rate.mockRestore();
    }
    const report = await fleetSla();
    const text = String((await call(billing.url, 'GET', '/metrics')).body);
    const sample = (name: string, labels: Record<string, string>): number | undefined => {
      const line = text
        .split('\n')
        .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
      return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    const p50 = sample('mxs_sla_operation_seconds', { operation: 'time-to-ready', quantile: '0.5' });
    expect(p50).toBe(report.fleet.timeToReady.p50Ms / 1000);
    expectNear((p50 ?? 0) * 1000, 3_000);
    expect(sample('mxs_sla_operation_seconds', { operation: 'hot-remove', quantile: '0.5' })).toBe(report.fleet.hotRemove.p50Ms / 1000);
    expect(sample('mxs_sla_operation_seconds', { operation: 'time-to-ready', quantile: '0.999' })).toBe(report.fleet.timeToReady.p999Ms / 1000);
    expect(text).toMatch(/^mxs_sla_uptime_ratio 0\.99$/m);
    expect(sample('mxs_slo_burn_alert_firing', { slo: 'time-to-ready', alert: 'page-fast' })).toEqual(expect.any(Number));
    for (const line of text.split('\n').filter((l) => l.startsWith('mxs_'))) {
      expect({ line, tenantLabel: /[{,]\s*tenant(_?id)?=/i.test(line) }).toEqual({ line, tenantLabel: false });
    }
    expect(text).not.toContain('sla-a');
  });
});
