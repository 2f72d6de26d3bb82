/**
 * Exact decimal arithmetic for thresholds and objectives: `0.144 / 0.01` is 14.399999999999999
 * in floating point, so every "is it at or past the line" decision is made on scaled integers.
 */

/** `units / 10^scale`, exactly. */
export interface ScaledDecimal {
  readonly units: bigint;
  readonly scale: number;
}

const PLAIN_DECIMAL = /^(\d+)(?:\.(\d+))?$/;
// `String(n)` switches to exponent form below 1e-6 and from 1e21 up.
const NUMBER_TEXT = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/;

/** Parses a non-negative plain decimal such as `'99.99'`; `undefined` when it is not one. */
export function parsePlainDecimal(text: string): ScaledDecimal | undefined {
  const match = PLAIN_DECIMAL.exec(text);
  if (match === null) return undefined;
  const [, wholeDigits = '', fractionDigits = ''] = match;
  return { units: BigInt(wholeDigits + fractionDigits), scale: fractionDigits.length };
}

/**
 * The decimal a finite non-negative number was written as (its shortest round-trip form), so
 * `0.999` is exactly 999/1000 rather than the nearest binary fraction; `undefined` otherwise.
 */
export function decimalOfNumber(value: number): ScaledDecimal | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined;
  const match = NUMBER_TEXT.exec(String(value));
  if (match === null) return undefined;
  const [, wholeDigits = '', fractionDigits = '', exponentText = '0'] = match;
  const scale = fractionDigits.length - Number(exponentText);
  const units = BigInt(wholeDigits + fractionDigits);
  return scale >= 0 ? { units, scale } : { units: units * 10n ** BigInt(-scale), scale: 0 };
}

/** `units` of `value` expressed at a larger-or-equal `scale`. */
export function unitsAtScale(value: ScaledDecimal, scale: number): bigint {
  return value.units * 10n ** BigInt(scale - value.scale);
}

/** -1, 0 or 1 as `a` is below, equal to or above `b`. */
export function compareDecimals(a: ScaledDecimal, b: ScaledDecimal): -1 | 0 | 1 {
  const scale = Math.max(a.scale, b.scale);
  const left = unitsAtScale(a, scale);
  const right = unitsAtScale(b, scale);
  if (left === right) return 0;
  return left < right ? -1 : 1;
}
