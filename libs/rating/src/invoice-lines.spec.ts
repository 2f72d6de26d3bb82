/// <reference types="jest" />
import {
  finishLine,
  minimumLine,
  priceAmountMinor,
  sumAmounts,
  tierGiBSeconds,
  usageLines,
  volumeLines,
} from './invoice-lines';
import type { DraftLine } from './invoice-lines';
import { RatingError } from './money';
import type { Tier } from './money';
import type { Plan } from './plan';
import { HOUR, MONTH, gold } from './__fixtures__/plans';
import type { CheckedSegment, ExpansionSegmentUsage } from './rating-input';


const charged = (expansionId: string, tier: Tier, gibHours: number): ExpansionSegmentUsage => ({
  expansionId,
  tier,
  chargedGiBSeconds: BigInt(gibHours) * 3600n,
  chargedSeconds: HOUR,
  degradedGiBSeconds: 0n,
  degradedSeconds: 0,
});

const segment = (usage: readonly ExpansionSegmentUsage[], plan: Plan = gold): CheckedSegment => ({
  plan,
  startSec: 0,
  endSec: MONTH,
  usage,
});

const NONE_BEFORE: Readonly<Record<Tier, bigint>> = { direct: 0n, pooled: 0n };

describe('priceAmountMinor', () => {
  it('prices GiB-seconds per GiB-hour in minor units, halves away from zero', () => {
    expect(priceAmountMinor(3600n, { units: 12n, scale: 3 }, 2)).toBe(1n); // 1.2 cents
    expect(priceAmountMinor(1800n, { units: 1n, scale: 2 }, 2)).toBe(1n); // 0.5 cent
    expect(priceAmountMinor(1800n, { units: -1n, scale: 2 }, 2)).toBe(-1n); // -0.5 cent
    expect(priceAmountMinor(3_603_600n, { units: 45n, scale: 4 }, 3)).toBe(4505n); // 4504.5 fils
    expect(priceAmountMinor(0n, { units: 7n, scale: 0 }, 0)).toBe(0n);
  });
});

describe('usageLines', () => {
  it('prices each expansion with charged usage at the first band, skipping idle ones', () => {
    const usage = [
      charged('d-1', 'direct', 3500),
      charged('d-idle', 'direct', 0),
      charged('p-1', 'pooled', 100),
    ];
    const lines = usageLines(segment(usage), 2);
    const priced = lines.map(({ expansionId, amountMinor, unitPrice }) => [
      expansionId,
      amountMinor,
      unitPrice,
    ]);
    expect(priced).toEqual([
      ['d-1', 4200n, { units: 12n, scale: 3 }],
      ['p-1', 60n, { units: 6n, scale: 3 }],
    ]);
    expect(lines[0]).toMatchObject({
      kind: 'usage',
      planId: 'gold',
      tier: 'direct',
      description: 'direct memory for expansion d-1 (plan gold)',
      quantityGiBSeconds: 12_600_000n,
    });
  });

  it('treats a plan without a band as invalid rather than pricing at zero', () => {
    const broken: Plan = { ...gold, prices: { ...gold.prices, direct: [] } };
    const seg = segment([charged('d-1', 'direct', 1)], broken);
    expect(() => usageLines(seg, 2)).toThrow(RatingError);
  });
});

describe('volumeLines', () => {
  it('adjusts usage that crosses two thresholds in one segment to each band price', () => {
    // 3500 + 2500 = 6000 GiB-hours: 1000 at 0.012, 4000 at 0.010, 1000 at 0.008 = $60.00.
    const seg = segment([charged('d-1', 'direct', 3500), charged('d-2', 'direct', 2500)]);
    const usage = usageLines(seg, 2);
    const volume = volumeLines(seg, NONE_BEFORE, 2);
    expect(sumAmounts(usage)).toBe(7200n);
    expect(volume).toEqual([
      {
        kind: 'volume',
        planId: 'gold',
        tier: 'direct',
        expansionId: null,
        description: 'direct GiB-hours 1000–5000 at 0.010 instead of 0.012 (plan gold)',
        quantityGiBSeconds: 14_400_000n,
        unitPrice: { units: -2n, scale: 3 },
        amountMinor: -800n,
      },
      {
        kind: 'volume',
        planId: 'gold',
        tier: 'direct',
        expansionId: null,
        description: 'direct GiB-hours above 5000 at 0.008 instead of 0.012 (plan gold)',
        quantityGiBSeconds: 3_600_000n,
        unitPrice: { units: -4n, scale: 3 },
        amountMinor: -400n,
      },
    ]);
    expect(sumAmounts(usage) + sumAmounts(volume)).toBe(6000n);
  });

  it('starts from where the month counter already stands', () => {
    const seg = segment([charged('d-1', 'direct', 300)]);
    const quantitiesFrom = (direct: bigint, pooled = 0n) =>
      volumeLines(seg, { direct, pooled }, 2).map((line) => line.quantityGiBSeconds);
    expect(quantitiesFrom(800n * 3600n)).toEqual([100n * 3600n]);
    expect(quantitiesFrom(4900n * 3600n)).toEqual([100n * 3600n, 200n * 3600n]);
    expect(quantitiesFrom(0n, 10_000n * 3600n)).toEqual([]);
  });

  it('adds nothing for a single-band tier or usage inside the first band', () => {
    const seg = segment([charged('d-1', 'direct', 999), charged('p-1', 'pooled', 1_000_000)]);
    expect(volumeLines(seg, NONE_BEFORE, 2)).toEqual([]);
  });

  it('counts both tiers separately', () => {
    const seg = segment([
      charged('d-1', 'direct', 10),
      charged('p-1', 'pooled', 20),
      charged('p-2', 'pooled', 5),
    ]);
    expect(tierGiBSeconds(seg)).toEqual({ direct: 36_000n, pooled: 90_000n });
  });
});

describe('minimumLine', () => {
  const committed: Plan = { ...gold, minimumCommitMinor: 50_000 };
  const half = (plan: Plan): CheckedSegment => ({
    plan,
    startSec: MONTH / 2,
    endSec: MONTH,
    usage: [],
  });

  it('tops up to the prorated share of the commitment', () => {
    expect(minimumLine(half(committed), MONTH, 7_680n)).toMatchObject({
      kind: 'minimum',
      planId: 'gold',
      tier: null,
      expansionId: null,
      description: 'minimum commitment shortfall (plan gold)',
      amountMinor: 17_320n,
    });
  });

  it('adds nothing when the charges reach the share or there is no commitment', () => {
    expect(minimumLine(half(committed), MONTH, 25_000n)).toBeNull();
    expect(minimumLine(half(gold), MONTH, 0n)).toBeNull();
  });

  it('rounds the share half away from zero', () => {
    const oneCent: Plan = { ...gold, minimumCommitMinor: 1 };
    expect(minimumLine(half(oneCent), MONTH, 0n)?.amountMinor).toBe(1n);
  });
});

describe('finishLine', () => {
  const draft: DraftLine = {
    kind: 'volume',
    planId: 'gold',
    tier: 'direct',
    expansionId: null,
    description: 'x',
    quantityGiBSeconds: 1n,
    unitPrice: { units: -20n, scale: 4 },
    amountMinor: -3n,
  };

  it('writes quantities exactly and GiB-hours with six decimals', () => {
    expect(finishLine(draft)).toEqual({
      kind: 'volume',
      planId: 'gold',
      tier: 'direct',
      expansionId: null,
      description: 'x',
      quantityGiBSeconds: '1',
      quantityGiBHours: '0.000278',
      unitPrice: '-0.002',
      amountMinor: -3,
    });
    const hoursOf = (quantityGiBSeconds: bigint) =>
      finishLine({ ...draft, quantityGiBSeconds }).quantityGiBHours;
    expect(hoursOf(12_600_000n)).toBe('3500.000000');
    expect(hoursOf(5399n)).toBe('1.499722');
  });

  it('leaves quantities and price empty on lines that have none', () => {
    const line = finishLine({
      ...draft,
      kind: 'minimum',
      quantityGiBSeconds: null,
      unitPrice: null,
    });
    expect([line.quantityGiBSeconds, line.quantityGiBHours, line.unitPrice]).toEqual([
      null,
      null,
      null,
    ]);
  });

  it('refuses an amount beyond the safe integer range', () => {
    expect(() => finishLine({ ...draft, amountMinor: 2n ** 53n })).toThrow(RatingError);
  });
});
