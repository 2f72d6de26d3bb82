import { Module } from '@nestjs/common';
import type { DynamicModule, OnApplicationBootstrap } from '@nestjs/common';
import { QUEUES } from '@mxs/contracts';
import { QueueSet, workerConnection } from '@mxs/messaging';
import { Closer } from '@mxs/service-kit';
import { Registry } from 'prom-client';
import type { WorkerConfig } from '../config';
import { LostOperations } from '../reconcile/lost-operations';
import { Reconciler } from '../reconcile/reconciler';
import { DeviceTelemetry } from '../telemetry/device-telemetry';
import { DegradedExpansions } from './degraded-expansions';
import { MaintenanceMetrics } from './maintenance-metrics';
import { MaintenanceProcessor } from './maintenance.processor';

/** Schedules the sweeps, then consumes them; on shutdown the consumer stops with the other workers. */
class MaintenanceLifecycle implements OnApplicationBootstrap {
  constructor(
    private readonly processor: MaintenanceProcessor,
    private readonly queues: QueueSet,
    private readonly config: WorkerConfig,
    private readonly closer: Closer,
  ) {}

  onApplicationBootstrap(): void {
    // Not awaited: Redis may be away for a moment (a restart), and that must not stop the worker starting.
    const stopScheduling = new AbortController();
    const scheduling = this.processor.scheduleWhenReachable(this.queues.get(QUEUES.maintenance), stopScheduling.signal);
    const connection = workerConnection(this.config.REDIS_URL, 'mxs-hotplug-maintenance');
    connection.on('error', () => undefined);
    this.processor.start(connection);
    this.closer.add('workers', 'maintenance consumer', async () => {
      stopScheduling.abort();
      await scheduling;
      await this.processor.stop();
    });
    this.closer.add('redis', 'maintenance consumer connection', async () => {
      await connection.quit().catch(() => connection.disconnect());
    });
  }
}

/**
 * Device telemetry, degraded expansions and reconciliation (DESIGN §5, §7), on the worker's
 * shared connections, config and agent client (the global infra module's).
 */
@Module({})
export class MaintenanceModule {
  static forRoot(config: WorkerConfig): DynamicModule {
    return {
      module: MaintenanceModule,
      providers: [
        { provide: MaintenanceMetrics, inject: [Registry], useFactory: (registry: Registry) => new MaintenanceMetrics(registry) },
        DegradedExpansions,
        DeviceTelemetry,
        LostOperations,
        Reconciler,
        MaintenanceProcessor,
        {
          provide: MaintenanceLifecycle,
          inject: [MaintenanceProcessor, QueueSet, Closer],
          useFactory: (p: MaintenanceProcessor, q: QueueSet, closer: Closer) => new MaintenanceLifecycle(p, q, config, closer),
        },
      ],
    };
  }
}
