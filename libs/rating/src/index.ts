// The public surface of @mxs/rating; input checking and line builders stay internal.
export {
  CURRENCY_MINOR_DIGITS,
  RatingError,
  TIERS,
  currencyMinorDigits,
  formatDecimal,
  formatMinor,
  gibHoursText,
  parseDecimal,
  roundHalfAwayFromZero,
  subtractDecimals,
} from './money';
export type { Decimal, RatingErrorCode, Tier } from './money';

export { usageIntervals } from './usage-intervals';
export type { MeteredEvent, MeteredInterval, UsageEventType } from './usage-intervals';

export { planProblems } from './plan';
export type { Plan, PlanProblem, PriceBand } from './plan';

export { rateMonth } from './rate-month';
export type { RatedInvoice } from './rate-month';
export type { ExpansionSegmentUsage, RatedSegment, RatingInput } from './rating-input';
export type { InvoiceLine, InvoiceLineKind } from './invoice-lines';
export type { UptimeFigure } from './sla-credits';
