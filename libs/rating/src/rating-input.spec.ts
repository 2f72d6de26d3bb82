/// <reference types="jest" />
import { RatingError } from './money';
import type { Tier } from './money';
import type { Plan } from './plan';
import { MONTH, basic } from './__fixtures__/plans';
import { checkRatingInput, compareByTierThenId } from './rating-input';
import type { ExpansionSegmentUsage, RatedSegment, RatingInput } from './rating-input';


function used(
  expansionId: string,
  tier: Tier,
  chargedSeconds: number,
  degradedSeconds = 0,
  sizeGiB = 64n,
): ExpansionSegmentUsage {
  return {
    expansionId,
    tier,
    chargedGiBSeconds: sizeGiB * BigInt(chargedSeconds),
    chargedSeconds,
    degradedGiBSeconds: sizeGiB * BigInt(degradedSeconds),
    degradedSeconds,
  };
}

const segment = (
  startSec: number,
  endSec: number,
  usage: readonly ExpansionSegmentUsage[] = [],
  plan: Plan = basic,
): RatedSegment => ({ plan, startSec, endSec, usage });

function codeOf(input: RatingInput): string | undefined {
  try {
    checkRatingInput(input);
  } catch (error) {
    if (error instanceof RatingError) return error.code;
    throw error;
  }
  return undefined;
}

describe('checkRatingInput', () => {
  it('reads the currency and minor digits and merges entries of one expansion', () => {
    const checked = checkRatingInput({
      periodSeconds: MONTH,
      segments: [
        segment(0, MONTH, [
          used('p-1', 'pooled', 100),
          used('d-2', 'direct', 50, 10),
          used('d-1', 'direct', 30),
          used('d-2', 'direct', 20, 5),
        ]),
      ],
    });
    expect(checked.currency).toBe('USD');
    expect(checked.minorDigits).toBe(2);
    expect(checked.segments[0]?.usage).toEqual([
      used('d-1', 'direct', 30),
      used('d-2', 'direct', 70, 15),
      used('p-1', 'pooled', 100),
    ]);
  });

  it('accepts segments that touch and leave gaps', () => {
    const segments = [segment(0, 100), segment(100, 200), segment(500, MONTH)];
    expect(checkRatingInput({ periodSeconds: MONTH, segments }).segments).toHaveLength(3);
  });

  it('refuses a month with no segments or no period', () => {
    expect(codeOf({ periodSeconds: MONTH, segments: [] })).toBe('invalid-input');
    expect(codeOf({ periodSeconds: 0, segments: [segment(0, 1)] })).toBe('invalid-input');
    expect(codeOf({ periodSeconds: 1.5, segments: [segment(0, 1)] })).toBe('invalid-input');
  });

  it('refuses an invalid plan with its problems in the message', () => {
    const plan: Plan = { ...basic, id: 'broken', currency: 'XYZ' };
    expect(codeOf({ periodSeconds: MONTH, segments: [segment(0, MONTH, [], plan)] })).toBe(
      'invalid-plan',
    );
    const input = { periodSeconds: MONTH, segments: [segment(0, MONTH, [], plan)] };
    expect(() => checkRatingInput(input)).toThrow(/plan 'broken' is invalid: currency/);
  });

  it('refuses plans priced in different currencies', () => {
    const euro: Plan = { ...basic, id: 'euro', currency: 'EUR' };
    const segments = [segment(0, 100), segment(100, MONTH, [], euro)];
    expect(codeOf({ periodSeconds: MONTH, segments })).toBe('invalid-input');
  });

  it.each([
    ['empty', [segment(10, 10)]],
    ['reversed', [segment(10, 5)]],
    ['negative', [segment(-5, 10)]],
    ['fractional', [segment(0, 10.5)]],
    ['past the period', [segment(0, MONTH + 1)]],
    ['overlapping', [segment(0, 100), segment(99, 200)]],
    ['out of order', [segment(100, 200), segment(0, 100)]],
  ])('refuses %s segments', (_label, segments) => {
    expect(codeOf({ periodSeconds: MONTH, segments })).toBe('invalid-input');
  });

  it.each([
    ['an empty expansionId', { ...used('x', 'direct', 1), expansionId: '' }],
    ['an unknown tier', { ...used('x', 'direct', 1), tier: 'gold' as Tier }],
    ['negative GiB-seconds', { ...used('x', 'direct', 1), chargedGiBSeconds: -1n }],
    [
      'GiB-seconds as a number',
      { ...used('x', 'direct', 1), degradedGiBSeconds: 5 as unknown as bigint },
    ],
    ['fractional seconds', { ...used('x', 'direct', 1), chargedSeconds: 0.5 }],
    ['negative seconds', { ...used('x', 'direct', 1), degradedSeconds: -1 }],
  ])('refuses usage with %s', (_label, entry) => {
    expect(codeOf({ periodSeconds: MONTH, segments: [segment(0, MONTH, [entry])] })).toBe(
      'invalid-input',
    );
  });

  it('refuses an expansion with more seconds than its segment, once merged', () => {
    const usage = [used('d-1', 'direct', 60, 0), used('d-1', 'direct', 30, 20)];
    const lasting = (lengthSec: number) => ({
      periodSeconds: MONTH,
      segments: [segment(0, lengthSec, usage)],
    });
    expect(codeOf(lasting(100))).toBe('invalid-input');
    expect(codeOf(lasting(110))).toBeUndefined();
  });

  it('refuses an expansion that changes tier within the month', () => {
    const segments = [
      segment(0, 100, [used('e-1', 'direct', 10)]),
      segment(100, 200, [used('e-1', 'pooled', 10)]),
    ];
    expect(codeOf({ periodSeconds: MONTH, segments })).toBe('invalid-input');
  });
});

describe('compareByTierThenId', () => {
  it('puts direct before pooled, then ids in code-unit order', () => {
    const items = [
      { tier: 'pooled' as const, expansionId: 'a' },
      { tier: 'direct' as const, expansionId: 'b' },
      { tier: 'direct' as const, expansionId: 'B' },
    ];
    expect([...items].sort(compareByTierThenId).map(({ expansionId }) => expansionId)).toEqual([
      'B',
      'b',
      'a',
    ]);
  });
});
