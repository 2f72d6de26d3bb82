import { z } from 'zod';

// Builders for environment variables: every value arrives as a string, and every message says
// what was expected so ConfigError can print `PORT: expected integer 1..65535, got "x"`.

export function envInteger(options: { min: number; max: number; default?: number }) {
  const expected = `expected integer ${options.min}..${options.max}`;
  const schema = z
    .string()
    .regex(/^\s*-?\d+\s*$/, expected)
    .transform(Number)
    .pipe(z.number().int().min(options.min, expected).max(options.max, expected));
  return options.default === undefined ? schema : schema.default(options.default);
}

export function envString(options: { minLength?: number; default?: string; what?: string } = {}) {
  const minLength = options.minLength ?? 1;
  const expected = options.what ?? `expected a string of at least ${minLength} characters`;
  const schema = z.string(expected).min(minLength, expected);
  return options.default === undefined ? schema : schema.default(options.default);
}

/** A URL whose scheme is one of `protocols` (without the colon), e.g. ['postgres', 'postgresql']. */
export function envUrl(options: { protocols: readonly string[]; default?: string }) {
  const expected = `expected a ${options.protocols.join(' or ')} URL`;
  const schema = z.string(expected).refine((value) => {
    try {
      return options.protocols.includes(new URL(value).protocol.replace(/:$/, ''));
    } catch {
      return false;
    }
  }, expected);
  return options.default === undefined ? schema : schema.default(options.default);
}

export function envEnum<const T extends readonly [string, ...string[]]>(values: T, fallback?: T[number]) {
  const schema = z.enum(values, `expected one of ${values.join(', ')}`);
  return fallback === undefined ? schema : schema.default(fallback);
}

export function envBoolean(fallback: boolean) {
  const expected = 'expected true, false, 1 or 0';
  return z
    .string()
    .trim()
    .toLowerCase()
    .refine((value) => ['true', 'false', '1', '0'].includes(value), expected)
    .transform((value) => value === 'true' || value === '1')
    .default(fallback);
}

/** express's `trust proxy`: false, true, a hop count, or a comma list of addresses, subnets or names like `loopback`. */
export type TrustProxy = boolean | number | string[];

export function envTrustProxy() {
  return z
    .string()
    .trim()
    .transform((value): TrustProxy => {
      const lower = value.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false' || lower === '') return false;
      if (/^\d+$/.test(value)) return Number(value);
      return value.split(',').map((part) => part.trim()).filter((part) => part.length > 0);
    })
    .default(false);
}
