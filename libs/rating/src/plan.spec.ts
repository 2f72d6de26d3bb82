/// <reference types="jest" />
import { planProblems } from './plan';
import type { Plan, PriceBand } from './plan';
import { gold as goldWithoutMinimum } from './__fixtures__/plans';

const gold: Plan = { ...goldWithoutMinimum, minimumCommitMinor: 50_000 };

const withDirect = (direct: readonly PriceBand[]): Plan => ({
  ...gold,
  prices: { ...gold.prices, direct },
});

const pathsOf = (plan: Plan): string[] => planProblems(plan).map(({ path }) => path);

describe('planProblems', () => {
  it('finds nothing wrong with a valid plan', () => {
    expect(planProblems(gold)).toEqual([]);
    const bare: Plan = { ...gold, minimumCommitMinor: 0, creditScope: 'tenant', creditTiers: [] };
    expect(planProblems(bare)).toEqual([]);
  });

  it('accepts a free band and a price with 9 fraction digits', () => {
    const direct = [
      { upToGiBHours: 10, unitPrice: '0' },
      { upToGiBHours: null, unitPrice: '0.000000001' },
    ];
    expect(planProblems(withDirect(direct))).toEqual([]);
  });

  it.each(['XYZ', 'usd', '', 'toString'])('refuses currency %p', (currency) => {
    expect(pathsOf({ ...gold, currency })).toEqual(['currency']);
  });

  it('refuses an empty id', () => {
    expect(pathsOf({ ...gold, id: '' })).toEqual(['id']);
  });

  it('needs at least one band per tier', () => {
    expect(pathsOf({ ...gold, prices: { ...gold.prices, pooled: [] } })).toEqual(['prices.pooled']);
  });

  it('needs the last band unbounded and only the last', () => {
    expect(pathsOf(withDirect([{ upToGiBHours: 1000, unitPrice: '0.01' }]))).toEqual([
      'prices.direct[0].upToGiBHours',
    ]);
    const problems = planProblems(
      withDirect([
        { upToGiBHours: null, unitPrice: '0.01' },
        { upToGiBHours: null, unitPrice: '0.02' },
      ]),
    );
    expect(problems).toEqual([
      {
        path: 'prices.direct[0].upToGiBHours',
        message: 'only the last band may be unbounded (null)',
      },
    ]);
  });

  it.each([
    ['zero', [0, 10]],
    ['negative', [-5, 10]],
    ['fractional', [1.5, 10]],
    ['unsafe', [2 ** 53, 2 ** 54]],
    ['equal', [10, 10]],
    ['decreasing', [10, 5]],
  ])('refuses %s thresholds', (_label, [first = 0, second = 0]) => {
    const problems = planProblems(
      withDirect([
        { upToGiBHours: first, unitPrice: '0.03' },
        { upToGiBHours: second, unitPrice: '0.02' },
        { upToGiBHours: null, unitPrice: '0.01' },
      ]),
    );
    expect(problems.length).toBeGreaterThan(0);
    const threshold = /^prices\.direct\[[01]\]\.upToGiBHours$/;
    expect(problems.every(({ path }) => threshold.test(path))).toBe(true);
  });

  it('names the band whose threshold does not increase', () => {
    expect(
      pathsOf(
        withDirect([
          { upToGiBHours: 100, unitPrice: '0.03' },
          { upToGiBHours: 100, unitPrice: '0.02' },
          { upToGiBHours: null, unitPrice: '0.01' },
        ]),
      ),
    ).toEqual(['prices.direct[1].upToGiBHours']);
  });

  it.each(['-0.01', '1e-3', '', '0.0000000001', '.5', 'free'])(
    'refuses unit price %p',
    (unitPrice) => {
      expect(pathsOf(withDirect([{ upToGiBHours: null, unitPrice }]))).toEqual([
        'prices.direct[0].unitPrice',
      ]);
    },
  );

  it.each([-1, 1.5, Number.NaN, 2 ** 53])('refuses minimumCommitMinor %p', (minimumCommitMinor) => {
    expect(pathsOf({ ...gold, minimumCommitMinor })).toEqual(['minimumCommitMinor']);
  });

  it('refuses an unknown credit scope', () => {
    const plan = { ...gold, creditScope: 'global' } as unknown as Plan;
    expect(pathsOf(plan)).toEqual(['creditScope']);
  });

  it('reports the credit-tier check in its own words', () => {
    const creditTiers = [
      { belowUptimePct: '99', creditPct: 10 },
      { belowUptimePct: '99.9', creditPct: 25 },
    ];
    const problems = planProblems({ ...gold, creditTiers });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe('creditTiers');
    expect(problems[0]?.message).toMatch(/tier 1: belowUptimePct '99.9' must be below/);
  });

  it('lists every problem at once', () => {
    const plan: Plan = {
      ...gold,
      currency: 'ABC',
      minimumCommitMinor: -1,
      prices: { direct: [], pooled: [{ upToGiBHours: null, unitPrice: 'x' }] },
    };
    expect(pathsOf(plan)).toEqual([
      'currency',
      'prices.direct',
      'prices.pooled[0].unitPrice',
      'minimumCommitMinor',
    ]);
  });
});
