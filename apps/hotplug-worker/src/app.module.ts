import { Global, Module } from '@nestjs/common';
import type { DynamicModule, OnApplicationBootstrap } from '@nestjs/common';
import { HttpHostAgent } from '@mxs/host-agent';
import { OutboxRelay, PRODUCER_REDIS, QueueSet, RELAY_OPTIONS, infraProviders, workerConnection } from '@mxs/messaging';
import { createDataSource, isConnectionError } from '@mxs/persistence';
import { Closer, HealthModule, ServiceKitModule, postgresCheck, redisCheck } from '@mxs/service-kit';
import { QUEUES } from '@mxs/contracts';
import type { Redis } from 'ioredis';
import type { DestinationStream } from 'pino';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import type { WorkerConfig } from './config';
import { HotplugProcessor } from './hotplug.processor';
import { MaintenanceModule } from './maintenance/maintenance.module';
import { WorkerMetrics } from './metrics/worker-metrics';
import { HotplugSagas, STEP_TIMING } from './sagas/hotplug-sagas';
import { OperationStore } from './sagas/operation-store';
import { realTiming } from './sagas/step-runner';
import { HOST_AGENT, WORKER_CONFIG } from './tokens';

/** Starts consuming once everything is up; on shutdown the consumer drains before anything closes. */
class ConsumerLifecycle implements OnApplicationBootstrap {
  constructor(
    private readonly processor: HotplugProcessor,
    private readonly config: WorkerConfig,
    private readonly closer: Closer,
    private readonly metrics: WorkerMetrics,
    private readonly queues: QueueSet,
  ) {}

  onApplicationBootstrap(): void {
    const connection = workerConnection(this.config.REDIS_URL, 'mxs-hotplug-worker');
    connection.on('error', () => undefined);
    this.processor.start(connection);
    this.metrics.watchQueue(this.queues.get(QUEUES.hotplug));
    this.closer.add('workers', 'hotplug consumer', () => this.processor.stop(this.config.MXS_SHUTDOWN_GRACE_MS));
    this.closer.add('redis', 'hotplug consumer connection', async () => {
      await connection.quit().catch(() => connection.disconnect());
    });
  }
}

/** The worker's config, connections, agent client and metrics, visible to every module. */
@Global()
@Module({})
class WorkerInfraModule {
  static forRoot(config: WorkerConfig): DynamicModule {
    return {
      module: WorkerInfraModule,
      providers: [
        { provide: WORKER_CONFIG, useValue: config },
        ...infraProviders({
          appName: 'mxs-hotplug-worker',
          redisUrl: config.REDIS_URL,
          queuePrefix: config.MXS_QUEUE_PREFIX,
          dataSource: () => createDataSource({ url: config.DATABASE_URL, poolSize: config.MXS_DB_POOL_SIZE, applicationName: 'mxs-hotplug-worker' }),
          databaseAway: isConnectionError,
        }),
        {
          provide: HOST_AGENT,
          inject: [Closer],
          useFactory: (closer: Closer) => {
            const agent = new HttpHostAgent({ baseUrl: config.MXS_HOST_AGENT_URL, token: config.MXS_HOST_AGENT_TOKEN });
            // After the consumers have drained: no saga calls a host once its connections are gone.
            closer.add('queues', 'host agent connections', async () => agent.close());
            return agent;
          },
        },
        { provide: WorkerMetrics, inject: [Registry], useFactory: (registry: Registry) => new WorkerMetrics(registry) },
        { provide: RELAY_OPTIONS, useValue: { databaseUrl: config.DATABASE_URL, enabled: config.MXS_OUTBOX_RELAY } },
        OutboxRelay,
      ],
      exports: [WORKER_CONFIG, DataSource, PRODUCER_REDIS, QueueSet, HOST_AGENT, WorkerMetrics, OutboxRelay],
    };
  }
}

@Module({})
export class WorkerModule {
  static forRoot(config: WorkerConfig, options: { logDestination?: DestinationStream } = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        // Its routes are probes and scrapes: no request context, so its sagas' promises run unhooked.
        ServiceKitModule.forRoot({ config: { ...config, MXS_RATE_LIMIT_PER_MINUTE: 0 }, requestContext: false, ...(options.logDestination === undefined ? {} : { logDestination: options.logDestination }) }),
        WorkerInfraModule.forRoot(config),
        HealthModule.forRootAsync({
          inject: [DataSource, PRODUCER_REDIS],
          useFactory: (db: DataSource, redis: Redis) => [postgresCheck(db), redisCheck(redis)],
        }),
        MaintenanceModule.forRoot(config),
      ],
      providers: [
        { provide: STEP_TIMING, useValue: realTiming },
        OperationStore,
        HotplugSagas,
        HotplugProcessor,
        {
          provide: ConsumerLifecycle,
          inject: [HotplugProcessor, Closer, WorkerMetrics, QueueSet],
          useFactory: (p: HotplugProcessor, closer: Closer, m: WorkerMetrics, q: QueueSet) => new ConsumerLifecycle(p, config, closer, m, q),
        },
      ],
    };
  }
}
