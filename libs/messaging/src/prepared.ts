import { createHash } from 'node:crypto';
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

/**
 * A PreparedStatement named `${base}_${a hash of its text}`: a changed text is a new name by
 * itself, so a connection never meets one name for two texts (where the text and the name
 * used to be kept in step by hand, with a version in the name).
 */
export function preparedStatement(base: string, text: string): PreparedStatement {
  // PostgreSQL cuts names at 63 bytes: the hash must fit whole.
  if (!/^[a-z][a-z0-9_]{0,49}$/.test(base)) throw new Error(`preparedStatement: "${base}" is not a lower-case name of at most 50 characters`);
  return { name: `${base}_${createHash('sha256').update(text).digest('hex').slice(0, 12)}`, text };
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
