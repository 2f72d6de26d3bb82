import { CreditTierError, validateCreditTiers } from '@mxs/sla-metrics';
import type { CreditTier } from '@mxs/sla-metrics';
import { TIERS, currencyMinorDigits, parseDecimal } from './money';
import type { Tier } from './money';

/** A graduated band: GiB-hours up to `upToGiBHours` (`null`: unbounded) cost `unitPrice` each. */
export interface PriceBand {
  readonly upToGiBHours: number | null;
  /** Per GiB-hour, a decimal string >= 0 such as '0.012'. */
  readonly unitPrice: string;
}

export interface Plan {
  readonly id: string;
  /** ISO 4217 code from CURRENCY_MINOR_DIGITS. */
  readonly currency: string;
  /** Graduated bands on the month's GiB-hours of that tier. */
  readonly prices: Readonly<Record<Tier, readonly PriceBand[]>>;
  /** Monthly minimum in minor units, 0 = none. */
  readonly minimumCommitMinor: number;
  readonly creditScope: 'expansion' | 'tenant';
  readonly creditTiers: readonly CreditTier[];
}

export interface PlanProblem {
  readonly path: string;
  readonly message: string;
}

/** A price finer than a nano-unit per GiB-hour cannot be billed meaningfully. */
const MAX_PRICE_FRACTION_DIGITS = 9;

function bandProblems(tier: Tier, bands: readonly PriceBand[]): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const at = `prices.${tier}`;
  if (!Array.isArray(bands) || bands.length === 0) {
    return [{ path: at, message: 'needs at least one price band' }];
  }
  let previousUpTo = 0;
  bands.forEach((band, i) => {
    const isLast = i === bands.length - 1;
    const { upToGiBHours, unitPrice } = band;
    if (isLast && upToGiBHours !== null) {
      problems.push({
        path: `${at}[${i}].upToGiBHours`,
        message: `the last band must be unbounded (null), got ${upToGiBHours}`,
      });
    } else if (!isLast && upToGiBHours === null) {
      problems.push({
        path: `${at}[${i}].upToGiBHours`,
        message: 'only the last band may be unbounded (null)',
      });
    } else if (!isLast) {
      if (!Number.isSafeInteger(upToGiBHours) || upToGiBHours <= previousUpTo) {
        problems.push({
          path: `${at}[${i}].upToGiBHours`,
          message:
            `must be a whole number of GiB-hours above ${previousUpTo} ` +
            `(bands strictly increase), got ${upToGiBHours}`,
        });
      } else {
        previousUpTo = upToGiBHours;
      }
    }
    const price = typeof unitPrice === 'string' ? parseDecimal(unitPrice) : undefined;
    if (price === undefined || price.units < 0n || price.scale > MAX_PRICE_FRACTION_DIGITS) {
      problems.push({
        path: `${at}[${i}].unitPrice`,
        message:
          `must be a decimal string >= 0 with at most ${MAX_PRICE_FRACTION_DIGITS} ` +
          `fraction digits, such as '0.012', got '${String(unitPrice)}'`,
      });
    }
  });
  return problems;
}

function creditTierProblems(tiers: readonly CreditTier[]): PlanProblem[] {
  if (!Array.isArray(tiers)) return [{ path: 'creditTiers', message: 'must be a list of tiers' }];
  try {
    validateCreditTiers(tiers);
    return [];
  } catch (error) {
    if (error instanceof CreditTierError) return [{ path: 'creditTiers', message: error.message }];
    throw error;
  }
}

/** Everything wrong with `plan`, each at the path of the offending field; `[]` when it is valid. */
export function planProblems(plan: Plan): PlanProblem[] {
  const problems: PlanProblem[] = [];
  if (typeof plan.id !== 'string' || plan.id === '') {
    problems.push({ path: 'id', message: 'must be a non-empty string' });
  }
  if (typeof plan.currency !== 'string' || currencyMinorDigits(plan.currency) === undefined) {
    problems.push({
      path: 'currency',
      message: `must be a supported ISO 4217 code such as 'USD', got '${String(plan.currency)}'`,
    });
  }
  for (const tier of TIERS) problems.push(...bandProblems(tier, plan.prices?.[tier]));
  if (!Number.isSafeInteger(plan.minimumCommitMinor) || plan.minimumCommitMinor < 0) {
    problems.push({
      path: 'minimumCommitMinor',
      message: `must be a whole number of minor units >= 0, got ${plan.minimumCommitMinor}`,
    });
  }
  if (plan.creditScope !== 'expansion' && plan.creditScope !== 'tenant') {
    problems.push({
      path: 'creditScope',
      message: `must be 'expansion' or 'tenant', got '${String(plan.creditScope)}'`,
    });
  }
  problems.push(...creditTierProblems(plan.creditTiers));
  return problems;
}
