/// <reference types="jest" />
import type { UsageEvent, UsageEventType } from '@mxs/contracts';
import Decimal from 'decimal.js';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { InvoicesService } from './invoices/invoices.service';
import { MeterStore } from './metering/meter-store';
import { parseMonth } from './period/month';
import { PlansService } from './plans/plans.service';
import { TenantPlansService } from './plans/tenant-plans.service';
import type { BillingUnderTest, TestEnvironment } from './testing/billing-harness';
import { createBillingEnvironment, insertTenant, startBilling, usageEvent } from './testing/billing-harness';

/**
 * For random event streams (duplicated, shuffled, late, in concurrent batches), every invoice
 * equals a computation that walks the month second by second in big decimals: which state each
 * expansion is in during each second, what that second costs, credits from counted seconds.
 */

let env: TestEnvironment;
let billing: BillingUnderTest;

beforeAll(async () => {
  env = await createBillingEnvironment('invoice-property');
  billing = await startBilling(env.env({ MXS_METER_CONCURRENCY: '0' }));
});

afterAll(async () => {
  await billing?.close();
  await env?.drop();
});

const MONTH = parseMonth('2026-06');
const TYPE_ORDER: UsageEventType[] = ['expansion.activated', 'expansion.degraded', 'expansion.restored', 'expansion.resized', 'expansion.released'];
// The window the streams live in: across the month's start, so the boundary is always exercised.
const WINDOW_START_MS = (MONTH.startSec - 3_600) * 1000;
const WINDOW_MS = 4 * 3_600_000;

interface Life {
  readonly sizeGiB: number;
  readonly tier: 'direct' | 'pooled';
  /** Offsets in ms into the window, sorted, and what happens at each. */
  readonly steps: readonly { atMs: number; type: UsageEventType; sizeGiB: number }[];
}

const lifeArb: fc.Arbitrary<Life> = fc
  .record({
    sizeGiB: fc.integer({ min: 1, max: 64 }),
    tier: fc.constantFrom('direct' as const, 'pooled' as const),
    times: fc.uniqueArray(fc.integer({ min: 0, max: WINDOW_MS - 1 }), { minLength: 1, maxLength: 7 }),
    kinds: fc.array(fc.constantFrom<UsageEventType>('expansion.degraded', 'expansion.restored', 'expansion.resized'), { maxLength: 5 }),
    newSizes: fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 5, maxLength: 5 }),
    released: fc.boolean(),
  })
  .map(({ sizeGiB, tier, times, kinds, newSizes, released }) => {
    const sorted = [...times].sort((a, b) => a - b);
    const steps: { atMs: number; type: UsageEventType; sizeGiB: number }[] = [{ atMs: sorted[0] ?? 0, type: 'expansion.activated', sizeGiB }];
    sorted.slice(1).forEach((atMs, i) => {
      const last = i === sorted.length - 2;
      const type = last && released ? 'expansion.released' : (kinds[i % Math.max(1, kinds.length)] ?? 'expansion.resized');
      steps.push({ atMs, type, sizeGiB: type === 'expansion.released' ? 0 : (newSizes[i % 5] ?? sizeGiB) });
    });
    return { sizeGiB, tier, steps };
  });

const priceArb = fc.integer({ min: 1, max: 99_999 }).map((n) => new Decimal(n).div(10_000).toString()); // 0.0001 .. 9.9999

const caseArb = fc.record({
  lives: fc.array(lifeArb, { minLength: 1, maxLength: 5 }),
  directPrice: priceArb,
  pooledPrice: priceArb,
  // Graduated: above this many GiB-hours of the month, the direct tier costs the second price.
  directBandGiBHours: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
  directUpperPrice: priceArb,
  duplicates: fc.array(fc.nat(), { maxLength: 10 }),
  shuffleSeed: fc.nat(),
  batches: fc.integer({ min: 1, max: 6 }),
});

// Every event happens before this second; from it to the month's end each state stays as it is.
const WALK_END_SEC = Math.floor((WINDOW_START_MS + WINDOW_MS) / 1000) + 1;
const TAIL_SECONDS = MONTH.endSec - WALK_END_SEC;

type SecondState = { kind: 'charged' | 'degraded'; sizeGiB: number };

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

/** The state an expansion is in during each second of the walk (after every event whose second is ≤ s), and after it. */
function secondBySecond(life: Life): { bySecond: Map<number, SecondState>; tail: SecondState | null } {
  const bySecond = new Map<number, SecondState>();
  const events = [...life.steps].sort((a, b) => a.atMs - b.atMs || TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type));
  let state: { kind: 'charged' | 'degraded'; sizeGiB: number } | 'none' | 'released' = 'none';
  let next = 0;
  for (let s = Math.floor(WINDOW_START_MS / 1000); s < WALK_END_SEC; s++) {
    while (next < events.length && Math.floor((WINDOW_START_MS + (events[next]?.atMs ?? 0)) / 1000) <= s) {
      const e = events[next++];
      if (e === undefined || state === 'released') continue;
      if (state === 'none') {
        if (e.type === 'expansion.activated') state = { kind: 'charged', sizeGiB: e.sizeGiB };
        continue;
      }
      const now: SecondState = state;
      if (e.type === 'expansion.released') state = 'released';
      else if (e.type === 'expansion.degraded' && now.kind === 'charged') state = { ...now, kind: 'degraded' };
      else if (e.type === 'expansion.restored' && now.kind === 'degraded') state = { ...now, kind: 'charged' };
      else if (e.type === 'expansion.resized' && e.sizeGiB > 0) state = { ...now, sizeGiB: e.sizeGiB };
    }
    if (typeof state === 'object' && s >= MONTH.startSec && s < MONTH.endSec) bySecond.set(s, state);
  }
  return { bySecond, tail: typeof state === 'object' ? state : null };
}

/** Seconds of the month charged and degraded, and its charged GiB-seconds: the walk's, then the tail's. */
function counted(walk: ReturnType<typeof secondBySecond>): { charged: number; degraded: number; gibSeconds: Decimal } {
  let charged = 0;
  let degraded = 0;
  let gibSeconds = new Decimal(0);
  const add = (st: SecondState, seconds: number): void => {
    if (st.kind === 'charged') {
      charged += seconds;
      gibSeconds = gibSeconds.add(new Decimal(st.sizeGiB).mul(seconds));
    } else {
      degraded += seconds;
    }
  };
  for (const st of walk.bySecond.values()) add(st, 1);
  if (walk.tail !== null) add(walk.tail, TAIL_SECONDS);
  return { charged, degraded, gibSeconds };
}

/** Major units to minor, half away from zero. */
function roundMinor(amount: Decimal): number {
  const minor = amount.mul(100);
  return minor.abs().toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber() * (minor.isNeg() ? -1 : 1);
}

/** The invoice total as the second-by-second walk finds it. */
function expectedTotal(c: Case): number {
  const walks = c.lives.map(secondBySecond);
  const counts = walks.map(counted);
  const price = (tier: 'direct' | 'pooled'): Decimal => new Decimal(tier === 'direct' ? c.directPrice : c.pooledPrice);
  let total = 0;
  // Usage: each expansion's charged GiB-seconds at its tier's first price, rounded once.
  const usageMinor = c.lives.map((life, i) => {
    return roundMinor((counts[i]?.gibSeconds ?? new Decimal(0)).mul(price(life.tier)).div(3600));
  });
  total += usageMinor.reduce((a, b) => a + b, 0);
  // Graduated direct tier: walk the seconds in order; GiB-seconds past the band edge cost the upper price instead.
  if (c.directBandGiBHours !== undefined) {
    const edge = new Decimal(c.directBandGiBHours).mul(3600);
    let counter = new Decimal(0);
    let above = new Decimal(0);
    const directGiB = (st: SecondState | null | undefined, i: number): number => (c.lives[i]?.tier === 'direct' && st?.kind === 'charged' ? st.sizeGiB : 0);
    const step = (g: number, seconds: number): void => {
      const after = counter.add(new Decimal(g).mul(seconds));
      if (after.gt(edge)) above = above.add(Decimal.min(after.sub(edge), after.sub(counter)));
      counter = after;
    };
    for (let s = MONTH.startSec; s < WALK_END_SEC; s++) step(walks.reduce((g, w, i) => g + directGiB(w.bySecond.get(s), i), 0), 1);
    step(walks.reduce((g, w, i) => g + directGiB(w.tail, i), 0), TAIL_SECONDS);
    if (above.gt(0)) total += roundMinor(above.mul(new Decimal(c.directUpperPrice).sub(c.directPrice)).div(3600));
  }
  // Credits: counted seconds up and down over each expansion's life in the month.
  c.lives.forEach((_life, i) => {
    const { charged = 0, degraded: down = 0 } = counts[i] ?? {};
    if (down === 0) return;
    const uptime = new Decimal(charged).div(charged + down).mul(100);
    const pct = uptime.lt(95) ? 100 : uptime.lt(99) ? 25 : uptime.lt('99.99') ? 10 : 0;
    total -= new Decimal(usageMinor[i] ?? 0).mul(pct).div(100).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
  });
  return total;
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let x = seed + 1;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

it('every invoice equals the second-by-second computation, whatever the order, duplicates and batching of events', async () => {
  const meter = billing.app.get(MeterStore);
  const invoices = billing.app.get(InvoicesService);
  const plans = billing.app.get(PlansService);
  const tenantPlans = billing.app.get(TenantPlansService);
  await fc.assert(
    fc.asyncProperty(caseArb, async (c) => {
      const id = randomUUID().slice(0, 8);
      const tenantId = `t-${id}`;
      await insertTenant(billing.db, tenantId);
      const direct =
        c.directBandGiBHours === undefined
          ? c.directPrice
          : [
              { upToGiBHours: c.directBandGiBHours, unitPrice: c.directPrice },
              { upToGiBHours: null, unitPrice: c.directUpperPrice },
            ];
      await plans.create({ id: `p-${id}`, name: id, currency: 'USD', prices: { direct, pooled: c.pooledPrice }, minimumCommitMinor: 0, creditScope: 'expansion', isDefault: false });
      await tenantPlans.assign(tenantId, `p-${id}`, '2026-01-01T00:00:00Z');
      const events: UsageEvent[] = c.lives.flatMap((life) => {
        const expansionId = randomUUID();
        return life.steps.map((s) => usageEvent({ expansionId, tenantId, type: s.type, at: new Date(WINDOW_START_MS + s.atMs), sizeGiB: s.sizeGiB, tier: life.tier }));
      });
      const stream = shuffled([...events, ...c.duplicates.map((d) => events[d % events.length] as UsageEvent)], c.shuffleSeed);
      // Batches go in together: the per-expansion locks must keep concurrent claims exact.
      const size = Math.ceil(stream.length / c.batches);
      const batches = Array.from({ length: c.batches }, (_, i) => stream.slice(i * size, (i + 1) * size));
      await Promise.all(batches.map((b) => meter.meter(b)));
      await invoices.closeMonth(MONTH, { finalize: false, tenantIds: [tenantId] });
      const { items } = await invoices.list({ tenantId, period: MONTH.name }, undefined, 1);
      expect(items[0]?.totalMinor).toBe(expectedTotal(c));
      expect(items[0]?.totalMinor).toBe(items[0]?.lines.reduce((sum, l) => sum + l.amountMinor, 0));
    }),
    { numRuns: 40, seed: 20261121 },
  );
});
