import { dropDatabase, ensureDatabase, runMigrations, withDatabase } from '@mxs/persistence';
import { randomBytes } from 'node:crypto';

const DEFAULT_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** The PostgreSQL server replays put their databases on (the tests' one). */
export function replayServerUrl(): string {
  return process.env['TEST_DATABASE_URL'] ?? DEFAULT_SERVER_URL;
}

export interface ReplayDatabase {
  readonly name: string;
  readonly url: string;
  /** Ends every connection still open to it, then drops it. */
  drop(): Promise<void>;
}

/** A fresh database `mxs_replay_<hex>`, migrated the way `npm start` migrates (advisory-locked). */
export async function createReplayDatabase(serverUrl = replayServerUrl()): Promise<ReplayDatabase> {
  const name = `mxs_replay_${randomBytes(4).toString('hex')}`;
  const url = withDatabase(serverUrl, name);
  await ensureDatabase(url);
  const drop = (): Promise<void> => dropDatabase(url);
  try {
    await runMigrations(url);
  } catch (error) {
    await drop().catch(() => undefined);
    throw error;
  }
  return { name, url, drop };
}
