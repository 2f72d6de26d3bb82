import {
  RatingError,
  TIERS,
  formatDecimal,
  gibHoursText,
  parseDecimal,
  roundHalfAwayFromZero,
  subtractDecimals,
  toSafeNumber,
} from './money';
import type { Decimal, Tier } from './money';
import type { PriceBand } from './plan';
import type { CheckedSegment } from './rating-input';

export type InvoiceLineKind = 'usage' | 'volume' | 'minimum' | 'credit';

export interface InvoiceLine {
  readonly kind: InvoiceLineKind;
  readonly planId: string;
  readonly tier: Tier | null;
  readonly expansionId: string | null;
  readonly description: string;
  /** An exact integer as a string. */
  readonly quantityGiBSeconds: string | null;
  /** quantityGiBSeconds / 3600 with exactly 6 decimals, rounded half away from zero. */
  readonly quantityGiBHours: string | null;
  /** Per GiB-hour, canonical decimal. */
  readonly unitPrice: string | null;
  /** Negative for credits and volume discounts. */
  readonly amountMinor: number;
}

/** An invoice line while it is still being priced: exact bigints, converted once at the end. */
export interface DraftLine {
  readonly kind: InvoiceLineKind;
  readonly planId: string;
  readonly tier: Tier | null;
  readonly expansionId: string | null;
  readonly description: string;
  readonly quantityGiBSeconds: bigint | null;
  readonly unitPrice: Decimal | null;
  readonly amountMinor: bigint;
}

const SECONDS_PER_HOUR = 3600n;

function priceOf(band: PriceBand): Decimal {
  const price = parseDecimal(band.unitPrice);
  // planProblems has accepted every band before any line is priced.
  if (price === undefined) throw new RatingError('invalid-plan', `bad price '${band.unitPrice}'`);
  return price;
}

/** GiB-seconds at a per-GiB-hour price, in minor units, rounded once, half away from zero. */
export function priceAmountMinor(gibSeconds: bigint, price: Decimal, minorDigits: number): bigint {
  return roundHalfAwayFromZero(
    gibSeconds * price.units * 10n ** BigInt(minorDigits),
    SECONDS_PER_HOUR * 10n ** BigInt(price.scale),
  );
}

/** One line per expansion with charged usage, each GiB-second at the first band's price. */
export function usageLines(segment: CheckedSegment, minorDigits: number): DraftLine[] {
  const { plan } = segment;
  return segment.usage
    .filter(({ chargedGiBSeconds }) => chargedGiBSeconds > 0n)
    .map(({ expansionId, tier, chargedGiBSeconds }): DraftLine => {
      const [firstBand] = plan.prices[tier];
      if (firstBand === undefined) {
        throw new RatingError('invalid-plan', `plan '${plan.id}' has no ${tier} band`);
      }
      const price = priceOf(firstBand);
      return {
        kind: 'usage',
        planId: plan.id,
        tier,
        expansionId,
        description: `${tier} memory for expansion ${expansionId} (plan ${plan.id})`,
        quantityGiBSeconds: chargedGiBSeconds,
        unitPrice: price,
        amountMinor: priceAmountMinor(chargedGiBSeconds, price, minorDigits),
      };
    });
}

/** The segment's charged GiB-seconds per tier, which advance the month's graduated counter. */
export function tierGiBSeconds(segment: CheckedSegment): Record<Tier, bigint> {
  const totals: Record<Tier, bigint> = { direct: 0n, pooled: 0n };
  for (const { tier, chargedGiBSeconds } of segment.usage) totals[tier] += chargedGiBSeconds;
  return totals;
}

function bandRangeText(lowerGiBHours: number, upperGiBHours: number | null): string {
  return upperGiBHours === null
    ? `above ${lowerGiBHours}`
    : `${lowerGiBHours}–${upperGiBHours}`;
}

/**
 * Adjustments for GiB-seconds past the first band: usage lines priced them at band 0, so each
 * band k ≥ 1 adds (price_k − price_0) for the part of this segment's range `[before,
 * before + used)` of the month's tier counter that falls inside it.
 */
export function volumeLines(
  segment: CheckedSegment,
  monthGiBSecondsBefore: Readonly<Record<Tier, bigint>>,
  minorDigits: number,
): DraftLine[] {
  const { plan } = segment;
  const used = tierGiBSeconds(segment);
  const lines: DraftLine[] = [];
  for (const tier of TIERS) {
    const rangeStart = monthGiBSecondsBefore[tier];
    const rangeEnd = rangeStart + used[tier];
    const bands = plan.prices[tier];
    const [firstBand] = bands;
    if (firstBand === undefined || used[tier] === 0n) continue;
    const firstPrice = priceOf(firstBand);
    for (let k = 1; k < bands.length; k += 1) {
      const band = bands[k];
      const lowerGiBHours = bands[k - 1]?.upToGiBHours ?? null;
      if (band === undefined || lowerGiBHours === null) continue;
      const bandStart = BigInt(lowerGiBHours) * SECONDS_PER_HOUR;
      const bandEnd =
        band.upToGiBHours === null ? null : BigInt(band.upToGiBHours) * SECONDS_PER_HOUR;
      const overlapStart = rangeStart > bandStart ? rangeStart : bandStart;
      const overlapEnd = bandEnd !== null && bandEnd < rangeEnd ? bandEnd : rangeEnd;
      const quantity = overlapEnd - overlapStart;
      if (quantity <= 0n) continue;
      const difference = subtractDecimals(priceOf(band), firstPrice);
      lines.push({
        kind: 'volume',
        planId: plan.id,
        tier,
        expansionId: null,
        description:
          `${tier} GiB-hours ${bandRangeText(lowerGiBHours, band.upToGiBHours)} ` +
          `at ${band.unitPrice} instead of ${firstBand.unitPrice} (plan ${plan.id})`,
        quantityGiBSeconds: quantity,
        unitPrice: difference,
        amountMinor: priceAmountMinor(quantity, difference, minorDigits),
      });
    }
  }
  return lines;
}

/**
 * The top-up to the segment's share of the monthly minimum, prorated by its length, or `null`
 * when what the segment already charges covers it.
 */
export function minimumLine(
  segment: CheckedSegment,
  periodSeconds: number,
  chargedMinor: bigint,
): DraftLine | null {
  const { plan } = segment;
  if (plan.minimumCommitMinor === 0) return null;
  const shareMinor = roundHalfAwayFromZero(
    BigInt(plan.minimumCommitMinor) * BigInt(segment.endSec - segment.startSec),
    BigInt(periodSeconds),
  );
  if (chargedMinor >= shareMinor) return null;
  return {
    kind: 'minimum',
    planId: plan.id,
    tier: null,
    expansionId: null,
    description: `minimum commitment shortfall (plan ${plan.id})`,
    quantityGiBSeconds: null,
    unitPrice: null,
    amountMinor: shareMinor - chargedMinor,
  };
}

export function sumAmounts(lines: readonly DraftLine[]): bigint {
  return lines.reduce((sum, line) => sum + line.amountMinor, 0n);
}

/** The line as the invoice shows it: exact quantities as text, the amount as a safe integer. */
export function finishLine(line: DraftLine): InvoiceLine {
  const quantity = line.quantityGiBSeconds;
  return {
    kind: line.kind,
    planId: line.planId,
    tier: line.tier,
    expansionId: line.expansionId,
    description: line.description,
    quantityGiBSeconds: quantity === null ? null : quantity.toString(),
    quantityGiBHours: quantity === null ? null : gibHoursText(quantity),
    unitPrice: line.unitPrice === null ? null : formatDecimal(line.unitPrice),
    amountMinor: toSafeNumber(line.amountMinor, `the amount of '${line.description}'`),
  };
}
