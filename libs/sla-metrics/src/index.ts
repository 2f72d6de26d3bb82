// The public surface of @mxs/sla-metrics; `decimal.ts` stays internal.
export {
  LATENCY_MAX_MS,
  LATENCY_MIN_MS,
  LatencyHistogram,
  LatencyHistogramError,
} from './latency-histogram';
export type { LatencyHistogramErrorCode, LatencySummary } from './latency-histogram';

export {
  AvailabilityError,
  availability,
  downtimeMs,
  mergeIntervals,
  monthWindowUtc,
  monthlyUptime,
} from './availability';
export type {
  AvailabilityErrorCode,
  DowntimeInterval,
  MeasurementWindow,
  MonthlyUptime,
} from './availability';

export {
  CreditTierError,
  DEFAULT_CREDIT_TIERS,
  creditPctFor,
  validateCreditTiers,
} from './credit-tiers';
export type {
  CreditDecision,
  CreditTier,
  CreditTierErrorCode,
  UptimeMeasurement,
} from './credit-tiers';

export {
  DEFAULT_BURN_ALERTS,
  SloError,
  burnRate,
  errorBudget,
  evaluateBurnAlerts,
  eventsInWindow,
} from './slo';
export type {
  BurnAlert,
  BurnAlertStatus,
  ErrorBudget,
  SloBucket,
  SloErrorCode,
  SloEventCounts,
} from './slo';

export * from './capacity';
export * from './nearest-rank';
