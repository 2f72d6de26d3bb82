import { z } from 'zod';
import { ProblemError } from '../problems/problem-error';
import { withoutNul } from './text';

/** `?limit` and `?cursor`, shared by every list. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(50).describe('Items per page (1-100, default 50)'),
  cursor: z.string().max(512).optional().describe('The `nextCursor` of the previous page'),
};

export interface Page<T> {
  readonly items: readonly T[];
  /** Pass as `cursor` for the next page; null on the last one. */
  readonly nextCursor: string | null;
}

/** Opaque to clients: base64url of the keyset position. */
export function encodeCursor(position: readonly string[]): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** One part of a keyset position, as any list keys on it (an id, a timestamp). */
export const cursorPart = z.string().max(200).refine(...withoutNul);

/** The position a cursor carries, checked against `position`; any other cursor is a 400. */
export function decodeCursor<T>(cursor: string | undefined, position: z.ZodType<T>): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = position.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through: any undecodable cursor is the client's mistake
  }
  throw new ProblemError({
    status: 400,
    slug: 'invalid-cursor',
    title: 'Invalid pagination cursor',
    detail: 'cursor is not one this API issued; start again without it',
    extra: { errors: [{ path: 'query.cursor', message: 'not a cursor this API issued' }] },
  });
}

export function pageOf<T>(items: readonly T[], more: boolean, position: (last: T) => readonly string[]): Page<T> {
  const last = items[items.length - 1];
  return { items, nextCursor: more && last !== undefined ? encodeCursor(position(last)) : null };
}
