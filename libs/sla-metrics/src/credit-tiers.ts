import { compareDecimals, parsePlainDecimal } from './decimal';
import type { ScaledDecimal } from './decimal';

/** Every way the credit-tier maths refuses an input, as a stable code. */
export type CreditTierErrorCode = 'invalid-tiers' | 'invalid-uptime';

export class CreditTierError extends Error {
  override readonly name = 'CreditTierError';

  constructor(
    readonly code: CreditTierErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Uptime strictly below `belowUptimePct` earns `creditPct` of the monthly charge. The threshold
 * is a decimal string (`'99.99'`) so that it is compared exactly, never as a binary fraction.
 */
export interface CreditTier {
  readonly belowUptimePct: string;
  readonly creditPct: number;
}

/** Measured downtime over a window, in whole milliseconds (what `monthlyUptime` returns). */
export interface UptimeMeasurement {
  readonly downtimeMs: number;
  readonly windowMs: number;
}

export interface CreditDecision {
  readonly creditPct: number;
  /** The most severe tier the uptime falls in, or `null` when no credit is due. */
  readonly tier: CreditTier | null;
}

/** < 99.99% → 10%, < 99% → 25%, < 95% → 100%. */
export const DEFAULT_CREDIT_TIERS: readonly CreditTier[] = Object.freeze([
  Object.freeze({ belowUptimePct: '99.99', creditPct: 10 }),
  Object.freeze({ belowUptimePct: '99', creditPct: 25 }),
  Object.freeze({ belowUptimePct: '95', creditPct: 100 }),
]);

const ONE_HUNDRED: ScaledDecimal = { units: 100n, scale: 0 };

function invalidTiers(message: string): CreditTierError {
  return new CreditTierError('invalid-tiers', message);
}

/**
 * Throws unless thresholds are plain decimals in (0, 100], strictly decreasing, and credit
 * percentages lie in [0, 100] and never decrease; use it to check tiers when they are configured.
 */
export function validateCreditTiers(tiers: readonly CreditTier[]): void {
  parseThresholds(tiers);
}

function parseThresholds(tiers: readonly CreditTier[]): ScaledDecimal[] {
  const thresholds: ScaledDecimal[] = [];
  tiers.forEach(({ belowUptimePct, creditPct }, i) => {
    const threshold = parsePlainDecimal(belowUptimePct);
    const inRange =
      threshold !== undefined &&
      threshold.units > 0n &&
      compareDecimals(threshold, ONE_HUNDRED) <= 0;
    if (!inRange) {
      throw invalidTiers(
        `tier ${i}: belowUptimePct must be a plain decimal string in (0, 100] ` +
          `such as '99.95', got '${belowUptimePct}'`,
      );
    }
    if (!Number.isFinite(creditPct) || creditPct < 0 || creditPct > 100) {
      throw invalidTiers(`tier ${i}: creditPct must be a number in [0, 100], got ${creditPct}`);
    }
    const previous = tiers[i - 1];
    const previousThreshold = thresholds[i - 1];
    if (previous !== undefined && previousThreshold !== undefined) {
      if (compareDecimals(threshold, previousThreshold) >= 0) {
        throw invalidTiers(
          `tier ${i}: belowUptimePct '${belowUptimePct}' must be below ` +
            `the previous tier's '${previous.belowUptimePct}'`,
        );
      }
      if (creditPct < previous.creditPct) {
        throw invalidTiers(
          `tier ${i}: creditPct ${creditPct} must not be below ` +
            `the previous tier's ${previous.creditPct}`,
        );
      }
    }
    thresholds.push(threshold);
  });
  return thresholds;
}

function assertMeasurement({ downtimeMs, windowMs }: UptimeMeasurement): void {
  if (!Number.isSafeInteger(windowMs) || windowMs <= 0) {
    throw new CreditTierError(
      'invalid-uptime',
      `windowMs must be a whole number > 0, got ${windowMs}`,
    );
  }
  if (!Number.isSafeInteger(downtimeMs) || downtimeMs < 0 || downtimeMs > windowMs) {
    throw new CreditTierError(
      'invalid-uptime',
      `downtimeMs must be a whole number in [0, windowMs = ${windowMs}], got ${downtimeMs}`,
    );
  }
}

/** The credit earned by `measurement`: the most severe tier whose threshold uptime is below. */
export function creditPctFor(
  measurement: UptimeMeasurement,
  tiers: readonly CreditTier[] = DEFAULT_CREDIT_TIERS,
): CreditDecision {
  assertMeasurement(measurement);
  const thresholds = parseThresholds(tiers);
  const uptimeMs = BigInt(measurement.windowMs - measurement.downtimeMs);
  const windowMs = BigInt(measurement.windowMs);
  let decision: CreditDecision = { creditPct: 0, tier: null };
  thresholds.forEach((threshold, i) => {
    const tier = tiers[i];
    // uptimeMs / windowMs < units / (100 · 10^scale), cross-multiplied so nothing is rounded.
    const isBelow = uptimeMs * 100n * 10n ** BigInt(threshold.scale) < threshold.units * windowMs;
    if (tier !== undefined && isBelow) decision = { creditPct: tier.creditPct, tier };
  });
  return decision;
}
