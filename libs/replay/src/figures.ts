import { nearestRank } from '@mxs/sla-metrics';
import type { Tier } from '@mxs/topology';
import { ReplayError } from './errors';
import type { Percentiles, TierRevenue } from './report';

/** List prices a replay's revenue is figured at: decimal strings per GiB-hour, by tier. */
export interface ListPrices {
  readonly currency: string;
  /** Digits of the minor unit (2 for cents). */
  readonly minorDigits: number;
  readonly perGiBHour: Readonly<Record<Tier, string>>;
}

/** Pooled memory sells for less than direct: it is slower and shared. Parameters, not truths. */
export const DEFAULT_LIST_PRICES: ListPrices = { currency: 'USD', minorDigits: 2, perGiBHour: { direct: '0.0080', pooled: '0.0050' } };

/** Capacity a placement held: `sizeGiB` of one tier for `seconds`. */
export interface Hold {
  readonly tier: Tier;
  readonly sizeGiB: number;
  readonly seconds: number;
}

const TIERS: readonly Tier[] = ['direct', 'pooled'];
const MS_PER_HOUR = 3_600_000n;
const PLAIN_DECIMAL = /^(\d{1,12})(?:\.(\d{1,12}))?$/;

/**
 * GiB-hours and their amount at list price, by tier. Exact: holds are summed as whole
 * GiB·milliseconds in integers and each tier's amount is rounded once (half up) to the minor unit.
 */
export function revenueByTier(holds: readonly Hold[], prices: ListPrices = DEFAULT_LIST_PRICES): Record<Tier, TierRevenue> {
  const rates = parsePrices(prices);
  const gibMs: Record<Tier, bigint> = { direct: 0n, pooled: 0n };
  for (const h of holds) {
    if (!Number.isSafeInteger(h.sizeGiB) || h.sizeGiB < 0 || !(Number.isFinite(h.seconds) && h.seconds >= 0)) {
      throw new ReplayError('invalid-replay-options', `a hold needs whole GiB >= 0 and seconds >= 0, got ${h.sizeGiB} GiB for ${h.seconds} s`);
    }
    gibMs[h.tier] += BigInt(h.sizeGiB) * BigInt(Math.round(h.seconds * 1000));
  }
  const out = {} as Record<Tier, TierRevenue>;
  for (const tier of TIERS) {
    const rate = rates[tier];
    // amount (minor) = GiB·ms × price × 10^minor / (3.6e6 ms/h × 10^scale)
    const numerator = gibMs[tier] * rate.units * 10n ** BigInt(prices.minorDigits);
    const denominator = MS_PER_HOUR * 10n ** BigInt(rate.scale);
    out[tier] = { gibHours: Number(gibMs[tier]) / Number(MS_PER_HOUR), amountMinor: Number((2n * numerator + denominator) / (2n * denominator)) };
  }
  return out;
}

/** Checks list prices; throws `invalid-prices` naming what is wrong. */
export function parsePrices(prices: ListPrices): Record<Tier, { readonly units: bigint; readonly scale: number }> {
  if (!Number.isInteger(prices.minorDigits) || prices.minorDigits < 0 || prices.minorDigits > 6) {
    throw new ReplayError('invalid-prices', `minorDigits must be an integer in 0..6, got ${prices.minorDigits}`);
  }
  if (!/^[A-Z]{3}$/.test(prices.currency)) throw new ReplayError('invalid-prices', `currency must be an ISO 4217 code such as USD, got "${prices.currency}"`);
  const rate = (tier: Tier) => {
    const text = prices.perGiBHour[tier];
    const match = typeof text === 'string' ? PLAIN_DECIMAL.exec(text) : null;
    if (match === null) throw new ReplayError('invalid-prices', `perGiBHour.${tier} must be a plain decimal string such as "0.0080", got ${JSON.stringify(text)}`);
    const [, whole = '', fraction = ''] = match;
    return { units: BigInt(whole + fraction), scale: fraction.length };
  };
  return { direct: rate('direct'), pooled: rate('pooled') };
}

/** Nearest-rank percentiles (the smallest value with at least p% of the values at or below it). */
export function percentiles(values: readonly number[]): Percentiles {
  if (values.length === 0) return { count: 0, p50: 0, p95: 0, p99: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: nearestRank(sorted, 50), p95: nearestRank(sorted, 95), p99: nearestRank(sorted, 99), max: sorted[sorted.length - 1] as number };
}

/** A value that holds from `atSec` until the next point's time. */
export interface StepPoint {
  readonly atSec: number;
  readonly value: number;
}

/**
 * The time-weighted mean of a step function: each point's value holds until the next point,
 * the last until `endSec` (default: its own time, so it weighs nothing). Points in time order.
 * 0 without points; the last value when they span no time.
 */
export function timeWeightedMean(points: readonly StepPoint[], endSec?: number): number {
  const last = points[points.length - 1];
  if (last === undefined) return 0;
  const end = endSec ?? last.atSec;
  let weighted = 0;
  for (let i = 0; i < points.length; i++) {
    const p = points[i] as StepPoint;
    const until = i + 1 < points.length ? (points[i + 1] as StepPoint).atSec : end;
    if (until < p.atSec) throw new ReplayError('invalid-replay-options', `step points must be in time order and end at or after the last (${until} < ${p.atSec})`);
    weighted += p.value * (until - p.atSec);
  }
  const span = end - (points[0] as StepPoint).atSec;
  return span === 0 ? last.value : weighted / span;
}
