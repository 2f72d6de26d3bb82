import { Global, Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { createDataSource } from '@mxs/persistence';
import { Closer } from '@mxs/service-kit';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import type { ApiConfig } from '../config';
import { PlacementMetrics } from '../metrics/placement-metrics';
import { QueueSet, producerConnection } from '@mxs/messaging';

export const PRODUCER_REDIS = Symbol('PRODUCER_REDIS');
export const API_CONFIG = Symbol('API_CONFIG');

/**
 * The process's connections: one PostgreSQL pool, one Redis producer connection and the queues
 * on it. Each registers its close with the Closer, which shuts them in order (queues before
 * Redis before the database) after the workers have drained.
 */
@Global()
@Module({})
export class InfraModule {
  static forRoot(config: ApiConfig): DynamicModule {
    return {
      module: InfraModule,
      providers: [
        { provide: API_CONFIG, useValue: config },
        {
          provide: DataSource,
          inject: [Closer],
          useFactory: async (closer: Closer): Promise<DataSource> => {
            const db = createDataSource({ url: config.DATABASE_URL, poolSize: config.MXS_DB_POOL_SIZE, applicationName: 'mxs-placement-api' });
            await db.initialize();
            closer.add('database', 'postgres pool', () => db.destroy());
            return db;
          },
        },
        {
          provide: PRODUCER_REDIS,
          inject: [Closer],
          useFactory: (closer: Closer) => {
            const redis = producerConnection(config.REDIS_URL, 'mxs-placement-api');
            // Outages are expected and handled (the outbox waits); only log them once via health.
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
            const queues = new QueueSet(redis, config.MXS_QUEUE_PREFIX);
            closer.add('queues', 'producer queues', () => queues.close());
            return queues;
          },
        },
        { provide: PlacementMetrics, inject: [Registry], useFactory: (registry: Registry) => new PlacementMetrics(registry) },
      ],
      exports: [API_CONFIG, DataSource, PRODUCER_REDIS, QueueSet, PlacementMetrics],
    };
  }
}
