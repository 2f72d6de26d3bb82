import { Inject, Injectable, Logger } from '@nestjs/common';
import type { BillingJobName } from '@mxs/contracts';
import { BILLING_JOBS, QUEUES } from '@mxs/contracts';
import { checkJobWiring, closeWhenStarted } from '@mxs/messaging';
import type { Job, Queue } from 'bullmq';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BillingConfig } from '../config';
import { BILLING_CONFIG } from '../infra/infra.module';
import { InvoicesService } from './invoices.service';

/**
 * The `billing` queue: a BullMQ job scheduler makes one `billing-close` job per interval,
 * whatever the number of billing replicas, and one of them runs it.
 */
@Injectable()
export class BillingCloseProcessor {
  private readonly log = new Logger(BillingCloseProcessor.name);
  private readonly jobs: Record<BillingJobName, () => Promise<unknown>>;
  private worker: Worker | null = null;

  constructor(
    invoices: InvoicesService,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
  ) {
    this.jobs = { 'billing-close': () => invoices.closeDue() };
    checkJobWiring(QUEUES.billing, this.jobs, BILLING_JOBS);
  }

  async schedule(queue: Queue): Promise<void> {
    const everyMs = this.config.MXS_BILLING_CLOSE_INTERVAL_MS;
    if (everyMs <= 0) return;
    await queue.upsertJobScheduler('billing-close', { every: everyMs }, { name: 'billing-close', data: {} });
  }

  start(connection: Redis): Worker {
    // One close at a time per replica: a close rates a whole month in one transaction.
    this.worker = new Worker(QUEUES.billing, (job) => this.process(job), { connection, prefix: this.config.MXS_QUEUE_PREFIX, concurrency: 1, lockDuration: 120_000 });
    this.worker.on('error', (error) => this.log.warn(`billing worker: ${error.message}`));
    this.worker.on('failed', (job, error) => this.log.warn(`billing job ${job?.name ?? '?'} failed: ${error.message}`));
    return this.worker;
  }

  async stop(): Promise<void> {
    if (this.worker !== null && this.worker !== undefined) await closeWhenStarted(this.worker);
    this.worker = null;
  }

  async process(job: Job): Promise<unknown> {
    const run = (this.jobs as Record<string, (() => Promise<unknown>) | undefined>)[job.name];
    if (run === undefined) throw new UnrecoverableError(`no billing job named "${job.name}"`);
    return run();
  }
}
