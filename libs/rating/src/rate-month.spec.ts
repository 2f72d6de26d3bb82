/// <reference types="jest" />
import { RatingError, formatMinor } from './money';
import type { Tier } from './money';
import type { Plan } from './plan';
import { HOUR, MONTH, basic, gold } from './__fixtures__/plans';
import { rateMonth } from './rate-month';
import type { ExpansionSegmentUsage, RatedSegment } from './rating-input';

const HALF = MONTH / 2;

/** `sizeGiB` up for `hours`, never down. */
function up(
  expansionId: string,
  tier: Tier,
  sizeGiB: number,
  hours: number,
): ExpansionSegmentUsage {
  return {
    expansionId,
    tier,
    chargedGiBSeconds: BigInt(sizeGiB * hours * HOUR),
    chargedSeconds: hours * HOUR,
    degradedGiBSeconds: 0n,
    degradedSeconds: 0,
  };
}

const whole = (usage: readonly ExpansionSegmentUsage[], plan: Plan = basic): RatedSegment => ({
  plan,
  startSec: 0,
  endSec: MONTH,
  usage,
});

const rate = (...segments: RatedSegment[]) => rateMonth({ periodSeconds: MONTH, segments });
const amounts = (invoice: ReturnType<typeof rateMonth>) =>
  invoice.lines.map(({ kind, amountMinor }) => [kind, amountMinor]);

describe('rateMonth', () => {
  it('prices a plain month, one line per expansion', () => {
    // 64 GiB × 100 h = 6400 GiB-h × 0.012 = $76.80; 32 GiB × 50 h = 1600 GiB-h × 0.006 = $9.60.
    const invoice = rate(whole([up('p-1', 'pooled', 32, 50), up('d-1', 'direct', 64, 100)]));
    expect(invoice).toEqual({
      currency: 'USD',
      minorDigits: 2,
      lines: [
        {
          kind: 'usage',
          planId: 'basic',
          tier: 'direct',
          expansionId: 'd-1',
          description: 'direct memory for expansion d-1 (plan basic)',
          quantityGiBSeconds: '23040000',
          quantityGiBHours: '6400.000000',
          unitPrice: '0.012',
          amountMinor: 7680,
        },
        {
          kind: 'usage',
          planId: 'basic',
          tier: 'pooled',
          expansionId: 'p-1',
          description: 'pooled memory for expansion p-1 (plan basic)',
          quantityGiBSeconds: '5760000',
          quantityGiBHours: '1600.000000',
          unitPrice: '0.006',
          amountMinor: 960,
        },
      ],
      chargesMinor: 8640,
      creditsMinor: 0,
      totalMinor: 8640,
      uptime: [
        { expansionId: 'd-1', windowSeconds: 360_000, downtimeSeconds: 0, creditPct: 0 },
        { expansionId: 'p-1', windowSeconds: 180_000, downtimeSeconds: 0, creditPct: 0 },
      ],
    });
  });

  it('bills nothing for a month without usage', () => {
    const invoice = rate(whole([]));
    expect(invoice).toMatchObject({
      lines: [],
      chargesMinor: 0,
      creditsMinor: 0,
      totalMinor: 0,
      uptime: [],
    });
  });

  it('bills the whole commitment for a month without usage under a minimum', () => {
    const invoice = rate(whole([], { ...basic, minimumCommitMinor: 50_000 }));
    expect(invoice.lines).toEqual([
      {
        kind: 'minimum',
        planId: 'basic',
        tier: null,
        expansionId: null,
        description: 'minimum commitment shortfall (plan basic)',
        quantityGiBSeconds: null,
        quantityGiBHours: null,
        unitPrice: null,
        amountMinor: 50_000,
      },
    ]);
    expect(invoice.totalMinor).toBe(50_000);
  });

  it('prorates the minimum over a half month', () => {
    const committed: Plan = { ...basic, minimumCommitMinor: 50_000 };
    // Started mid-month: half the commitment (25,000) less $76.80 of usage.
    const secondHalf = (usage: ExpansionSegmentUsage) =>
      rate({ plan: committed, startSec: HALF, endSec: MONTH, usage: [usage] });
    const late = secondHalf(up('d-1', 'direct', 64, 100));
    expect(amounts(late)).toEqual([
      ['usage', 7680],
      ['minimum', 17_320],
    ]);
    expect(late.totalMinor).toBe(25_000);
    const busy = secondHalf(up('d-1', 'direct', 512, 300));
    expect(amounts(busy)).toEqual([['usage', 184_320]]);
  });

  it('prices each segment with its own plan, the band counter running across them', () => {
    const platinum: Plan = {
      ...basic,
      id: 'platinum',
      prices: {
        ...basic.prices,
        direct: [
          { upToGiBHours: 2000, unitPrice: '0.011' },
          { upToGiBHours: null, unitPrice: '0.009' },
        ],
      },
    };
    // 800 GiB-h under gold, then 1500 under platinum: GiB-hours 800–2300 of the month,
    // so 300 of them lie past platinum's 2000 threshold.
    const invoice = rate(
      { plan: gold, startSec: 0, endSec: HALF, usage: [up('d-1', 'direct', 8, 100)] },
      { plan: platinum, startSec: HALF, endSec: MONTH, usage: [up('d-1', 'direct', 15, 100)] },
    );
    const priced = invoice.lines.map((line) => [
      line.kind,
      line.planId,
      line.quantityGiBHours,
      line.unitPrice,
      line.amountMinor,
    ]);
    expect(priced).toEqual([
      ['usage', 'gold', '800.000000', '0.012', 960],
      ['usage', 'platinum', '1500.000000', '0.011', 1650],
      ['volume', 'platinum', '300.000000', '-0.002', -60],
    ]);
    expect(invoice.lines[2]?.description).toBe(
      'direct GiB-hours above 2000 at 0.009 instead of 0.011 (plan platinum)',
    );
    expect(invoice.totalMinor).toBe(2550);
  });

  it('prices usage crossing two thresholds in one segment at each band', () => {
    // 3500 + 2500 GiB-h: 1000 × 0.012 + 4000 × 0.010 + 1000 × 0.008 = $60.00.
    const invoice = rate(whole([up('d-2', 'direct', 25, 100), up('d-1', 'direct', 35, 100)], gold));
    const priced = invoice.lines.map((line) => [
      line.kind,
      line.expansionId,
      line.quantityGiBSeconds,
      line.unitPrice,
      line.amountMinor,
    ]);
    expect(priced).toEqual([
      ['usage', 'd-1', '12600000', '0.012', 4200],
      ['usage', 'd-2', '9000000', '0.012', 3000],
      ['volume', null, '14400000', '-0.002', -800],
      ['volume', null, '3600000', '-0.004', -400],
    ]);
    expect(invoice.totalMinor).toBe(6000);
  });

  it('rounds each line once, half away from zero', () => {
    const halfCents: Plan = {
      ...basic,
      id: 'half',
      prices: {
        ...basic.prices,
        direct: [
          { upToGiBHours: 1, unitPrice: '0.01' },
          { upToGiBHours: null, unitPrice: '0' },
        ],
      },
    };
    // 5400 GiB-s: usage 1.5 cents → 2, volume 1800 GiB-s × −0.01 = −0.5 cent → −1.
    const usage: ExpansionSegmentUsage = {
      ...up('d-1', 'direct', 0, 0),
      chargedGiBSeconds: 5400n,
      chargedSeconds: 5400,
    };
    expect(amounts(rate(whole([usage], halfCents)))).toEqual([
      ['usage', 2],
      ['volume', -1],
    ]);
  });

  it('bills yen in whole units', () => {
    const yen: Plan = {
      ...basic,
      id: 'yen',
      currency: 'JPY',
      prices: {
        direct: [{ upToGiBHours: null, unitPrice: '1.5' }],
        pooled: [{ upToGiBHours: null, unitPrice: '1' }],
      },
    };
    // 3 GiB-h × ¥1.5 = ¥4.5 → ¥5.
    const invoice = rate(whole([up('d-1', 'direct', 3, 1)], yen));
    expect(invoice).toMatchObject({ currency: 'JPY', minorDigits: 0, totalMinor: 5 });
    expect(formatMinor(invoice.totalMinor, invoice.minorDigits)).toBe('5');
  });

  it('bills dinars in fils (three digits)', () => {
    const dinar: Plan = {
      ...basic,
      id: 'dinar',
      currency: 'BHD',
      prices: {
        direct: [{ upToGiBHours: null, unitPrice: '0.0045' }],
        pooled: basic.prices.pooled,
      },
    };
    // 1001 GiB-h × 0.0045 = 4.5045 BHD = 4504.5 fils → 4505.
    const invoice = rate(whole([up('d-1', 'direct', 1001, 1)], dinar));
    expect(invoice).toMatchObject({ currency: 'BHD', minorDigits: 3, totalMinor: 4505 });
    expect(formatMinor(invoice.totalMinor, invoice.minorDigits)).toBe('4.505');
  });

  it('refuses a month it cannot rate', () => {
    const codeOf = (action: () => unknown) => {
      try {
        action();
      } catch (error) {
        if (error instanceof RatingError) return error.code;
        throw error;
      }
      return undefined;
    };
    expect(codeOf(() => rate())).toBe('invalid-input');
    const noPooled: Plan = { ...basic, prices: { ...basic.prices, pooled: [] } };
    expect(codeOf(() => rate(whole([], noPooled)))).toBe('invalid-plan');
    const dollars = { ...whole([]), endSec: HALF };
    const euros = { ...whole([], { ...basic, currency: 'EUR' }), startSec: HALF };
    expect(codeOf(() => rate(dollars, euros))).toBe('invalid-input');
    const enormous = { ...up('d-1', 'direct', 1, 1), chargedGiBSeconds: 10n ** 30n };
    expect(codeOf(() => rate(whole([enormous])))).toBe('invalid-input');
  });
});
