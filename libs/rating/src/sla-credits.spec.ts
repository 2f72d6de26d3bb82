/// <reference types="jest" />
import { DEFAULT_CREDIT_TIERS } from '@mxs/sla-metrics';
import type { DraftLine } from './invoice-lines';
import { RatingError } from './money';
import type { Tier } from './money';
import type { Plan } from './plan';
import { rateMonth } from './rate-month';
import type { ExpansionSegmentUsage } from './rating-input';
import { capCredits, decimalOfPercent, uptimePctText } from './sla-credits';

const MONTH = 30 * 24 * 3600;

// One cent per GiB-hour: 36,000,000 GiB-seconds = 10,000 GiB-hours = $100.00.
const flat: Plan = {
  id: 'flat',
  currency: 'USD',
  prices: {
    direct: [{ upToGiBHours: null, unitPrice: '0.01' }],
    pooled: [{ upToGiBHours: null, unitPrice: '0.01' }],
  },
  minimumCommitMinor: 0,
  creditScope: 'expansion',
  creditTiers: DEFAULT_CREDIT_TIERS,
};

function used(
  expansionId: string,
  chargedGiBSeconds: bigint,
  chargedSeconds: number,
  degradedSeconds = 0,
  degradedGiBSeconds = 0n,
  tier: Tier = 'direct',
): ExpansionSegmentUsage {
  return {
    expansionId,
    tier,
    chargedGiBSeconds,
    chargedSeconds,
    degradedGiBSeconds,
    degradedSeconds,
  };
}

const month = (usage: readonly ExpansionSegmentUsage[], plan: Plan = flat) =>
  rateMonth({ periodSeconds: MONTH, segments: [{ plan, startSec: 0, endSec: MONTH, usage }] });

describe('expansion-scope credits at the default tier edges', () => {
  // A 1,000,000-second window: 100 s down is exactly 99.99%, 10,000 s exactly 99%.
  it.each([
    ['exactly 99.99%', 100, 0, '99.99'],
    ['just below 99.99%', 101, 10, '99.9899'],
    ['exactly 99%', 10_000, 10, '99'],
    ['just below 99%', 10_001, 25, '98.9999'],
    ['exactly 95%', 50_000, 25, '95'],
    ['below 95%', 50_001, 100, '94.9999'],
  ])('uptime %s (%i s down) earns %i%%', (_label, downtimeSeconds, creditPct, uptimeText) => {
    const invoice = month([used('e-1', 36_000_000n, 1_000_000 - downtimeSeconds, downtimeSeconds)]);
    expect(invoice.uptime).toEqual([
      { expansionId: 'e-1', windowSeconds: 1_000_000, downtimeSeconds, creditPct },
    ]);
    expect(invoice.creditsMinor).toBe(0 - 100 * creditPct);
    expect(invoice.totalMinor).toBe(10_000 - 100 * creditPct);
    const credit = invoice.lines.find(({ kind }) => kind === 'credit');
    if (creditPct === 0) {
      expect(credit).toBeUndefined();
      return;
    }
    expect(credit).toEqual({
      kind: 'credit',
      planId: 'flat',
      tier: 'direct',
      expansionId: 'e-1',
      description: `SLA credit ${creditPct}% for expansion e-1: uptime ${uptimeText}%`,
      quantityGiBSeconds: null,
      quantityGiBHours: null,
      unitPrice: null,
      amountMinor: -100 * creditPct,
    });
  });

  it('credits each expansion on its own uptime and usage, across segments', () => {
    const invoice = rateMonth({
      periodSeconds: MONTH,
      segments: [
        {
          plan: flat,
          startSec: 0,
          endSec: MONTH / 2,
          usage: [used('a', 36_000_000n, 500_000, 10_000)],
        },
        {
          plan: flat,
          startSec: MONTH / 2,
          endSec: MONTH,
          usage: [used('a', 36_000_000n, 500_000), used('b', 7_200_000n, 100_000)],
        },
      ],
    });
    expect(invoice.uptime).toEqual([
      { expansionId: 'a', windowSeconds: 1_010_000, downtimeSeconds: 10_000, creditPct: 10 },
      { expansionId: 'b', windowSeconds: 100_000, downtimeSeconds: 0, creditPct: 0 },
    ]);
    // a's usage is $200.00 over both segments; 10% of it.
    const credits = invoice.lines.filter(({ kind }) => kind === 'credit');
    expect(credits.map(({ amountMinor }) => amountMinor)).toEqual([-2000]);
  });

  it('lists an expansion that was only ever down, with nothing to credit', () => {
    const invoice = month([used('down', 0n, 0, 3600, 230_400n)]);
    expect(invoice.uptime).toEqual([
      { expansionId: 'down', windowSeconds: 3600, downtimeSeconds: 3600, creditPct: 100 },
    ]);
    expect(invoice.lines).toEqual([]);
    expect(invoice.totalMinor).toBe(0);
  });

  it('skips expansions whose window is empty', () => {
    expect(month([used('idle', 0n, 0)]).uptime).toEqual([]);
  });

  it('uses the credit terms of the last segment', () => {
    const lenient: Plan = {
      ...flat,
      id: 'lenient',
      creditTiers: [{ belowUptimePct: '90', creditPct: 50 }],
    };
    const usage = [used('e-1', 36_000_000n, 450_000, 50_000)];
    const invoice = rateMonth({
      periodSeconds: MONTH,
      segments: [
        { plan: flat, startSec: 0, endSec: MONTH / 2, usage },
        { plan: lenient, startSec: MONTH / 2, endSec: MONTH, usage: [] },
      ],
    });
    // 95% uptime: 25% under the first plan, nothing under the last one.
    expect(invoice.uptime[0]?.creditPct).toBe(0);
    expect(invoice.creditsMinor).toBe(0);
  });

  it('applies a fractional percentage exactly, rounding the credit half away from zero', () => {
    const tiers = [{ belowUptimePct: '99.9', creditPct: 12.5 }];
    // 3,614,400 GiB-seconds at 1 cent/GiB-hour = 1004 cents; 12.5% = 125.5 → 126.
    const invoice = month([used('e-1', 3_614_400n, 9_000, 1_000)], { ...flat, creditTiers: tiers });
    expect(invoice.creditsMinor).toBe(-126);
    expect(invoice.lines.at(-1)?.description).toBe(
      'SLA credit 12.5% for expansion e-1: uptime 90%',
    );
  });
});

describe('tenant-scope credits', () => {
  const tenantPlan: Plan = { ...flat, id: 'tenant', creditScope: 'tenant' };

  it('weighs downtime by GiB and credits the whole bill once', () => {
    // a: 64 GiB, 20,000 s down of 1,020,000 (98.04%: 25% on its own); b: 192 GiB, never down.
    const invoice = month(
      [
        used('a', 64_000_000n, 1_000_000, 20_000, 1_280_000n),
        used('b', 192_000_000n, 1_000_000, 0, 0n, 'pooled'),
      ],
      tenantPlan,
    );
    expect(invoice.uptime).toEqual([
      { expansionId: null, windowSeconds: 257_280_000, downtimeSeconds: 1_280_000, creditPct: 10 },
    ]);
    // Usage 17,778 + 53,333 = 71,111; 10% = 7,111.1 → 7,111.
    expect(invoice.chargesMinor).toBe(71_111);
    expect(invoice.lines.at(-1)).toMatchObject({
      kind: 'credit',
      tier: null,
      expansionId: null,
      description: 'SLA credit 10% for the tenant: GiB-weighted uptime 99.5024%',
      amountMinor: -7_111,
    });
    expect(invoice.totalMinor).toBe(64_000);
  });

  it('credits usage and volume lines, but not the minimum top-up', () => {
    const banded: Plan = {
      ...tenantPlan,
      minimumCommitMinor: 100_000,
      prices: {
        ...flat.prices,
        direct: [
          { upToGiBHours: 1000, unitPrice: '0.01' },
          { upToGiBHours: null, unitPrice: '0.005' },
        ],
      },
    };
    // 3000 GiB-hours: usage 3000 + volume −1000 = 2000; 100% credit (50% uptime) = −2000.
    const invoice = month([used('a', 10_800_000n, 500_000, 500_000, 10_800_000n)], banded);
    expect(invoice.lines.map(({ kind, amountMinor }) => [kind, amountMinor])).toEqual([
      ['usage', 3000],
      ['volume', -1000],
      ['minimum', 98_000],
      ['credit', -2000],
    ]);
    expect(invoice.totalMinor).toBe(98_000);
  });

  it('has no figure when nothing ran, and refuses GiB-seconds beyond the safe range', () => {
    expect(month([], tenantPlan).uptime).toEqual([]);
    const free: Plan = {
      ...tenantPlan,
      prices: { direct: [{ upToGiBHours: null, unitPrice: '0' }], pooled: flat.prices.pooled },
    };
    const huge = used('a', 2n ** 53n, 1000);
    expect(() => month([huge], free)).toThrow(RatingError);
  });
});

describe('the credit cap', () => {
  it('reduces the last credit so the total is zero, and says so', () => {
    // Gold bands: 3000 + 3000 GiB-hours = usage 7200, volume −800 − 400 → charges 6000.
    const gold: Plan = {
      ...flat,
      id: 'gold',
      prices: {
        ...flat.prices,
        direct: [
          { upToGiBHours: 1000, unitPrice: '0.012' },
          { upToGiBHours: 5000, unitPrice: '0.010' },
          { upToGiBHours: null, unitPrice: '0.008' },
        ],
      },
    };
    const down = (id: string) => used(id, 10_800_000n, 50_000, 50_000, 10_800_000n);
    const invoice = month([down('e-1'), down('e-2')], gold);
    const credits = invoice.lines.filter(({ kind }) => kind === 'credit');
    expect(credits.map(({ amountMinor }) => amountMinor)).toEqual([-3600, -2400]);
    expect(credits[1]?.description).toBe(
      'SLA credit 100% for expansion e-2: uptime 50%; ' +
        'reduced to 24.00 so the invoice total is not negative',
    );
    expect(invoice).toMatchObject({ chargesMinor: 6000, creditsMinor: -6000, totalMinor: 0 });
  });

  it('reaches back to earlier credits when the last is not enough', () => {
    const line = (expansionId: string, amountMinor: bigint): DraftLine => ({
      kind: 'credit',
      planId: 'p',
      tier: 'direct',
      expansionId,
      description: `credit ${expansionId}`,
      quantityGiBSeconds: null,
      unitPrice: null,
      amountMinor,
    });
    const capped = capCredits([line('a', -1000n), line('b', -1000n)], 100n, 2);
    expect(capped.map(({ amountMinor }) => amountMinor)).toEqual([-100n, 0n]);
    expect(capped.map(({ description }) => description)).toEqual([
      'credit a; reduced to 1.00 so the invoice total is not negative',
      'credit b; reduced to 0.00 so the invoice total is not negative',
    ]);
    expect(capCredits([line('a', -50n)], 100n, 2)).toEqual([line('a', -50n)]);
  });
});

describe('decimalOfPercent and uptimePctText', () => {
  it.each([
    [10, 10n, 0],
    [12.5, 125n, 1],
    [0.1, 1n, 1],
    [1e-7, 1n, 7],
    [100, 100n, 0],
  ])('reads %p as %p / 10^%i', (pct, units, scale) => {
    expect(decimalOfPercent(pct)).toEqual({ units, scale });
  });

  it('refuses what is not a non-negative decimal', () => {
    expect(() => decimalOfPercent(Number.NaN)).toThrow(RatingError);
    expect(() => decimalOfPercent(-1)).toThrow(RatingError);
  });

  it('cuts uptime to four decimals instead of rounding it up to a threshold', () => {
    expect(uptimePctText(1_000_000_000n, 100_001n)).toBe('99.9899');
    expect(uptimePctText(3n, 1n)).toBe('66.6666');
    expect(uptimePctText(10n, 0n)).toBe('100');
  });
});
