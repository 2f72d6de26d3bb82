import type { Provider } from '@nestjs/common';
import { Closer, registerProblemClassifier, unavailableProblem } from '@mxs/service-kit';
import type { DataSource } from 'typeorm';
import { DataSource as DataSourceToken } from 'typeorm';
import { QueueSet, producerConnection } from './queues';

export const PRODUCER_REDIS = Symbol('PRODUCER_REDIS');

export interface InfraOptions {
  /** Shown in `pg_stat_activity` and Redis `CLIENT LIST`. */
  readonly appName: string;
  readonly redisUrl: string;
  readonly queuePrefix: string;
  /** Builds the (not yet initialized) pool, e.g. `@mxs/persistence`'s createDataSource. */
  readonly dataSource: () => DataSource;
  /**
   * Whether an error means the database could not be reached or the connection was lost
   * (`@mxs/persistence`'s isConnectionError, which also claims any other socket that could not
   * reach its peer): a request that meets one is answered 503 with Retry-After, not 500, since
   * it is an outage to wait out rather than a bug. Registered process-wide under one name; every
   * app passes the same function.
   */
  readonly databaseAway: (error: unknown) => boolean;
}

/** What a client is told while the database is away, or another dependency cannot be reached. */
export const DATABASE_AWAY = unavailableProblem(
  'mxs cannot reach its database or another service it depends on just now. Whether this request took effect is not known: retry after Retry-After seconds, or read the resource first; a POST that takes an Idempotency-Key takes effect once however often it is repeated with the same key.',
  2,
);

/**
 * A process's connections: one PostgreSQL pool, one Redis producer connection and the queues
 * on it. Each registers its close with the Closer, which shuts them in order (queues before
 * Redis before the database) after the workers have drained.
 */
export function infraProviders(options: InfraOptions): Provider[] {
  return [
    {
      provide: DataSourceToken,
      inject: [Closer],
      useFactory: async (closer: Closer): Promise<DataSource> => {
        registerProblemClassifier('database-away', (error) => (options.databaseAway(error) ? DATABASE_AWAY : undefined));
        const db = options.dataSource();
        await db.initialize();
        closer.add('database', 'postgres pool', () => db.destroy());
        return db;
      },
    },
    {
      provide: PRODUCER_REDIS,
      inject: [Closer],
      useFactory: (closer: Closer) => {
        const redis = producerConnection(options.redisUrl, options.appName);
        // Outages are expected and handled (the outbox waits); health reports them.
        redis.on('error', () => undefined);
        closer.add('redis', 'producer connection', async () => {
          await redis.quit().catch(() => redis.disconnect());
        });
        return redis;
      },
    },
    {
      provide: QueueSet,
      inject: [PRODUCER_REDIS, Closer],
      useFactory: (redis: ReturnType<typeof producerConnection>, closer: Closer) => {
        const queues = new QueueSet(redis, options.queuePrefix);
        closer.add('queues', 'producer queues', () => queues.close());
        return queues;
      },
    },
  ];
}
