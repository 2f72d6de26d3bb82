import type { DataSource, EntityManager } from 'typeorm';

/**
 * A statement run on every placement. Named, node-postgres prepares it once per pooled
 * connection, and PostgreSQL then only binds and executes it: parsing and planning the
 * placement's statements afresh each time cost about 1.5 ms of server CPU per request.
 */
export interface PreparedStatement {
  /** Unique per statement text: a connection refuses one name for two texts. */
  readonly name: string;
  readonly text: string;
}

interface PgQueryable {
  query(config: { name: string; text: string; values: readonly unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * Runs `statement` on the pool (a DataSource) or on a transaction's connection (its
 * EntityManager). Errors are node-postgres errors, which `@mxs/persistence`'s PG_ERRORS helpers
 * read as they read TypeORM's QueryFailedError.
 */
export async function runPrepared<Row>(on: DataSource | EntityManager, statement: PreparedStatement, values: readonly unknown[]): Promise<Row[]> {
  const target = await queryable(on);
  const result = await target.query({ name: statement.name, text: statement.text, values });
  return result.rows as Row[];
}

async function queryable(on: DataSource | EntityManager): Promise<PgQueryable> {
  const runner = 'queryRunner' in on ? on.queryRunner : undefined;
  // Inside a transaction: that transaction's connection (connect() returns the one it holds).
  if (runner !== undefined) return (await runner.connect()) as PgQueryable;
  // Otherwise the pool itself, which lends a connection for the one statement.
  const dataSource = 'driver' in on ? on : on.connection;
  return (dataSource.driver as unknown as { master: PgQueryable }).master;
}
