import { z } from 'zod';

const NUL = '\u0000';

/** PostgreSQL `text` refuses NUL: a refinement for any string bound for the database. */
export const withoutNul = [(text: string): boolean => !text.includes(NUL), 'must not contain the NUL character (U+0000)'] as const;

/**
 * Free text as PostgreSQL can store it: `text` refuses the NUL character, so one that got as
 * far as the database would be a 500; here it is the client's 400 with the field named.
 */
export function storedText(maxLength: number): z.ZodString {
  return z
    .string()
    .min(1)
    .max(maxLength)
    .refine(...withoutNul);
}

/**
 * True when some string in `value` cannot go into `jsonb`: PostgreSQL refuses `\u0000` and
 * a lone surrogate half (which JSON.stringify writes as a `\ud800`-style escape).
 */
export function hasUnstorableText(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(NUL) || Buffer.from(value, 'utf8').toString('utf8') !== value;
  if (Array.isArray(value)) return value.some(hasUnstorableText);
  if (typeof value === 'object' && value !== null) return Object.entries(value).some(([k, v]) => hasUnstorableText(k) || hasUnstorableText(v));
  return false;
}
