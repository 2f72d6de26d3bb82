import { databaseExists, withAdminClient } from './admin-client';
import { databaseNameOf, quoteIdent } from './database-url';
import { isUniqueViolation, pgErrorOf, PG_ERRORS } from './pg-errors';

/** Creates the database `url` names when it is missing; true when this call created it. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const name = databaseNameOf(url);
  return withAdminClient(url, async (client) => {
    if (await databaseExists(client, name)) return false;
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
      return true;
    } catch (error) {
      // Another process created it between our look and our CREATE: what we wanted exists.
      if (pgErrorOf(error)?.code === PG_ERRORS.duplicateDatabase || isUniqueViolation(error)) return false;
      throw error;
    }
  });
}

/** Drops the database `url` names, ending the connections still open to it (PostgreSQL 13+). */
export async function dropDatabase(url: string): Promise<void> {
  await withAdminClient(url, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(databaseNameOf(url))} WITH (FORCE)`));
}
