/// <reference types="jest" />
import fc from 'fast-check';
import {
  CreditTierError,
  DEFAULT_CREDIT_TIERS,
  creditPctFor,
  validateCreditTiers,
} from './credit-tiers';
import type { CreditTier } from './credit-tiers';

const THIRTY_DAYS_MS = 30 * 24 * 3_600_000; // 2,592,000,000
const THIRTY_ONE_DAYS_MS = 31 * 24 * 3_600_000;

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof CreditTierError) return error.code;
    throw error;
  }
  return undefined;
}

const creditFor = (downtimeMs: number, windowMs = THIRTY_DAYS_MS) =>
  creditPctFor({ downtimeMs, windowMs }).creditPct;

describe('creditPctFor with the default tiers', () => {
  it.each([
    ['100%', 0, 0],
    ['exactly 99.99%', 259_200, 0],
    ['1 ms under 99.99%', 259_201, 10],
    ['exactly 99%', 25_920_000, 10],
    ['1 ms under 99%', 25_920_001, 25],
    ['exactly 95%', 129_600_000, 25],
    ['1 ms under 95%', 129_600_001, 100],
    ['0%', THIRTY_DAYS_MS, 100],
  ])('a 30-day month at %s (%i ms down) earns %i%%', (_label, downtimeMs, expectedPct) => {
    expect(creditFor(downtimeMs)).toBe(expectedPct);
  });

  it('holds the same edges in a 31-day month', () => {
    expect(creditFor(267_840, THIRTY_ONE_DAYS_MS)).toBe(0);
    expect(creditFor(267_841, THIRTY_ONE_DAYS_MS)).toBe(10);
  });

  it('names the tier that applies, and none when no credit is due', () => {
    expect(creditPctFor({ downtimeMs: 259_200, windowMs: THIRTY_DAYS_MS })).toEqual({
      creditPct: 0,
      tier: null,
    });
    expect(creditPctFor({ downtimeMs: 30_000_000, windowMs: THIRTY_DAYS_MS })).toEqual({
      creditPct: 25,
      tier: { belowUptimePct: '99', creditPct: 25 },
    });
  });

  it('cannot be changed by callers', () => {
    expect(Object.isFrozen(DEFAULT_CREDIT_TIERS)).toBe(true);
    expect(DEFAULT_CREDIT_TIERS.every((tier) => Object.isFrozen(tier))).toBe(true);
  });

  it('never gives less credit for more downtime', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: THIRTY_ONE_DAYS_MS }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (windowMs, a, b) => {
          const lessMs = Math.floor(Math.min(a, b) * windowMs);
          const moreMs = Math.floor(Math.max(a, b) * windowMs);
          expect(creditFor(moreMs, windowMs)).toBeGreaterThanOrEqual(creditFor(lessMs, windowMs));
        },
      ),
    );
  });
});

describe('creditPctFor with configured tiers', () => {
  it('compares many-digit thresholds exactly', () => {
    const tiers = [{ belowUptimePct: '99.999', creditPct: 5 }];
    // 0.001% of 30 days is 25,920 ms.
    expect(creditPctFor({ downtimeMs: 25_920, windowMs: THIRTY_DAYS_MS }, tiers).creditPct).toBe(0);
    expect(creditPctFor({ downtimeMs: 25_921, windowMs: THIRTY_DAYS_MS }, tiers).creditPct).toBe(5);
  });

  it('treats a 100% threshold as "any downtime at all"', () => {
    const tiers = [{ belowUptimePct: '100', creditPct: 1 }];
    expect(creditPctFor({ downtimeMs: 0, windowMs: 1000 }, tiers).creditPct).toBe(0);
    expect(creditPctFor({ downtimeMs: 1, windowMs: 1000 }, tiers).creditPct).toBe(1);
  });

  it('gives no credit with no tiers', () => {
    expect(creditPctFor({ downtimeMs: 1000, windowMs: 1000 }, [])).toEqual({
      creditPct: 0,
      tier: null,
    });
  });

  it('agrees with an integer-arithmetic oracle on thresholds in hundredths of a percent', () => {
    // Thresholds in hundredths of a percent, strictly decreasing, credits non-decreasing.
    const tiersArb = fc
      .uniqueArray(fc.integer({ min: 1, max: 10_000 }), { minLength: 1, maxLength: 5 })
      .chain((hundredths) => {
        const sorted = [...hundredths].sort((a, b) => b - a);
        const length = sorted.length;
        return fc
          .array(fc.integer({ min: 0, max: 100 }), { minLength: length, maxLength: length })
          .map((credits) => {
            const ascending = [...credits].sort((a, b) => a - b);
            return sorted.map((h, i) => ({ hundredths: h, creditPct: ascending[i] ?? 0 }));
          });
      });
    fc.assert(
      fc.property(
        tiersArb,
        fc.integer({ min: 1, max: THIRTY_ONE_DAYS_MS }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (spec, windowMs, downFraction) => {
          const downtimeMs = Math.floor(downFraction * windowMs);
          const tiers: CreditTier[] = spec.map(({ hundredths, creditPct }) => ({
            belowUptimePct: (hundredths / 100).toFixed(2),
            creditPct,
          }));
          // uptime / window < h / 10,000, all products below 2^53 so exact in doubles.
          const uptimeMs = windowMs - downtimeMs;
          const earned = spec.filter(({ hundredths }) => uptimeMs * 10_000 < hundredths * windowMs);
          const expected = earned.at(-1)?.creditPct ?? 0;
          expect(creditPctFor({ downtimeMs, windowMs }, tiers).creditPct).toBe(expected);
        },
      ),
    );
  });
});

describe('tier validation', () => {
  it.each<[string, CreditTier[]]>([
    ['a zero threshold', [{ belowUptimePct: '0', creditPct: 10 }]],
    ['a threshold above 100', [{ belowUptimePct: '100.01', creditPct: 10 }]],
    ['exponent notation', [{ belowUptimePct: '9.9e1', creditPct: 10 }]],
    ['a negative threshold', [{ belowUptimePct: '-5', creditPct: 10 }]],
    ['padding', [{ belowUptimePct: ' 99', creditPct: 10 }]],
    ['a trailing point', [{ belowUptimePct: '99.', creditPct: 10 }]],
    ['a leading point', [{ belowUptimePct: '.5', creditPct: 10 }]],
    ['a credit above 100', [{ belowUptimePct: '99', creditPct: 100.5 }]],
    ['a negative credit', [{ belowUptimePct: '99', creditPct: -1 }]],
    ['a NaN credit', [{ belowUptimePct: '99', creditPct: Number.NaN }]],
    [
      'equal thresholds',
      [
        { belowUptimePct: '99', creditPct: 10 },
        { belowUptimePct: '99.00', creditPct: 20 },
      ],
    ],
    [
      'increasing thresholds',
      [
        { belowUptimePct: '99', creditPct: 10 },
        { belowUptimePct: '99.9', creditPct: 20 },
      ],
    ],
    [
      'decreasing credits',
      [
        { belowUptimePct: '99.9', creditPct: 20 },
        { belowUptimePct: '99', creditPct: 10 },
      ],
    ],
  ])('rejects %s', (_label, tiers) => {
    expect(codeOf(() => validateCreditTiers(tiers))).toBe('invalid-tiers');
    expect(codeOf(() => creditPctFor({ downtimeMs: 0, windowMs: 1 }, tiers))).toBe('invalid-tiers');
  });

  it('accepts the defaults and equal credits on decreasing thresholds', () => {
    expect(() => validateCreditTiers(DEFAULT_CREDIT_TIERS)).not.toThrow();
    expect(() =>
      validateCreditTiers([
        { belowUptimePct: '100', creditPct: 10 },
        { belowUptimePct: '99.5', creditPct: 10 },
      ]),
    ).not.toThrow();
  });

  it('says which tier is wrong', () => {
    expect(() =>
      validateCreditTiers([
        { belowUptimePct: '99', creditPct: 10 },
        { belowUptimePct: '99.5', creditPct: 20 },
      ]),
    ).toThrow("tier 1: belowUptimePct '99.5' must be below the previous tier's '99'");
  });

  it.each([
    [{ downtimeMs: 0, windowMs: 0 }],
    [{ downtimeMs: 11, windowMs: 10 }],
    [{ downtimeMs: -1, windowMs: 10 }],
    [{ downtimeMs: 0.5, windowMs: 10 }],
    [{ downtimeMs: 0, windowMs: Number.POSITIVE_INFINITY }],
  ])('rejects the measurement %p', (measurement) => {
    expect(codeOf(() => creditPctFor(measurement))).toBe('invalid-uptime');
  });
});
