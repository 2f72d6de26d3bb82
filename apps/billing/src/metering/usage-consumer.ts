import { Inject, Injectable, Logger } from '@nestjs/common';
import type { UsageEvent } from '@mxs/contracts';
import { QUEUES, USAGE_EVENT_JOBS, usageEventSchema } from '@mxs/contracts';
import type { Queued } from '@mxs/messaging';
import { Batcher, closeWhenStarted } from '@mxs/messaging';
import type { Job } from 'bullmq';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BillingConfig } from '../config';
import { BILLING_CONFIG } from '../infra/infra.module';
import { BillingMetrics } from '../metrics/billing-metrics';
import type { MeterOutcome } from './meter-store';
import { MeterStore } from './meter-store';

/**
 * The `usage-events` consumer. Many jobs are held at once and their events share transactions
 * (a batch per round trip); a job completes only once its event's claim has committed, so a
 * crash at any point leaves the event either claimed with its effect or still on the queue.
 */
@Injectable()
export class UsageConsumer {
  private readonly log = new Logger(UsageConsumer.name);
  private worker: Worker | null = null;
  private readonly batcher: Batcher<UsageEvent, MeterOutcome>;

  constructor(
    private readonly store: MeterStore,
    private readonly metrics: BillingMetrics,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
  ) {
    this.batcher = new Batcher({ maxBatch: config.MXS_METER_BATCH, maxInFlight: config.MXS_METER_WRITERS }, (batch) => this.write(batch));
  }

  start(connection: Redis): Worker {
    this.worker = new Worker(QUEUES.usageEvents, (job) => this.process(job), {
      connection,
      prefix: this.config.MXS_QUEUE_PREFIX,
      concurrency: this.config.MXS_METER_CONCURRENCY,
      // Claims are idempotent: a job re-run after its consumer died only finds its event claimed.
      maxStalledCount: 100,
      lockDuration: this.config.MXS_METER_LOCK_MS,
      stalledInterval: this.config.MXS_METER_LOCK_MS,
    });
    this.worker.on('error', (error) => this.log.warn(`usage-events worker: ${error.message}`));
    this.worker.on('failed', (job, error) => this.log.warn({ eventId: job?.id, attempts: job?.attemptsMade, err: error }, `usage event not metered: ${error.message}`));
    return this.worker;
  }

  /** Stops taking events; the ones held finish their batch first. */
  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker !== null && worker !== undefined) await closeWhenStarted(worker);
  }

  async process(job: Job): Promise<MeterOutcome> {
    const parsed = usageEventSchema.safeParse(job.data);
    if (!(USAGE_EVENT_JOBS as readonly string[]).includes(job.name) || !parsed.success || parsed.data.eventId !== job.id) {
      this.metrics.events.inc({ outcome: 'invalid' });
      const why = parsed.success ? `job name "${job.name}" or id "${job.id ?? ''}" does not match the event` : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new UnrecoverableError(`malformed usage event: ${why}`);
    }
    return this.batcher.submit(parsed.data);
  }

  private async write(batch: readonly Queued<UsageEvent, MeterOutcome>[]): Promise<void> {
    const stop = this.metrics.batchSeconds.startTimer();
    try {
      const outcomes = await this.store.meter(batch.map((q) => q.item));
      for (const q of batch) {
        const outcome = outcomes.get(q.item.eventId) ?? 'duplicate';
        this.metrics.events.inc({ outcome });
        q.resolve(outcome);
      }
      this.metrics.batchSize.observe(batch.length);
    } catch (error) {
      // One event the database refuses must not hold the others back: write them one by one.
      if (batch.length === 1) throw error;
      this.log.warn(`a batch of ${batch.length} usage events failed (${error instanceof Error ? error.message : String(error)}); writing them one at a time`);
      await Promise.all(batch.map((q) => this.write([q]).catch((e: unknown) => q.reject(e))));
    } finally {
      stop();
    }
  }
}
