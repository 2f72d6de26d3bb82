import { z } from 'zod';
import { ApiError } from '../errors';

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

export function decodeCursor(cursor: string | undefined, parts: number): string[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const position: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(position) && position.length === parts && position.every((p) => typeof p === 'string' && p.length <= 200 && !p.includes('\u0000'))) {
      return position as string[];
    }
  } catch {
    // fall through: any undecodable cursor is the client's mistake
  }
  throw new ApiError('invalid-cursor', 'cursor is not one this API issued; start again without it', {
    errors: [{ path: 'query.cursor', message: 'not a cursor this API issued' }],
  });
}

export function pageOf<T>(items: readonly T[], more: boolean, position: (last: T) => readonly string[]): Page<T> {
  const last = items[items.length - 1];
  return { items, nextCursor: more && last !== undefined ? encodeCursor(position(last)) : null };
}
