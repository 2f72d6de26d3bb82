import { Module } from '@nestjs/common';
import type { DynamicModule, OnApplicationBootstrap } from '@nestjs/common';
import { Closer, HealthModule, ServiceKitModule, TENANT_KEY_VERIFIER, postgresCheck, redisCheck } from '@mxs/service-kit';
import type { Redis } from 'ioredis';
import type { DestinationStream } from 'pino';
import { DataSource } from 'typeorm';
import { PlacementRequestsWorker } from './automation/placement-requests.worker';
import type { ApiConfig } from './config';
import { ConsoleRoutes } from './console/console-routes';
import { SessionController } from './console/session.controller';
import { AdminExpansionsController } from './expansions/admin-expansions.controller';
import { ExpansionStore } from './expansions/expansion-store';
import { ExpansionsController } from './expansions/expansions.controller';
import { ExpansionsService } from './expansions/expansions.service';
import { FleetAdminService } from './fleet/fleet-admin.service';
import { FleetReader } from './fleet/fleet-reader';
import { FleetReport } from './fleet/fleet-report';
import { FleetView } from './fleet/fleet-view';
import { FaultsController } from './fleet/faults.controller';
import { FleetController } from './fleet/fleet.controller';
import { API_CONFIG, InfraModule, PRODUCER_REDIS } from './infra/infra.module';
import { OutboxRelay, RELAY_OPTIONS, workerConnection } from '@mxs/messaging';
import { TenantsController } from './tenants/tenants.controller';
import { TenantsService } from './tenants/tenants.service';
import { AdminVmsController, VmsController } from './vms/vms.controller';
import { VmsService } from './vms/vms.service';

/** Starts the automation worker once everything it needs is up, and drains it first on shutdown. */
class AutomationLifecycle implements OnApplicationBootstrap {
  constructor(
    private readonly worker: PlacementRequestsWorker,
    private readonly config: ApiConfig,
    private readonly closer: Closer,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.MXS_AUTOMATION_CONCURRENCY === 0) return;
    const connection = workerConnection(this.config.REDIS_URL, 'mxs-placement-requests');
    connection.on('error', () => undefined);
    this.worker.start({ connection, prefix: this.config.MXS_QUEUE_PREFIX, concurrency: this.config.MXS_AUTOMATION_CONCURRENCY });
    this.closer.add('workers', 'placement-requests worker', () => this.worker.stop());
    this.closer.add('redis', 'placement-requests connection', async () => {
      await connection.quit().catch(() => connection.disconnect());
    });
  }
}

@Module({})
export class AppModule {
  static forRoot(config: ApiConfig, options: { logDestination?: DestinationStream } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot({ config, ...(options.logDestination === undefined ? {} : { logDestination: options.logDestination }) }),
        InfraModule.forRoot(config),
        HealthModule.forRootAsync({
          inject: [DataSource, PRODUCER_REDIS],
          useFactory: (db: DataSource, redis: Redis) => [postgresCheck(db), redisCheck(redis)],
        }),
      ],
      controllers: [ExpansionsController, AdminExpansionsController, VmsController, AdminVmsController, TenantsController, FleetController, FaultsController, SessionController],
      providers: [
        FleetReader,
        FleetView,
        FleetAdminService,
        FleetReport,
        ConsoleRoutes,
        ExpansionStore,
        ExpansionsService,
        TenantsService,
        VmsService,
        PlacementRequestsWorker,
        { provide: TENANT_KEY_VERIFIER, useExisting: TenantsService },
        { provide: RELAY_OPTIONS, inject: [API_CONFIG], useFactory: (c: ApiConfig) => ({ databaseUrl: c.DATABASE_URL, enabled: c.MXS_OUTBOX_RELAY }) },
        OutboxRelay,
        {
          provide: AutomationLifecycle,
          inject: [PlacementRequestsWorker, API_CONFIG, Closer],
          useFactory: (w: PlacementRequestsWorker, c: ApiConfig, closer: Closer) => new AutomationLifecycle(w, c, closer),
        },
      ],
    };
  }
}
