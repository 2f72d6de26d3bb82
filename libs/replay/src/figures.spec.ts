/// <reference types="jest" />
import { ReplayError } from './errors';
import { DEFAULT_LIST_PRICES, percentiles, revenueByTier, timeWeightedMean } from './figures';

describe('revenueByTier', () => {
  it('sums GiB-hours by tier and prices each tier once, exactly', () => {
    // direct: 16 GiB for 1 h + 3 × 1 GiB for 20 min = 17 GiB·h; pooled: 8 GiB for 90 s = 0.2 GiB·h.
    const holds = [
      { tier: 'direct' as const, sizeGiB: 16, seconds: 3600 },
      ...[1, 2, 3].map(() => ({ tier: 'direct' as const, sizeGiB: 1, seconds: 1200 })),
      { tier: 'pooled' as const, sizeGiB: 8, seconds: 90 },
    ];
    expect(revenueByTier(holds)).toEqual({
      direct: { gibHours: 17, amountMinor: 14 }, // 17 × 0.0080 = 0.136 USD
      pooled: { gibHours: 0.2, amountMinor: 0 }, // 0.2 × 0.0050 = 0.001 USD
    });
  });

  it('rounds half up once per tier, not per hold', () => {
    const prices = { currency: 'EUR', minorDigits: 2, perGiBHour: { direct: '0.005', pooled: '0.0049' } };
    // 50 holds of 2 GiB·h per tier: 0.50 and 0.49 EUR; rounding each pooled hold (0.98 cents) would make 50 cents.
    const holds = Array.from({ length: 100 }, (_, i) => ({ tier: i % 2 === 0 ? ('direct' as const) : ('pooled' as const), sizeGiB: 2, seconds: 3600 }));
    expect(revenueByTier(holds, prices)).toEqual({ direct: { gibHours: 100, amountMinor: 50 }, pooled: { gibHours: 100, amountMinor: 49 } });
    // 12.5 cents rounds up.
    expect(revenueByTier([{ tier: 'direct', sizeGiB: 1, seconds: 3600 }], { ...prices, perGiBHour: { direct: '0.125', pooled: '0' } }).direct.amountMinor).toBe(13);
  });

  it('gives zeros without holds and refuses prices that are not plain decimals', () => {
    expect(revenueByTier([])).toEqual({ direct: { gibHours: 0, amountMinor: 0 }, pooled: { gibHours: 0, amountMinor: 0 } });
    const bad = { ...DEFAULT_LIST_PRICES, perGiBHour: { direct: '1e-3', pooled: '0.005' } };
    expect(() => revenueByTier([], bad)).toThrow(expect.objectContaining({ code: 'invalid-prices', message: expect.stringContaining('perGiBHour.direct') }));
    expect(() => revenueByTier([], { ...DEFAULT_LIST_PRICES, minorDigits: -1 })).toThrow(ReplayError);
    expect(() => revenueByTier([{ tier: 'pooled', sizeGiB: 1.5, seconds: 1 }])).toThrow(ReplayError);
  });
});

describe('percentiles', () => {
  it('uses the nearest rank', () => {
    const values = Array.from({ length: 200 }, (_, i) => 200 - i); // 1..200, shuffled order does not matter
    expect(percentiles(values)).toEqual({ count: 200, p50: 100, p95: 190, p99: 198, max: 200 });
    expect(percentiles([7])).toEqual({ count: 1, p50: 7, p95: 7, p99: 7, max: 7 });
    expect(percentiles([3, 1, 2])).toEqual({ count: 3, p50: 2, p95: 3, p99: 3, max: 3 });
  });

  it('is all zeros for no values', () => {
    expect(percentiles([])).toEqual({ count: 0, p50: 0, p95: 0, p99: 0, max: 0 });
  });
});

describe('timeWeightedMean', () => {
  it('weighs each value by how long it held', () => {
    const points = [
      { atSec: 0, value: 10 },
      { atSec: 30, value: 40 },
      { atSec: 40, value: 0 },
    ];
    expect(timeWeightedMean(points)).toBe((10 * 30 + 40 * 10) / 40);
    expect(timeWeightedMean(points, 100)).toBe((10 * 30 + 40 * 10) / 100);
  });

  it('ignores zero-width steps, gives the last value when no time passes and 0 without points', () => {
    expect(timeWeightedMean([{ atSec: 0, value: 5 }, { atSec: 0, value: 8 }, { atSec: 10, value: 1 }])).toBe(8);
    expect(timeWeightedMean([{ atSec: 3, value: 5 }])).toBe(5);
    expect(timeWeightedMean([])).toBe(0);
  });

  it('refuses points out of time order', () => {
    expect(() => timeWeightedMean([{ atSec: 5, value: 1 }, { atSec: 4, value: 1 }])).toThrow(ReplayError);
  });
});
