import { RatingError, TIERS, currencyMinorDigits } from './money';
import type { Tier } from './money';
import { planProblems } from './plan';
import type { Plan } from './plan';

/** What one expansion used inside one segment of the month. */
export interface ExpansionSegmentUsage {
  readonly expansionId: string;
  readonly tier: Tier;
  /** Σ sizeGiB × seconds of its charged intervals inside the segment. */
  readonly chargedGiBSeconds: bigint;
  /** Seconds it was charged (up) inside the segment. */
  readonly chargedSeconds: number;
  /** Same for degraded intervals: never charged, counted as downtime. */
  readonly degradedGiBSeconds: bigint;
  readonly degradedSeconds: number;
}

/** A stretch of the month `[startSec, endSec)` billed under one plan. */
export interface RatedSegment {
  readonly plan: Plan;
  readonly startSec: number;
  readonly endSec: number;
  readonly usage: readonly ExpansionSegmentUsage[];
}

export interface RatingInput {
  /** Seconds in the calendar month; segment bounds are seconds from its start. */
  readonly periodSeconds: number;
  /** Chronological, disjoint, inside `[0, periodSeconds]`. */
  readonly segments: readonly RatedSegment[];
}

/** A segment whose usage holds one entry per expansion, ordered by tier then expansionId. */
export interface CheckedSegment {
  readonly plan: Plan;
  readonly startSec: number;
  readonly endSec: number;
  readonly usage: readonly ExpansionSegmentUsage[];
}

export interface CheckedInput {
  readonly currency: string;
  readonly minorDigits: number;
  readonly periodSeconds: number;
  readonly segments: readonly CheckedSegment[];
}

function invalidInput(message: string): RatingError {
  return new RatingError('invalid-input', message);
}

const isWholeSeconds = (value: number): boolean => Number.isSafeInteger(value) && value >= 0;
const isGiBSeconds = (value: bigint): boolean => typeof value === 'bigint' && value >= 0n;

/** Tier first (direct before pooled), then expansionId in code-unit order, locale-independent. */
export function compareByTierThenId(
  a: { readonly tier: Tier; readonly expansionId: string },
  b: { readonly tier: Tier; readonly expansionId: string },
): number {
  const byTier = TIERS.indexOf(a.tier) - TIERS.indexOf(b.tier);
  if (byTier !== 0) return byTier;
  if (a.expansionId === b.expansionId) return 0;
  return a.expansionId < b.expansionId ? -1 : 1;
}

function assertUsage(entry: ExpansionSegmentUsage, where: string): void {
  if (typeof entry.expansionId !== 'string' || entry.expansionId === '') {
    throw invalidInput(`${where}: expansionId must be a non-empty string`);
  }
  const at = `${where}, expansion '${entry.expansionId}'`;
  if (!TIERS.includes(entry.tier)) {
    throw invalidInput(`${at}: unknown tier '${String(entry.tier)}'`);
  }
  if (!isGiBSeconds(entry.chargedGiBSeconds) || !isGiBSeconds(entry.degradedGiBSeconds)) {
    throw invalidInput(`${at}: GiB-seconds must be bigints >= 0`);
  }
  if (!isWholeSeconds(entry.chargedSeconds) || !isWholeSeconds(entry.degradedSeconds)) {
    throw invalidInput(`${at}: charged and degraded seconds must be whole numbers >= 0`);
  }
}

/** Entries of the same expansion summed; its tier must agree with the rest of the month. */
function mergeUsage(
  segment: RatedSegment,
  where: string,
  tierOf: Map<string, Tier>,
): ExpansionSegmentUsage[] {
  if (!Array.isArray(segment.usage)) throw invalidInput(`${where}: usage must be a list`);
  const merged = new Map<string, ExpansionSegmentUsage>();
  for (const entry of segment.usage) {
    assertUsage(entry, where);
    const knownTier = tierOf.get(entry.expansionId) ?? entry.tier;
    if (knownTier !== entry.tier) {
      throw invalidInput(
        `${where}: expansion '${entry.expansionId}' is both ${knownTier} and ${entry.tier}`,
      );
    }
    tierOf.set(entry.expansionId, entry.tier);
    const seen = merged.get(entry.expansionId);
    merged.set(
      entry.expansionId,
      seen === undefined
        ? { ...entry }
        : {
            ...seen,
            chargedGiBSeconds: seen.chargedGiBSeconds + entry.chargedGiBSeconds,
            chargedSeconds: seen.chargedSeconds + entry.chargedSeconds,
            degradedGiBSeconds: seen.degradedGiBSeconds + entry.degradedGiBSeconds,
            degradedSeconds: seen.degradedSeconds + entry.degradedSeconds,
          },
    );
  }
  const lengthSec = segment.endSec - segment.startSec;
  for (const usage of merged.values()) {
    // One expansion is up or down at any instant, never both, so its seconds fit the segment.
    if (usage.chargedSeconds + usage.degradedSeconds > lengthSec) {
      throw invalidInput(
        `${where}: expansion '${usage.expansionId}' has more charged and degraded seconds ` +
          `than the segment's ${lengthSec}`,
      );
    }
  }
  return [...merged.values()].sort(compareByTierThenId);
}

function assertPlan(plan: Plan, where: string): void {
  const problems = planProblems(plan);
  if (problems.length > 0) {
    const detail = problems.map(({ path, message }) => `${path}: ${message}`).join('; ');
    throw new RatingError(
      'invalid-plan',
      `${where}: plan '${String(plan.id)}' is invalid: ${detail}`,
    );
  }
}

/** Validates the whole month before anything is priced; throws RatingError on the first fault. */
export function checkRatingInput(input: RatingInput): CheckedInput {
  const { periodSeconds, segments } = input;
  if (!Number.isSafeInteger(periodSeconds) || periodSeconds <= 0) {
    throw invalidInput(`periodSeconds must be a whole number > 0, got ${periodSeconds}`);
  }
  if (!Array.isArray(segments) || segments.length === 0) {
    throw invalidInput('a month needs at least one segment to rate');
  }
  const tierOf = new Map<string, Tier>();
  let previousEndSec = 0;
  let currency: string | undefined;
  const checked = segments.map((segment, i): CheckedSegment => {
    const where = `segment ${i}`;
    assertPlan(segment.plan, where);
    currency ??= segment.plan.currency;
    if (segment.plan.currency !== currency) {
      throw invalidInput(
        `${where}: plan '${segment.plan.id}' is priced in ${segment.plan.currency}, ` +
          `the month so far in ${currency}`,
      );
    }
    const { startSec, endSec } = segment;
    if (!isWholeSeconds(startSec) || !Number.isSafeInteger(endSec) || endSec <= startSec) {
      throw invalidInput(
        `${where}: needs whole seconds 0 <= startSec < endSec, got [${startSec}, ${endSec})`,
      );
    }
    if (startSec < previousEndSec || endSec > periodSeconds) {
      throw invalidInput(
        `${where}: [${startSec}, ${endSec}) must start at or after ${previousEndSec} ` +
          `and end by periodSeconds = ${periodSeconds}`,
      );
    }
    previousEndSec = endSec;
    return { plan: segment.plan, startSec, endSec, usage: mergeUsage(segment, where, tierOf) };
  });
  const minorDigits = currencyMinorDigits(currency ?? '');
  if (currency === undefined || minorDigits === undefined) {
    throw invalidInput('the month has no currency'); // unreachable: assertPlan checked it
  }
  return { currency, minorDigits, periodSeconds, segments: checked };
}
