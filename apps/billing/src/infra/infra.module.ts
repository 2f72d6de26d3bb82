import { Global, Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { PRODUCER_REDIS, QueueSet, infraProviders } from '@mxs/messaging';
import { createDataSource, isConnectionError } from '@mxs/persistence';
import { DataSource } from 'typeorm';
import type { BillingConfig } from '../config';

export { PRODUCER_REDIS };
export const BILLING_CONFIG = Symbol('BILLING_CONFIG');

/** Billing's connections (one PostgreSQL pool, one Redis producer and its queues) and its config. */
@Global()
@Module({})
export class InfraModule {
  static forRoot(config: BillingConfig): DynamicModule {
    return {
      module: InfraModule,
      providers: [
        { provide: BILLING_CONFIG, useValue: config },
        ...infraProviders({
          appName: 'mxs-billing',
          redisUrl: config.REDIS_URL,
          queuePrefix: config.MXS_QUEUE_PREFIX,
          dataSource: () => createDataSource({ url: config.DATABASE_URL, poolSize: config.MXS_DB_POOL_SIZE, applicationName: 'mxs-billing' }),
          databaseAway: isConnectionError,
        }),
      ],
      exports: [BILLING_CONFIG, DataSource, PRODUCER_REDIS, QueueSet],
    };
  }
}
