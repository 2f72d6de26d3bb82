import {
  finishLine,
  minimumLine,
  sumAmounts,
  tierGiBSeconds,
  usageLines,
  volumeLines,
} from './invoice-lines';
import type { DraftLine, InvoiceLine } from './invoice-lines';
import { TIERS, toSafeNumber } from './money';
import type { Tier } from './money';
import { checkRatingInput } from './rating-input';
import type { RatingInput } from './rating-input';
import { capCredits, slaCredits } from './sla-credits';
import type { UptimeFigure } from './sla-credits';

/** One tenant's month, priced: every total is the sum of its line amounts. */
export interface RatedInvoice {
  readonly currency: string;
  readonly minorDigits: number;
  readonly lines: readonly InvoiceLine[];
  /** Σ usage + volume + minimum lines. */
  readonly chargesMinor: number;
  /** Σ credit lines (≤ 0). */
  readonly creditsMinor: number;
  /** Σ all lines. */
  readonly totalMinor: number;
  /** Per expansion (scope 'expansion'), or one figure with expansionId null (scope 'tenant'). */
  readonly uptime: readonly UptimeFigure[];
}

/**
 * Prices one tenant's month: per segment its usage, graduated-band adjustments and minimum
 * top-up, then SLA credits capped at the charges. Money is rounded once per line.
 */
export function rateMonth(input: RatingInput): RatedInvoice {
  const { currency, minorDigits, periodSeconds, segments } = checkRatingInput(input);
  const charges: DraftLine[] = [];
  // The graduated bands apply to the month's total, so the counter runs across segments.
  const monthGiBSeconds: Record<Tier, bigint> = { direct: 0n, pooled: 0n };
  for (const segment of segments) {
    const usage = usageLines(segment, minorDigits);
    const volume = volumeLines(segment, monthGiBSeconds, minorDigits);
    const minimum = minimumLine(segment, periodSeconds, sumAmounts(usage) + sumAmounts(volume));
    charges.push(...usage, ...volume, ...(minimum === null ? [] : [minimum]));
    const used = tierGiBSeconds(segment);
    for (const tier of TIERS) monthGiBSeconds[tier] += used[tier];
  }
  const chargesMinor = sumAmounts(charges);
  const credits = slaCredits(segments, charges);
  const credited = capCredits(credits.lines, chargesMinor, minorDigits);
  const creditsMinor = sumAmounts(credited);
  return {
    currency,
    minorDigits,
    lines: [...charges, ...credited].map(finishLine),
    chargesMinor: toSafeNumber(chargesMinor, 'the charges'),
    creditsMinor: toSafeNumber(creditsMinor, 'the credits'),
    totalMinor: toSafeNumber(chargesMinor + creditsMinor, 'the total'),
    uptime: credits.uptime,
  };
}
