/// <reference types="jest" />
import fc from 'fast-check';
import { errorCodeOf } from './__fixtures__/topology-error';
import { Rng } from './rng';

function take<T>(count: number, draw: () => T): T[] {
  return Array.from({ length: count }, draw);
}

describe('Rng', () => {
  it('gives the same sequence for the same seed', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const a = new Rng(seed);
        const b = new Rng(seed);
        expect(take(32, () => a.nextUint32())).toEqual(take(32, () => b.nextUint32()));
        expect(take(8, () => a.int(-5, 5))).toEqual(take(8, () => b.int(-5, 5)));
      }),
      { numRuns: 200 },
    );
  });

  it('gives different sequences for different 32-bit seeds', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), (s, t) => {
        fc.pre(s !== t);
        const a = new Rng(s);
        const b = new Rng(t);
        expect(take(4, () => a.nextUint32())).not.toEqual(take(4, () => b.nextUint32()));
      }),
      { numRuns: 200 },
    );
  });

  it('uses every bit of a 32-bit seed', () => {
    const firstDraws = (seed: number): number[] => {
      const rng = new Rng(seed);
      return take(4, () => rng.nextUint32());
    };
    const base = firstDraws(0x1234_5678);
    const differing = Array.from({ length: 32 }, (_, bit) => (0x1234_5678 ^ (1 << bit)) | 0).filter(
      (seed) => JSON.stringify(firstDraws(seed)) === JSON.stringify(base),
    );
    expect(differing).toEqual([]);
  });

  it('pins the stream, so saved fleets and traces stay reproducible across releases', () => {
    const rng = new Rng(42);
    expect(take(4, () => rng.nextUint32())).toEqual([1028872839, 2516511472, 400437680, 853279530]);
    const zero = new Rng(0);
    expect(take(2, () => zero.nextUint32())).toEqual([4205396811, 3543653536]);
  });

  it('draws next() in [0, 1)', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const rng = new Rng(seed);
        expect(take(64, () => rng.next()).filter((x) => !(x >= 0 && x < 1))).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  describe('int', () => {
    it('stays within [min, max] and is an integer', () => {
      const bound = fc.integer({ min: -(2 ** 40), max: 2 ** 40 });
      fc.assert(
        fc.property(fc.integer(), bound, bound, (seed, x, y) => {
          const [min, max] = x <= y ? [x, y] : [y, x];
          const rng = new Rng(seed);
          const outside = take(32, () => rng.int(min, max)).filter((n) => !Number.isInteger(n) || n < min || n > max);
          expect(outside).toEqual([]);
        }),
        { numRuns: 300 },
      );
    });

    it('stays within the widest safe range', () => {
      const rng = new Rng(9);
      const outside = take(1000, () => rng.int(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)).filter(
        (n) => !Number.isSafeInteger(n),
      );
      expect(outside).toEqual([]);
    });

    it('reaches both bounds: they are inclusive', () => {
      fc.assert(
        fc.property(fc.integer(), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 5 }), (seed, min, span) => {
          const rng = new Rng(seed);
          const seen = new Set(take(400, () => rng.int(min, min + span)));
          expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: span + 1 }, (_, i) => min + i));
        }),
        { numRuns: 100 },
      );
    });

    it('returns the only value of a one-value range', () => {
      const rng = new Rng(3);
      expect(take(10, () => rng.int(7, 7))).toEqual(take(10, () => 7));
    });

    it.each([
      [1.5, 3],
      [0, 2.5],
      [5, 4],
      [Number.NaN, 1],
      [0, Number.POSITIVE_INFINITY],
    ])('refuses int(%p, %p) with invalid-argument', (min, max) => {
      expect(errorCodeOf(() => new Rng(1).int(min, max))).toBe('invalid-argument');
    });
  });

  describe('pick and weighted', () => {
    it('picks only from the list, and eventually every item', () => {
      const rng = new Rng(4);
      const items = ['a', 'b', 'c', 'd'] as const;
      const picked = take(400, () => rng.pick(items));
      expect([...new Set(picked)].sort()).toEqual([...items]);
    });

    it('never picks an item of zero weight', () => {
      fc.assert(
        fc.property(
          fc.integer(),
          fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0.001, max: 100, noNaN: true })), { minLength: 1, maxLength: 8 }),
          (seed, weights) => {
            fc.pre(weights.some((w) => w > 0));
            const rng = new Rng(seed);
            const choices = weights.map((w, i) => [i, w] as const);
            const picked = take(50, () => rng.weighted(choices));
            expect(picked.filter((i) => !((weights[i] ?? 0) > 0))).toEqual([]);
          },
        ),
        { numRuns: 200 },
      );
    });

    it('follows the weights roughly', () => {
      const rng = new Rng(12);
      const picked = take(10_000, () => rng.weighted([['rare', 1], ['never', 0], ['common', 3]] as const));
      const common = picked.filter((p) => p === 'common').length / picked.length;
      expect(picked.includes('never')).toBe(false);
      expect(common).toBeGreaterThan(0.72);
      expect(common).toBeLessThan(0.78);
    });

    it('refuses an empty list and a total weight that is not positive', () => {
      const rng = new Rng(1);
      expect(errorCodeOf(() => rng.pick([]))).toBe('invalid-argument');
      expect(errorCodeOf(() => rng.weighted([]))).toBe('invalid-argument');
      expect(errorCodeOf(() => rng.weighted([['a', 0], ['b', 0]]))).toBe('invalid-argument');
      expect(errorCodeOf(() => rng.weighted([['a', Number.NaN]]))).toBe('invalid-argument');
    });
  });

  describe('construction and forks', () => {
    it.each([1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses the seed %p with invalid-argument', (seed) => {
      expect(errorCodeOf(() => new Rng(seed))).toBe('invalid-argument');
    });

    it('forks streams that depend only on the parent seed and the label', () => {
      const a = new Rng(5).fork(1);
      const b = new Rng(5).fork(1);
      const c = new Rng(5).fork(2);
      const sa = take(8, () => a.nextUint32());
      expect(take(8, () => b.nextUint32())).toEqual(sa);
      expect(take(8, () => c.nextUint32())).not.toEqual(sa);
    });

    it('draws exponentials with the given mean', () => {
      const rng = new Rng(8);
      const draws = take(20_000, () => rng.exponential(50));
      expect(draws.every((x) => x >= 0 && Number.isFinite(x))).toBe(true);
      const mean = draws.reduce((sum, x) => sum + x, 0) / draws.length;
      expect(mean).toBeGreaterThan(48);
      expect(mean).toBeLessThan(52);
    });
  });
});
