/// <reference types="jest" />
import fc from 'fast-check';
import {
  DEFAULT_BURN_ALERTS,
  SloError,
  burnRate,
  errorBudget,
  evaluateBurnAlerts,
  eventsInWindow,
} from './slo';
import type { BurnAlert, SloBucket } from './slo';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const NOW_MS = Date.UTC(2025, 5, 15, 12);

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof SloError) return error.code;
    throw error;
  }
  return undefined;
}

/** One bucket a minute for `spanMs` up to `nowMs`, each from `perMinute(minutesAgo)`. */
function minuteBuckets(
  spanMs: number,
  perMinute: (minutesAgo: number) => { good: number; bad: number },
): SloBucket[] {
  return Array.from({ length: spanMs / MINUTE_MS }, (_, minutesAgo) => ({
    atMs: NOW_MS - minutesAgo * MINUTE_MS,
    ...perMinute(minutesAgo),
  }));
}

const firingNames = (buckets: readonly SloBucket[], objective: number) =>
  evaluateBurnAlerts(buckets, objective, NOW_MS)
    .filter(({ firing }) => firing)
    .map(({ name }) => name);

describe('errorBudget', () => {
  it('is exactly spent at 1,000 bad events in 1,000,000 for 99.9%', () => {
    expect(errorBudget({ objective: 0.999, good: 999_000, bad: 1000 })).toEqual({
      allowedBad: 1000,
      consumedFraction: 1,
      remainingFraction: 0,
    });
  });

  it('reports partial and overspent budgets', () => {
    expect(errorBudget({ objective: 0.999, good: 999_750, bad: 250 })).toEqual({
      allowedBad: 1000,
      consumedFraction: 0.25,
      remainingFraction: 0.75,
    });
    expect(errorBudget({ objective: 0.99, good: 800, bad: 200 }).remainingFraction).toBe(-19);
  });

  it('is untouched with no events', () => {
    expect(errorBudget({ objective: 0.999, good: 0, bad: 0 })).toEqual({
      allowedBad: 0,
      consumedFraction: 0,
      remainingFraction: 1,
    });
  });

  it.each([0, 1, -0.5, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'rejects the objective %p',
    (objective) => {
      expect(codeOf(() => errorBudget({ objective, good: 1, bad: 0 }))).toBe('invalid-objective');
    },
  );

  it.each([
    [-1, 0],
    [0, 1.5],
    [Number.NaN, 0],
  ])('rejects the counts good=%p bad=%p', (good, bad) => {
    expect(codeOf(() => errorBudget({ objective: 0.999, good, bad }))).toBe('invalid-count');
  });
});

describe('burnRate', () => {
  const buckets: SloBucket[] = [
    { atMs: NOW_MS - HOUR_MS, good: 1000, bad: 1000 }, // on the open edge: outside
    { atMs: NOW_MS - HOUR_MS + 1, good: 990, bad: 10 }, // first ms inside
    { atMs: NOW_MS, good: 999, bad: 1 }, // on the closed edge: inside
    { atMs: NOW_MS + 1, good: 0, bad: 5000 }, // the future: outside
  ];

  it('counts buckets in (nowMs - windowMs, nowMs] only', () => {
    expect(eventsInWindow(buckets, NOW_MS, HOUR_MS)).toEqual({ good: 1989, bad: 11 });
    // 11 bad in 2000 is 0.55% against a 0.1% budget; one ms wider adds 1000 bad in 2000 more.
    expect(burnRate(buckets, 0.999, NOW_MS, HOUR_MS)).toBe(5.5);
    expect(burnRate(buckets, 0.999, NOW_MS, HOUR_MS + 1)).toBe(252.75);
  });

  it('is 0 with no events in the window', () => {
    expect(burnRate([], 0.999, NOW_MS, HOUR_MS)).toBe(0);
    expect(burnRate([{ atMs: NOW_MS, good: 0, bad: 0 }], 0.999, NOW_MS, HOUR_MS)).toBe(0);
    expect(burnRate(buckets, 0.999, NOW_MS - 2 * HOUR_MS, HOUR_MS)).toBe(0);
  });

  it('is exactly 14.4 where floating point would say 14.399999999999988', () => {
    expect((144 / 10_000) / (1 - 0.999)).toBeLessThan(14.4);
    expect(burnRate([{ atMs: NOW_MS, good: 9856, bad: 144 }], 0.999, NOW_MS, HOUR_MS)).toBe(14.4);
  });

  it.each([
    [Number.NaN, HOUR_MS, 'invalid-time'],
    [NOW_MS + 0.5, HOUR_MS, 'invalid-time'],
    [NOW_MS, 0, 'invalid-window'],
    [NOW_MS, -HOUR_MS, 'invalid-window'],
  ])('rejects nowMs=%p windowMs=%p with %s', (nowMs, windowMs, code) => {
    expect(codeOf(() => burnRate([], 0.999, nowMs, windowMs))).toBe(code);
  });

  it('rejects a bad bucket even outside the window', () => {
    const stale = [{ atMs: 0, good: -3, bad: 0 }];
    expect(codeOf(() => burnRate(stale, 0.999, NOW_MS, HOUR_MS))).toBe('invalid-count');
  });

  it('agrees with the floating-point formula and ignores bucket order', () => {
    const bucket = fc.record({
      atMs: fc.integer({ min: NOW_MS - 3 * HOUR_MS, max: NOW_MS + HOUR_MS }),
      good: fc.nat({ max: 100_000 }),
      bad: fc.nat({ max: 1000 }),
    });
    fc.assert(
      fc.property(
        fc.array(bucket, { maxLength: 30 }),
        fc.constantFrom(0.9, 0.99, 0.995, 0.999, 0.9999),
        fc.integer({ min: 1, max: 4 * HOUR_MS }),
        (series, objective, windowMs) => {
          const inWindow = series.filter(
            ({ atMs }) => atMs > NOW_MS - windowMs && atMs <= NOW_MS,
          );
          const good = inWindow.reduce((sum, b) => sum + b.good, 0);
          const bad = inWindow.reduce((sum, b) => sum + b.bad, 0);
          const expected = good + bad === 0 ? 0 : bad / (good + bad) / (1 - objective);
          const actual = burnRate(series, objective, NOW_MS, windowMs);
          expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * 1e-12);
          expect(burnRate([...series].reverse(), objective, NOW_MS, windowMs)).toBe(actual);
        },
      ),
    );
  });
});

describe('evaluateBurnAlerts', () => {
  it('uses the SRE workbook windows and factors by default', () => {
    expect(DEFAULT_BURN_ALERTS).toEqual([
      { name: 'page-fast', factor: 14.4, longMs: HOUR_MS, shortMs: 5 * MINUTE_MS },
      { name: 'page-slow', factor: 6, longMs: 6 * HOUR_MS, shortMs: 30 * MINUTE_MS },
      { name: 'ticket', factor: 1, longMs: 72 * HOUR_MS, shortMs: 6 * HOUR_MS },
    ]);
    expect(Object.isFrozen(DEFAULT_BURN_ALERTS)).toBe(true);
  });

  it.each([
    [144, ['page-fast', 'page-slow', 'ticket']],
    [143, ['page-slow', 'ticket']],
    [60, ['page-slow', 'ticket']],
    [59, ['ticket']],
    [10, ['ticket']],
    [9, []],
    [0, []],
  ])('under a steady %i bad in 10,000 a minute at 99.9%%, fires %p', (badPerMinute, expected) => {
    const steady = minuteBuckets(72 * HOUR_MS, () => ({
      good: 10_000 - badPerMinute,
      bad: badPerMinute,
    }));
    expect(firingNames(steady, 0.999)).toEqual(expected);
  });

  it('fires at exactly 6x on a 99% objective, where floating point falls short', () => {
    expect((60 / 1000) / (1 - 0.99)).toBeLessThan(6);
    const steady = minuteBuckets(6 * HOUR_MS, () => ({ good: 940, bad: 60 }));
    const [, pageSlow] = evaluateBurnAlerts(steady, 0.99, NOW_MS);
    expect(pageSlow).toEqual({
      name: 'page-slow',
      factor: 6,
      longBurn: 6,
      shortBurn: 6,
      firing: true,
    });
  });

  it('stops paging once a spike has ended, though the long window still burns', () => {
    // 10 minutes of total failure, ending 6 minutes ago; healthy traffic since.
    const spike = minuteBuckets(72 * HOUR_MS, (minutesAgo) =>
      minutesAgo >= 6 && minutesAgo < 16 ? { good: 0, bad: 1000 } : { good: 1000, bad: 0 },
    );
    const [pageFast] = evaluateBurnAlerts(spike, 0.999, NOW_MS);
    expect(pageFast?.longBurn).toBeGreaterThan(14.4);
    expect(pageFast?.shortBurn).toBe(0);
    expect(pageFast?.firing).toBe(false);
    // Four minutes earlier the spike was inside both windows.
    const [duringSpike] = evaluateBurnAlerts(spike, 0.999, NOW_MS - 10 * MINUTE_MS);
    expect(duringSpike?.firing).toBe(true);
  });

  it('pages on a one-minute outage (200x short, 16.7x long) only up to a 16.7x factor', () => {
    const blip = minuteBuckets(72 * HOUR_MS, (minutesAgo) =>
      minutesAgo < 1 ? { good: 0, bad: 1000 } : { good: 1000, bad: 0 },
    );
    const [pageFast] = evaluateBurnAlerts(blip, 0.999, NOW_MS);
    expect(pageFast?.shortBurn).toBe(200);
    expect(pageFast?.longBurn).toBeCloseTo(1000 / 60, 9);
    expect(pageFast?.firing).toBe(true);
    const [strict] = evaluateBurnAlerts(blip, 0.999, NOW_MS, [
      { name: 'strict', factor: 20, longMs: HOUR_MS, shortMs: 5 * MINUTE_MS },
    ]);
    expect(strict?.firing).toBe(false);
  });

  it('fires iff both burn rates reach the factor', () => {
    const bucket = fc.record({
      atMs: fc.integer({ min: NOW_MS - 2 * HOUR_MS, max: NOW_MS }),
      good: fc.nat({ max: 1000 }),
      bad: fc.nat({ max: 100 }),
    });
    const alert = fc
      .tuple(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 12, max: 2 * HOUR_MS }))
      .map(([tenths, longMs]): BurnAlert => ({
        name: 'custom',
        factor: tenths / 10,
        longMs,
        shortMs: Math.floor(longMs / 12),
      }));
    fc.assert(
      fc.property(fc.array(bucket, { maxLength: 20 }), alert, (series, custom) => {
        const [status] = evaluateBurnAlerts(series, 0.99, NOW_MS, [custom]);
        expect(status?.longBurn).toBe(burnRate(series, 0.99, NOW_MS, custom.longMs));
        expect(status?.shortBurn).toBe(burnRate(series, 0.99, NOW_MS, custom.shortMs));
        expect(status?.firing).toBe(
          (status?.longBurn ?? 0) >= custom.factor && (status?.shortBurn ?? 0) >= custom.factor,
        );
      }),
    );
  });

  it.each<[string, BurnAlert]>([
    ['an empty name', { name: '', factor: 1, longMs: HOUR_MS, shortMs: MINUTE_MS }],
    ['a zero factor', { name: 'x', factor: 0, longMs: HOUR_MS, shortMs: MINUTE_MS }],
    ['a NaN factor', { name: 'x', factor: Number.NaN, longMs: HOUR_MS, shortMs: MINUTE_MS }],
    [
      'a short window longer than the long one',
      { name: 'x', factor: 1, longMs: MINUTE_MS, shortMs: HOUR_MS },
    ],
    ['a zero short window', { name: 'x', factor: 1, longMs: HOUR_MS, shortMs: 0 }],
    ['a fractional window', { name: 'x', factor: 1, longMs: 1.5, shortMs: 1 }],
  ])('rejects an alert with %s', (_label, alert) => {
    expect(codeOf(() => evaluateBurnAlerts([], 0.999, NOW_MS, [alert]))).toBe('invalid-alert');
  });

  it('rejects a bad objective before looking at alerts', () => {
    expect(codeOf(() => evaluateBurnAlerts([], 1, NOW_MS))).toBe('invalid-objective');
  });
});
