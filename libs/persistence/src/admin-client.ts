import { Client } from 'pg';
import { withDatabase } from './database-url';

/**
 * A single connection to the server's `postgres` database, for what cannot run inside the
 * target database (CREATE and DROP DATABASE); always closed, even when `work` throws.
 */
export function withAdminClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  return withClient(withDatabase(url, 'postgres'), 'mxs-admin', work);
}

/** One plain connection, outside any app's pool (checkers, tools); always closed, even when `work` throws. */
export async function withClient<T>(url: string, applicationName: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, application_name: applicationName });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function databaseExists(client: Client, name: string): Promise<boolean> {
  const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  return found.rowCount === 1;
}
