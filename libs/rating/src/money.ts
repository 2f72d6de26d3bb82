/**
 * Exact money arithmetic: amounts are whole minor units and prices are decimal strings read
 * into scaled integers, so no invoice figure ever passes through a binary fraction.
 */

/** Every way rating refuses an input, as a stable code. */
export type RatingErrorCode = 'invalid-plan' | 'invalid-input';

export class RatingError extends Error {
  override readonly name = 'RatingError';

  constructor(
    readonly code: RatingErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** How an expansion's memory is attached: its own device, or a slice of a shared pool. */
export type Tier = 'direct' | 'pooled';

export const TIERS: readonly Tier[] = Object.freeze(['direct', 'pooled'] as const);

/** ISO 4217 minor-unit digits of the currencies a plan may be priced in. */
export const CURRENCY_MINOR_DIGITS: Readonly<Record<string, number>> = Object.freeze({
  USD: 2,
  EUR: 2,
  GBP: 2,
  CHF: 2,
  CAD: 2,
  AUD: 2,
  NZD: 2,
  SEK: 2,
  NOK: 2,
  DKK: 2,
  PLN: 2,
  CZK: 2,
  CNY: 2,
  INR: 2,
  SGD: 2,
  HKD: 2,
  BRL: 2,
  MXN: 2,
  ZAR: 2,
  JPY: 0,
  KRW: 0,
  ISK: 0,
  BHD: 3,
  KWD: 3,
  JOD: 3,
});

/** Minor digits of `code`, or `undefined` for a currency we do not price in. */
export function currencyMinorDigits(code: string): number | undefined {
  // `hasOwn`, so that 'toString' or '__proto__' is not mistaken for a currency.
  return Object.hasOwn(CURRENCY_MINOR_DIGITS, code) ? CURRENCY_MINOR_DIGITS[code] : undefined;
}

/** `units / 10^scale`, exactly. */
export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

/** Prices are quoted to at most 12 fraction digits; more is a typo, not a price. */
const DECIMAL_TEXT = /^(-?)(\d+)(?:\.(\d{1,12}))?$/;

/** Reads `'-12.345'` style text; `undefined` for anything else (exponents, '+', spaces, '1.'). */
export function parseDecimal(text: string): Decimal | undefined {
  const match = DECIMAL_TEXT.exec(text);
  if (match === null) return undefined;
  const [, sign = '', wholeDigits = '', fractionDigits = ''] = match;
  const magnitude = BigInt(wholeDigits + fractionDigits);
  return { units: sign === '-' ? -magnitude : magnitude, scale: fractionDigits.length };
}

function assertScale(scale: number): void {
  if (!Number.isSafeInteger(scale) || scale < 0) {
    throw new RatingError(
      'invalid-input',
      `a decimal scale must be a whole number >= 0, got ${scale}`,
    );
  }
}

function unitsAtScale(value: Decimal, scale: number): bigint {
  return value.units * 10n ** BigInt(scale - value.scale);
}

/** `a - b`, exactly, at the larger of the two scales. */
export function subtractDecimals(a: Decimal, b: Decimal): Decimal {
  assertScale(a.scale);
  assertScale(b.scale);
  const scale = Math.max(a.scale, b.scale);
  return { units: unitsAtScale(a, scale) - unitsAtScale(b, scale), scale };
}

/** `units` with exactly `scale` fraction digits: (12345n, 2) → '123.45', (-5n, 2) → '-0.05'. */
function formatFixed(units: bigint, scale: number): string {
  const sign = units < 0n ? '-' : '';
  const digits = (units < 0n ? -units : units).toString().padStart(scale + 1, '0');
  if (scale === 0) return sign + digits;
  return `${sign}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** Canonical text: no trailing fractional zeros, no '-0'; `{ units: 1500n, scale: 3 }` → '1.5'. */
export function formatDecimal(d: Decimal): string {
  assertScale(d.scale);
  let { units, scale } = d;
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n;
    scale -= 1;
  }
  return formatFixed(units, scale);
}

/** `numerator / denominator` to the nearest integer, halves away from zero (2.5 → 3, -2.5 → -3). */
export function roundHalfAwayFromZero(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) {
    throw new RatingError('invalid-input', `denominator must be > 0, got ${denominator}`);
  }
  const quotient = numerator / denominator; // BigInt division truncates toward zero.
  const remainder = numerator % denominator;
  const doubled = remainder < 0n ? -2n * remainder : 2n * remainder;
  if (doubled < denominator) return quotient;
  return numerator < 0n ? quotient - 1n : quotient + 1n;
}

/** `amountMinor` in major units with every minor digit shown: (12345n, 2) → '123.45'. */
export function formatMinor(amountMinor: bigint | number, minorDigits: number): string {
  if (typeof amountMinor === 'number' && !Number.isSafeInteger(amountMinor)) {
    throw new RatingError(
      'invalid-input',
      `amountMinor must be a safe integer, got ${amountMinor}`,
    );
  }
  assertScale(minorDigits);
  return formatFixed(BigInt(amountMinor), minorDigits);
}

/** `value` as a number, refusing anything a JSON consumer could not read back exactly. */
export function toSafeNumber(value: bigint, what: string): number {
  const asNumber = Number(value);
  if (!Number.isSafeInteger(asNumber)) {
    throw new RatingError('invalid-input', `${what} ${value} is beyond the safe integer range`);
  }
  return asNumber;
}

/** GiB-seconds as GiB-hours with 6 decimals, rounded half away from zero: how quantities are shown. */
export function gibHoursText(gibSeconds: bigint): string {
  return formatMinor(roundHalfAwayFromZero(gibSeconds * 1_000_000n, 3600n), 6);
}
