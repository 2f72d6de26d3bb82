import { decimalOfNumber } from './decimal';
import type { ScaledDecimal } from './decimal';

/** Every way the SLO maths refuses an input, as a stable code. */
export type SloErrorCode =
  | 'invalid-objective'
  | 'invalid-count'
  | 'invalid-time'
  | 'invalid-window'
  | 'invalid-alert';

export class SloError extends Error {
  override readonly name = 'SloError';

  constructor(
    readonly code: SloErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Good and bad events counted in the bucket that ends at `atMs`. */
export interface SloBucket {
  readonly atMs: number;
  readonly good: number;
  readonly bad: number;
}

export interface SloEventCounts {
  readonly good: number;
  readonly bad: number;
}

export interface ErrorBudget {
  /** Bad events the objective allows for this many events. */
  readonly allowedBad: number;
  /** Share of the budget spent; above 1 when overspent. */
  readonly consumedFraction: number;
  /** `1 - consumedFraction`; negative when overspent. */
  readonly remainingFraction: number;
}

/** Fires when the burn rate over both `longMs` and `shortMs` is at least `factor`. */
export interface BurnAlert {
  readonly name: string;
  readonly factor: number;
  readonly longMs: number;
  readonly shortMs: number;
}

export interface BurnAlertStatus {
  readonly name: string;
  readonly factor: number;
  readonly longBurn: number;
  readonly shortBurn: number;
  readonly firing: boolean;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** The SRE workbook's multi-window, multi-burn-rate alerts for a 30-day SLO. */
export const DEFAULT_BURN_ALERTS: readonly BurnAlert[] = Object.freeze([
  Object.freeze({ name: 'page-fast', factor: 14.4, longMs: HOUR_MS, shortMs: 5 * MINUTE_MS }),
  Object.freeze({ name: 'page-slow', factor: 6, longMs: 6 * HOUR_MS, shortMs: 30 * MINUTE_MS }),
  Object.freeze({ name: 'ticket', factor: 1, longMs: 72 * HOUR_MS, shortMs: 6 * HOUR_MS }),
]);

/** A burn rate kept as an exact fraction: `1 - 0.999` is not 0.001 in floating point. */
interface ExactBurn {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/** `1 - objective` as `budgetUnits / scaleFactor`. */
interface ExactBudget {
  readonly budgetUnits: bigint;
  readonly scaleFactor: bigint;
}

/** The objective as the decimal it was written as (0.999 means 999/1000), so budgets are exact. */
function parseObjective(objective: number): ExactBudget {
  const exact = objective > 0 && objective < 1 ? decimalOfNumber(objective) : undefined;
  if (exact === undefined) {
    throw new SloError(
      'invalid-objective',
      `objective must be a number in (0, 1), got ${objective}`,
    );
  }
  const scaleFactor = 10n ** BigInt(exact.scale);
  return { budgetUnits: scaleFactor - exact.units, scaleFactor };
}

function assertCount(name: string, count: number): void {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new SloError('invalid-count', `${name} must be a whole number >= 0, got ${count}`);
  }
}

function exactBurn(budget: ExactBudget, good: bigint, bad: bigint): ExactBurn {
  const { budgetUnits, scaleFactor } = budget;
  // (bad / total) / (budgetUnits / scaleFactor)
  return { numerator: bad * scaleFactor, denominator: (good + bad) * budgetUnits };
}

function burnToNumber({ numerator, denominator }: ExactBurn): number {
  return denominator === 0n ? 0 : Number(numerator) / Number(denominator);
}

function burnAtLeast({ numerator, denominator }: ExactBurn, factor: ScaledDecimal): boolean {
  return denominator > 0n && numerator * 10n ** BigInt(factor.scale) >= factor.units * denominator;
}

/** The budget `good + bad` events leave; feed it `eventsInWindow` over the SLO period. */
export function errorBudget(input: { objective: number; good: number; bad: number }): ErrorBudget {
  const budget = parseObjective(input.objective);
  assertCount('good', input.good);
  assertCount('bad', input.bad);
  const good = BigInt(input.good);
  const bad = BigInt(input.bad);
  const consumedFraction = burnToNumber(exactBurn(budget, good, bad));
  return {
    allowedBad: Number((good + bad) * budget.budgetUnits) / Number(budget.scaleFactor),
    consumedFraction,
    remainingFraction: 1 - consumedFraction,
  };
}

function countInWindow(
  buckets: readonly SloBucket[],
  nowMs: number,
  windowMs: number,
): { good: bigint; bad: bigint } {
  if (!Number.isSafeInteger(nowMs)) {
    throw new SloError('invalid-time', `nowMs must be whole epoch ms, got ${nowMs}`);
  }
  if (!Number.isSafeInteger(windowMs) || windowMs <= 0) {
    throw new SloError('invalid-window', `windowMs must be a whole number > 0, got ${windowMs}`);
  }
  let good = 0n;
  let bad = 0n;
  for (const bucket of buckets) {
    if (!Number.isSafeInteger(bucket.atMs)) {
      throw new SloError('invalid-time', `bucket atMs must be whole epoch ms, got ${bucket.atMs}`);
    }
    assertCount('good', bucket.good);
    assertCount('bad', bucket.bad);
    // Window is (nowMs - windowMs, nowMs]: a bucket stamped at its end belongs to one window.
    if (bucket.atMs > nowMs - windowMs && bucket.atMs <= nowMs) {
      good += BigInt(bucket.good);
      bad += BigInt(bucket.bad);
    }
  }
  return { good, bad };
}

/** Good and bad events in buckets with `nowMs - windowMs < atMs <= nowMs`. */
export function eventsInWindow(
  buckets: readonly SloBucket[],
  nowMs: number,
  windowMs: number,
): SloEventCounts {
  const { good, bad } = countInWindow(buckets, nowMs, windowMs);
  return { good: Number(good), bad: Number(bad) };
}

/** Error rate over `(nowMs - windowMs, nowMs]` divided by `1 - objective`; 0 with no events. */
export function burnRate(
  buckets: readonly SloBucket[],
  objective: number,
  nowMs: number,
  windowMs: number,
): number {
  const budget = parseObjective(objective);
  const { good, bad } = countInWindow(buckets, nowMs, windowMs);
  return burnToNumber(exactBurn(budget, good, bad));
}

function parseAlert(alert: BurnAlert): ScaledDecimal {
  const { name, factor, longMs, shortMs } = alert;
  const exactFactor = factor > 0 ? decimalOfNumber(factor) : undefined;
  const windowsOk =
    Number.isSafeInteger(shortMs) &&
    Number.isSafeInteger(longMs) &&
    shortMs > 0 &&
    shortMs <= longMs;
  if (name.length === 0 || exactFactor === undefined || !windowsOk) {
    throw new SloError(
      'invalid-alert',
      `alert '${name}' needs a name, factor > 0 and whole 0 < shortMs <= longMs; ` +
        `got factor ${factor}, shortMs ${shortMs}, longMs ${longMs}`,
    );
  }
  return exactFactor;
}

/** Each alert fires iff the burn rates over its long and short windows both reach its factor. */
export function evaluateBurnAlerts(
  buckets: readonly SloBucket[],
  objective: number,
  nowMs: number,
  alerts: readonly BurnAlert[] = DEFAULT_BURN_ALERTS,
): BurnAlertStatus[] {
  const budget = parseObjective(objective);
  return alerts.map((alert) => {
    const factor = parseAlert(alert);
    const long = countInWindow(buckets, nowMs, alert.longMs);
    const short = countInWindow(buckets, nowMs, alert.shortMs);
    const longBurn = exactBurn(budget, long.good, long.bad);
    const shortBurn = exactBurn(budget, short.good, short.bad);
    return {
      name: alert.name,
      factor: alert.factor,
      longBurn: burnToNumber(longBurn),
      shortBurn: burnToNumber(shortBurn),
      // Decided on exact fractions, so a burn of exactly 14.4 fires at 14.4.
      firing: burnAtLeast(longBurn, factor) && burnAtLeast(shortBurn, factor),
    };
  });
}
