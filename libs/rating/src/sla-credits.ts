import { creditPctFor } from '@mxs/sla-metrics';
import type { CreditTier } from '@mxs/sla-metrics';
import { RatingError, formatDecimal, formatMinor, roundHalfAwayFromZero } from './money';
import type { Decimal, Tier } from './money';
import type { DraftLine } from './invoice-lines';
import type { CheckedSegment } from './rating-input';
import { compareByTierThenId } from './rating-input';

/**
 * The uptime a credit was decided on: seconds for one expansion, or GiB-seconds for the whole
 * tenant (`expansionId` null), where a bigger expansion's downtime weighs more.
 */
export interface UptimeFigure {
  readonly expansionId: string | null;
  readonly windowSeconds: number;
  readonly downtimeSeconds: number;
  readonly creditPct: number;
}

export interface SlaCredits {
  readonly uptime: readonly UptimeFigure[];
  readonly lines: readonly DraftLine[];
}

// `String(pct)` writes 1e-7 for tiny percentages; the exponent keeps the decimal exact.
const NUMBER_TEXT = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;

/** A credit percentage as the decimal it was written as (12.5 → 125/10), not a binary fraction. */
export function decimalOfPercent(pct: number): Decimal {
  const match = NUMBER_TEXT.exec(String(pct));
  if (match === null) {
    throw new RatingError('invalid-plan', `credit percentage ${pct} is not a decimal`);
  }
  const [, wholeDigits = '', fractionDigits = '', exponentText = '0'] = match;
  const scale = fractionDigits.length - Number(exponentText);
  const units = BigInt(wholeDigits + fractionDigits);
  return scale >= 0 ? { units, scale } : { units: units * 10n ** BigInt(-scale), scale: 0 };
}

/** Uptime as a percentage cut (not rounded) to 4 decimals, so 99.98999% never reads 99.99%. */
export function uptimePctText(windowUnits: bigint, downtimeUnits: bigint): string {
  const units = ((windowUnits - downtimeUnits) * 100n * 10n ** 4n) / windowUnits;
  return formatDecimal({ units, scale: 4 });
}

function creditAmountMinor(baseMinor: bigint, pct: number): bigint {
  const exact = decimalOfPercent(pct);
  return -roundHalfAwayFromZero(baseMinor * exact.units, 100n * 10n ** BigInt(exact.scale));
}

interface ExpansionTotals {
  readonly expansionId: string;
  readonly tier: Tier;
  windowSeconds: number;
  downtimeSeconds: number;
}

function expansionTotals(segments: readonly CheckedSegment[]): ExpansionTotals[] {
  const byId = new Map<string, ExpansionTotals>();
  for (const { usage } of segments) {
    for (const { expansionId, tier, chargedSeconds, degradedSeconds } of usage) {
      const totals = byId.get(expansionId) ?? {
        expansionId,
        tier,
        windowSeconds: 0,
        downtimeSeconds: 0,
      };
      totals.windowSeconds += chargedSeconds + degradedSeconds;
      totals.downtimeSeconds += degradedSeconds;
      byId.set(expansionId, totals);
    }
  }
  return [...byId.values()].sort(compareByTierThenId);
}

function expansionCredits(
  segments: readonly CheckedSegment[],
  charges: readonly DraftLine[],
  planId: string,
  tiers: readonly CreditTier[],
): SlaCredits {
  const uptime: UptimeFigure[] = [];
  const lines: DraftLine[] = [];
  for (const { expansionId, tier, windowSeconds, downtimeSeconds } of expansionTotals(segments)) {
    if (windowSeconds === 0) continue;
    if (!Number.isSafeInteger(windowSeconds)) {
      throw new RatingError('invalid-input', `expansion '${expansionId}' has an unsafe window`);
    }
    const { creditPct } = creditPctFor(
      { downtimeMs: downtimeSeconds, windowMs: windowSeconds },
      tiers,
    );
    uptime.push({ expansionId, windowSeconds, downtimeSeconds, creditPct });
    const usageMinor = charges
      .filter((line) => line.kind === 'usage' && line.expansionId === expansionId)
      .reduce((sum, line) => sum + line.amountMinor, 0n);
    if (creditPct <= 0 || usageMinor <= 0n) continue;
    const pctText = uptimePctText(BigInt(windowSeconds), BigInt(downtimeSeconds));
    lines.push({
      kind: 'credit',
      planId,
      tier,
      expansionId,
      description: `SLA credit ${creditPct}% for expansion ${expansionId}: uptime ${pctText}%`,
      quantityGiBSeconds: null,
      unitPrice: null,
      amountMinor: creditAmountMinor(usageMinor, creditPct),
    });
  }
  return { uptime, lines };
}

function safeGiBSeconds(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RatingError(
      'invalid-input',
      `the tenant's ${what} of ${value} GiB-seconds is too large to weigh uptime`,
    );
  }
  return Number(value);
}

function tenantCredits(
  segments: readonly CheckedSegment[],
  charges: readonly DraftLine[],
  planId: string,
  tiers: readonly CreditTier[],
): SlaCredits {
  let windowGiBSeconds = 0n;
  let downtimeGiBSeconds = 0n;
  for (const { usage } of segments) {
    for (const { chargedGiBSeconds, degradedGiBSeconds } of usage) {
      windowGiBSeconds += chargedGiBSeconds + degradedGiBSeconds;
      downtimeGiBSeconds += degradedGiBSeconds;
    }
  }
  if (windowGiBSeconds === 0n) return { uptime: [], lines: [] };
  const windowSeconds = safeGiBSeconds(windowGiBSeconds, 'window');
  const downtimeSeconds = safeGiBSeconds(downtimeGiBSeconds, 'downtime');
  const { creditPct } = creditPctFor(
    { downtimeMs: downtimeSeconds, windowMs: windowSeconds },
    tiers,
  );
  const uptime = [{ expansionId: null, windowSeconds, downtimeSeconds, creditPct }];
  const baseMinor = charges
    .filter((line) => line.kind === 'usage' || line.kind === 'volume')
    .reduce((sum, line) => sum + line.amountMinor, 0n);
  if (creditPct <= 0 || baseMinor <= 0n) return { uptime, lines: [] };
  const pctText = uptimePctText(windowGiBSeconds, downtimeGiBSeconds);
  const line: DraftLine = {
    kind: 'credit',
    planId,
    tier: null,
    expansionId: null,
    description: `SLA credit ${creditPct}% for the tenant: GiB-weighted uptime ${pctText}%`,
    quantityGiBSeconds: null,
    unitPrice: null,
    amountMinor: creditAmountMinor(baseMinor, creditPct),
  };
  return { uptime, lines: [line] };
}

/** Credits due under the credit terms of the month's last plan, the one in force at its end. */
export function slaCredits(
  segments: readonly CheckedSegment[],
  charges: readonly DraftLine[],
): SlaCredits {
  const lastPlan = segments.at(-1)?.plan;
  if (lastPlan === undefined) throw new RatingError('invalid-input', 'no segments to credit');
  const { id, creditScope, creditTiers } = lastPlan;
  return creditScope === 'tenant'
    ? tenantCredits(segments, charges, id, creditTiers)
    : expansionCredits(segments, charges, id, creditTiers);
}

/**
 * Credits reduced, last line first, until they no longer exceed the charges: a credit never
 * turns an invoice into a payout.
 */
export function capCredits(
  credits: readonly DraftLine[],
  chargesMinor: bigint,
  minorDigits: number,
): DraftLine[] {
  const creditedMinor = -credits.reduce((sum, line) => sum + line.amountMinor, 0n);
  let excessMinor = creditedMinor - (chargesMinor > 0n ? chargesMinor : 0n);
  const capped = [...credits];
  for (let i = capped.length - 1; i >= 0 && excessMinor > 0n; i -= 1) {
    const line = capped[i];
    if (line === undefined) continue;
    const cut = -line.amountMinor < excessMinor ? -line.amountMinor : excessMinor;
    const amountMinor = line.amountMinor + cut;
    excessMinor -= cut;
    capped[i] = {
      ...line,
      amountMinor,
      description:
        `${line.description}; reduced to ${formatMinor(-amountMinor, minorDigits)} ` +
        'so the invoice total is not negative',
    };
  }
  return capped;
}
