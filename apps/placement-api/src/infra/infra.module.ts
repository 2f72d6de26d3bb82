import { Global, Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { PRODUCER_REDIS, QueueSet, infraProviders } from '@mxs/messaging';
import { createDataSource, isConnectionError } from '@mxs/persistence';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import type { ApiConfig } from '../config';
import { PlacementMetrics } from '../metrics/placement-metrics';

export { PRODUCER_REDIS };
export const API_CONFIG = Symbol('API_CONFIG');

/** The API's connections (see infraProviders), its config and its metrics, for every module. */
@Global()
@Module({})
export class InfraModule {
  static forRoot(config: ApiConfig): DynamicModule {
    return {
      module: InfraModule,
      providers: [
        { provide: API_CONFIG, useValue: config },
        ...infraProviders({
          appName: 'mxs-placement-api',
          redisUrl: config.REDIS_URL,
          queuePrefix: config.MXS_QUEUE_PREFIX,
          dataSource: () => createDataSource({ url: config.DATABASE_URL, poolSize: config.MXS_DB_POOL_SIZE, applicationName: 'mxs-placement-api' }),
          databaseAway: isConnectionError,
        }),
        { provide: PlacementMetrics, inject: [Registry], useFactory: (registry: Registry) => new PlacementMetrics(registry) },
      ],
      exports: [API_CONFIG, DataSource, PRODUCER_REDIS, QueueSet, PlacementMetrics],
    };
  }
}
