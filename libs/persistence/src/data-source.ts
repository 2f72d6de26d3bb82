import type { ClientConfig } from 'pg';
import { Client } from 'pg';
import type { LoggerOptions } from 'typeorm';
import { DataSource } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export interface DataSourceSettings {
  readonly url: string;
  /** Connections in the pool (TypeORM's default is 10). */
  readonly poolSize?: number;
  /** Shown in pg_stat_activity, so an operator can tell the apps' connections apart. */
  readonly applicationName?: string;
  readonly logging?: LoggerOptions;
}

/** How long a new connection may take to come up: a silent server fails a request in this, not in minutes. */
export const CONNECT_TIMEOUT_MS = 5_000;
/** TCP keepalive on every connection, so one whose server went silent is found dead eventually. */
const KEEP_ALIVE_DELAY_MS = 10_000;

/**
 * The pool's client, which gives up on a connection that has not come up in CONNECT_TIMEOUT_MS.
 * The timeout is the client's own: pg-pool's `connectionTimeoutMillis` would also bound the
 * wait for a free client, and turn a busy moment into failed requests.
 */
class TimedClient extends Client {
  constructor(config: ClientConfig) {
    super({ ...config, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  }
}

/** A DataSource over the migrated schema; call `initialize()` on it. It never changes the schema itself. */
export function createDataSource(settings: DataSourceSettings): DataSource {
  return new DataSource({
    type: 'postgres',
    url: settings.url,
    ...(settings.poolSize === undefined ? {} : { poolSize: settings.poolSize }),
    ...(settings.applicationName === undefined ? {} : { applicationName: settings.applicationName }),
    logging: settings.logging ?? false,
    extra: { Client: TimedClient, keepAlive: true, keepAliveInitialDelayMillis: KEEP_ALIVE_DELAY_MS },
    entities: [...ENTITIES],
    migrations: [...MIGRATIONS],
    migrationsTransactionMode: 'each',
    // The schema is the migrations' alone (typeorm #1984: synchronize drops columns with data).
    synchronize: false,
    migrationsRun: false,
    installExtensions: false,
  });
}

// Any fixed key works; every migrating process on one database uses this one.
const MIGRATION_LOCK_KEY = 7_316_550_421;

/**
 * Applies the migrations the database lacks and returns their names, oldest first. Processes
 * starting together take turns on an advisory lock, so each migration runs once.
 */
export async function runMigrations(url: string): Promise<string[]> {
  const dataSource = createDataSource({ url, poolSize: 2, applicationName: 'mxs-migrate' });
  await dataSource.initialize();
  // The lock lives on its own session; the migrations run on the pool's other connection.
  const lockRunner = dataSource.createQueryRunner();
  try {
    await lockRunner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((migration) => migration.name);
    } finally {
      await lockRunner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await lockRunner.release();
    await dataSource.destroy();
  }
}
