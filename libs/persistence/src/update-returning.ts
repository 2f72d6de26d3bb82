import type { DataSource, EntityManager } from 'typeorm';

/**
 * Runs an `UPDATE … RETURNING` and answers the returned rows. TypeORM answers such a statement
 * with `[rows, count]` rather than the rows a SELECT gets; callers should not have to know.
 */
export async function updateReturning<Row>(db: DataSource | EntityManager, sql: string, params: readonly unknown[]): Promise<Row[]> {
  const result = (await db.query(sql, [...params])) as [Row[], number];
  return result[0];
}
