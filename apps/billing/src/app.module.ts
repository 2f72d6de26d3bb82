import { Module } from '@nestjs/common';
import type { DynamicModule, OnApplicationBootstrap } from '@nestjs/common';
import { QUEUES } from '@mxs/contracts';
import { QueueSet, workerConnection } from '@mxs/messaging';
import { tenantKeyByPrefix } from '@mxs/persistence';
import { CachedTenantKeyVerifier, Closer, HealthModule, ServiceKitModule, TENANT_KEY_VERIFIER, postgresCheck, redisCheck } from '@mxs/service-kit';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import type { DestinationStream } from 'pino';
import { DataSource } from 'typeorm';
import type { BillingConfig } from './config';
import { BILLING_CONFIG, InfraModule, PRODUCER_REDIS } from './infra/infra.module';
import { BillingCloseProcessor } from './invoices/billing-close.processor';
import { AdminInvoicesController, InvoicesController } from './invoices/invoices.controller';
import { InvoicesService } from './invoices/invoices.service';
import { MonthRater } from './invoices/month-rater';
import { UsageConsumer } from './metering/usage-consumer';
import { MeterStore } from './metering/meter-store';
import { BillingMetrics } from './metrics/billing-metrics';
import { PlansController } from './plans/plans.controller';
import { PlansService } from './plans/plans.service';
import { TenantPlansService } from './plans/tenant-plans.service';
import { SlaEvaluator } from './sla/sla-evaluator';
import { AdminSlaController, SlaController } from './sla/sla.controller';
import { SlaService } from './sla/sla.service';
import { UsageController } from './usage/usage.controller';
import { UsageService } from './usage/usage.service';

/** Starts the consumers once everything is up; on shutdown they drain before queues, Redis and the database close. */
class BillingLifecycle implements OnApplicationBootstrap {
  constructor(
    private readonly consumer: UsageConsumer,
    private readonly close: BillingCloseProcessor,
    private readonly sla: SlaEvaluator,
    private readonly queues: QueueSet,
    private readonly config: BillingConfig,
    private readonly closer: Closer,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const connections = [workerConnection(this.config.REDIS_URL, 'mxs-billing-meter'), workerConnection(this.config.REDIS_URL, 'mxs-billing-close')] as const;
    for (const c of connections) c.on('error', () => undefined);
    if (this.config.MXS_METER_CONCURRENCY > 0) this.consumer.start(connections[0]);
    this.close.start(connections[1]);
    // Redis away at start: the schedule exists from an earlier start or is made at the next.
    await this.close.schedule(this.queues.get(QUEUES.billing)).catch(() => undefined);
    this.sla.start();
    this.closer.add('workers', 'usage-events consumer', () => this.consumer.stop());
    this.closer.add('workers', 'billing-close worker', () => this.close.stop());
    this.closer.add('workers', 'SLA evaluation', () => this.sla.stop());
    this.closer.add('redis', 'billing worker connections', async () => {
      for (const c of connections) await c.quit().catch(() => c.disconnect());
    });
  }
}

@Module({})
export class AppModule {
  static forRoot(config: BillingConfig, options: { logDestination?: DestinationStream } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot({ config, rateLimit: { keyPrefix: 'mxs-billing:' }, ...(options.logDestination === undefined ? {} : { logDestination: options.logDestination }) }),
        InfraModule.forRoot(config),
        HealthModule.forRootAsync({
          inject: [DataSource, PRODUCER_REDIS],
          useFactory: (db: DataSource, redis: Redis) => [postgresCheck(db), redisCheck(redis)],
        }),
      ],
      controllers: [InvoicesController, AdminInvoicesController, PlansController, UsageController, SlaController, AdminSlaController],
      providers: [
        { provide: BillingMetrics, inject: [Registry], useFactory: (registry: Registry) => new BillingMetrics(registry) },
        { provide: TENANT_KEY_VERIFIER, inject: [DataSource], useFactory: (db: DataSource) => new CachedTenantKeyVerifier((prefix) => tenantKeyByPrefix(db, prefix)) },
        MeterStore,
        UsageConsumer,
        PlansService,
        TenantPlansService,
        MonthRater,
        InvoicesService,
        BillingCloseProcessor,
        UsageService,
        SlaService,
        SlaEvaluator,
        {
          provide: BillingLifecycle,
          inject: [UsageConsumer, BillingCloseProcessor, SlaEvaluator, QueueSet, BILLING_CONFIG, Closer],
          useFactory: (u: UsageConsumer, b: BillingCloseProcessor, s: SlaEvaluator, q: QueueSet, c: BillingConfig, closer: Closer) => new BillingLifecycle(u, b, s, q, c, closer),
        },
      ],
    };
  }
}
