/// <reference types="jest" />
import { randomUUID } from 'node:crypto';
import { InvoicesService } from './invoices/invoices.service';
import { MeterStore } from './metering/meter-store';
import { parseMonth } from './period/month';
import type { PlanBody } from './plans/plan.schemas';
import { PlansService } from './plans/plans.service';
import { TenantPlansService } from './plans/tenant-plans.service';
import type { BillingUnderTest, TestEnvironment } from './testing/billing-harness';
import { createBillingEnvironment, insertTenant, startBilling, usageEvent } from './testing/billing-harness';

let env: TestEnvironment;
let billing: BillingUnderTest;
let meter: MeterStore;
let invoices: InvoicesService;
let plans: PlansService;
let tenantPlans: TenantPlansService;

beforeAll(async () => {
  env = await createBillingEnvironment('invoices');
  billing = await startBilling(env.env({ MXS_METER_CONCURRENCY: '0', MXS_INVOICE_GRACE_HOURS: '72' }));
  meter = billing.app.get(MeterStore);
  invoices = billing.app.get(InvoicesService);
  plans = billing.app.get(PlansService);
  tenantPlans = billing.app.get(TenantPlansService);
});

afterAll(async () => {
  await billing?.close();
  await env?.drop();
});

function plan(id: string, fields: Partial<PlanBody> = {}): PlanBody {
  return { id, name: id, currency: 'USD', prices: { direct: '0.01', pooled: '0.01' }, minimumCommitMinor: 0, creditScope: 'expansion', isDefault: false, ...fields };
}

/** A tenant on `planId` from long before the months under test. */
async function tenantOn(planId: string): Promise<string> {
  const tenantId = `t-${randomUUID().slice(0, 8)}`;
  await insertTenant(billing.db, tenantId);
  await tenantPlans.assign(tenantId, planId, '2025-01-01T00:00:00Z');
  return tenantId;
}

/** One expansion's life: activated at `from`, then each [degradedAt, restoredAt) outage, released at `to` (if given). */
async function expansion(tenantId: string, sizeGiB: number, from: string, to: string | null, outages: readonly [string, string][] = [], tier: 'direct' | 'pooled' = 'pooled'): Promise<string> {
  const expansionId = randomUUID();
  const base = { expansionId, tenantId, sizeGiB, tier };
  const events = [usageEvent({ ...base, type: 'expansion.activated', at: from })];
  for (const [down, up] of outages) events.push(usageEvent({ ...base, type: 'expansion.degraded', at: down }), usageEvent({ ...base, type: 'expansion.restored', at: up }));
  if (to !== null) events.push(usageEvent({ ...base, type: 'expansion.released', at: to }));
  await meter.meter(events);
  return expansionId;
}

async function invoiceFor(tenantId: string, period: string): Promise<Awaited<ReturnType<InvoicesService['get']>>> {
  await invoices.closeMonth(parseMonth(period), { finalize: false, tenantIds: [tenantId] });
  const { items } = await invoices.list({ tenantId, period }, undefined, 10);
  const invoice = items[0];
  if (invoice === undefined) throw new Error(`no invoice for ${tenantId} in ${period}`);
  return invoice;
}

describe('invoices', () => {
  beforeAll(async () => {
    await plans.create(plan('flat'));
  });

  it('splits an expansion spanning three months at the month boundaries, to the second', async () => {
    const tenantId = await tenantOn('flat');
    await expansion(tenantId, 10, '2026-01-20T00:00:00Z', '2026-03-10T12:00:00Z');
    // 10 GiB at 0.01 per GiB-hour = 10 cents an hour.
    expect((await invoiceFor(tenantId, '2026-01')).totalMinor).toBe(12 * 24 * 10);
    expect((await invoiceFor(tenantId, '2026-02')).totalMinor).toBe(28 * 24 * 10);
    const march = await invoiceFor(tenantId, '2026-03');
    expect(march.totalMinor).toBe(9.5 * 24 * 10);
    expect(march.lines).toEqual([expect.objectContaining({ kind: 'usage', quantityGiBHours: '2280.000000', unitPrice: '0.01', amountMinor: 2280 })]);
    expect((await invoiceFor(tenantId, '2026-04')).totalMinor).toBe(0);
  });

  it('bills a tenant with no usage nothing, or its minimum commitment', async () => {
    const idle = await tenantOn('flat');
    const empty = await invoiceFor(idle, '2026-02');
    expect(empty).toMatchObject({ lines: [], chargesMinor: 0, creditsMinor: 0, totalMinor: 0, total: '0.00', status: 'draft' });
    await plans.create(plan('committed', { minimumCommitMinor: 5_000 }));
    const committed = await tenantOn('committed');
    await expansion(committed, 1, '2026-02-01T00:00:00Z', '2026-02-01T10:00:00Z'); // 10 GiB-hours: 10 cents
    const invoice = await invoiceFor(committed, '2026-02');
    expect(invoice.lines.map((l) => [l.kind, l.amountMinor])).toEqual([['usage', 10], ['minimum', 4_990]]);
    expect(invoice.totalMinor).toBe(5_000);
  });

  it('prorates a plan change to the second: each segment on its own plan', async () => {
    await plans.create(plan('double', { prices: { direct: '0.02', pooled: '0.02' } }));
    const tenantId = await tenantOn('flat');
    await tenantPlans.assign(tenantId, 'double', '2026-04-15T12:00:00Z');
    await expansion(tenantId, 100, '2026-04-01T00:00:00Z', null);
    const invoice = await invoiceFor(tenantId, '2026-04');
    // 348 h on flat (0.01), then 372 h on double (0.02), 100 GiB throughout.
    expect(invoice.lines.map((l) => [l.planId, l.quantityGiBHours, l.amountMinor])).toEqual([
      ['flat', '34800.000000', 34_800],
      ['double', '37200.000000', 74_400],
    ]);
    expect(invoice.totalMinor).toBe(109_200);
  });

  it('prices graduated tiers on the month\'s GiB-hours: each band at its own price', async () => {
    await plans.create(
      plan('volume', {
        prices: {
          direct: [
            { upToGiBHours: 1_000, unitPrice: '0.02' },
            { upToGiBHours: 5_000, unitPrice: '0.015' },
            { upToGiBHours: null, unitPrice: '0.01' },
          ],
          pooled: '0.01',
        },
      }),
    );
    const tenantId = await tenantOn('volume');
    await expansion(tenantId, 10, '2026-02-01T00:00:00Z', '2026-02-26T00:00:00Z', [], 'direct'); // 600 h × 10 GiB = 6,000 GiB-hours
    const invoice = await invoiceFor(tenantId, '2026-02');
    // 1,000 × 0.02 + 4,000 × 0.015 + 1,000 × 0.01 = 20 + 60 + 10
    expect(invoice.totalMinor).toBe(9_000);
    expect(invoice.lines.map((l) => [l.kind, l.quantityGiBHours, l.unitPrice, l.amountMinor])).toEqual([
      ['usage', '6000.000000', '0.02', 12_000],
      ['volume', '4000.000000', '-0.005', -2_000],
      ['volume', '1000.000000', '-0.01', -1_000],
    ]);
  });

  describe('SLA credits at each tier edge (uptime of an expansion that lived 10,000 s)', () => {
    // 36 GiB at 1.00 per GiB-hour is one cent per second: the charge is the charged seconds.
    beforeAll(async () => {
      await plans.create(plan('per-second', { prices: { direct: '1', pooled: '1' } }));
    });

    const cases: [string, number, number][] = [
      ['exactly 99.99% earns nothing', 1, 0],
      ['just under 99.99% earns 10%', 2, 10],
      ['exactly 99% earns 10%', 100, 10],
      ['just under 99% earns 25%', 101, 25],
      ['exactly 95% earns 25%', 500, 25],
      ['under 95% earns 100%', 501, 100],
    ];
    it.each(cases)('%s', async (_name, degradedSeconds, creditPct) => {
      const tenantId = await tenantOn('per-second');
      const start = Date.parse('2026-02-10T00:00:00Z');
      const at = (sec: number): string => new Date(start + sec * 1000).toISOString();
      const expansionId = await expansion(tenantId, 36, at(0), at(10_000), [[at(1_000), at(1_000 + degradedSeconds)]]);
      const invoice = await invoiceFor(tenantId, '2026-02');
      const charged = 10_000 - degradedSeconds;
      expect(invoice.chargesMinor).toBe(charged);
      expect(invoice.uptime).toEqual([{ expansionId, windowSeconds: 10_000, downtimeSeconds: degradedSeconds, creditPct }]);
      expect(invoice.creditsMinor).toBe(creditPct === 0 ? 0 : -Math.round((charged * creditPct) / 100));
      expect(invoice.lines.filter((l) => l.kind === 'credit')).toHaveLength(creditPct === 0 ? 0 : 1);
      expect(invoice.totalMinor).toBe(invoice.chargesMinor + invoice.creditsMinor);
    });
  });

  it('finalizes a month once its grace period has passed, and never rewrites a finalized invoice', async () => {
    const tenantId = await tenantOn('flat');
    await expansion(tenantId, 10, '2026-05-01T00:00:00Z', '2026-05-02T00:00:00Z');
    const draft = await invoiceFor(tenantId, '2026-05');
    expect(draft).toMatchObject({ status: 'draft', totalMinor: 240 });
    const results = await invoices.closeDue();
    expect(results.find((r) => r.period === '2026-05')).toMatchObject({ finalized: true });
    const finalized = await invoices.get(draft.id, tenantId);
    expect(finalized).toMatchObject({ status: 'finalized', totalMinor: 240, finalizedBy: 'billing-close' });
    // A late event is still metered, but the finalized invoice keeps what it said.
    await expansion(tenantId, 10, '2026-05-03T00:00:00Z', '2026-05-04T00:00:00Z');
    await invoices.closeMonth(parseMonth('2026-05'), { finalize: false, tenantIds: [tenantId] });
    expect(await invoices.get(draft.id, tenantId)).toEqual(finalized);
  });
});
