import { Inject, Injectable, Logger } from '@nestjs/common';
import type { HotplugJob, HotplugJobName } from '@mxs/contracts';
import { HOTPLUG_JOBS, QUEUES, hotplugJobSchema } from '@mxs/contracts';
import { checkJobWiring, closeWhenStarted, workerLanes } from '@mxs/messaging';
import type { Job } from 'bullmq';
import type { Worker } from 'bullmq';
import { DelayedError, UnrecoverableError } from 'bullmq';
import type { Redis } from 'ioredis';
import type { WorkerConfig } from './config';
import type { SagaResult } from './sagas/hotplug-sagas';
import { HotplugSagas } from './sagas/hotplug-sagas';
import { WORKER_CONFIG } from './tokens';

/** `queuedAt`: when the job was added to the queue (ms since the epoch), for the lease-wait metric. */
type Handler = (job: HotplugJob, shutdown: AbortSignal, queuedAt: number) => Promise<SagaResult>;


/** How long a run that must wait (host busy, hot-add unfinished) waits before it tries again. */
// A busy host is another process's (this one's own wait in line): try again in a while, not at once.
const WAIT_MS: Partial<Record<SagaResult, number>> = { 'host-busy': 200, 'waiting-for-hot-add': 100, interrupted: 0 };

/**
 * The `hotplug` queue's consumer. Job id = operation id; a run that must wait is put back as
 * delayed (not failed), and on shutdown it stops taking jobs, lets running sagas finish for a
 * grace period, then interrupts them at their next step (their checkpoint says where to resume).
 */
@Injectable()
export class HotplugProcessor {
  private readonly log = new Logger(HotplugProcessor.name);
  private readonly shutdown = new AbortController();
  private workers: Worker[] = [];
  private readonly handlers: Record<HotplugJobName, Handler>;

  constructor(
    private readonly sagas: HotplugSagas,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {
    this.handlers = { 'hot-add': (job, s, at) => this.sagas.run(job, s, at), 'hot-remove': (job, s, at) => this.sagas.run(job, s, at) };
    checkJobWiring(QUEUES.hotplug, this.handlers, HOTPLUG_JOBS);
  }

  start(connection: Redis): void {
    this.workers = workerLanes(QUEUES.hotplug, (job, token) => this.process(job, token), {
      connection,
      prefix: this.config.MXS_QUEUE_PREFIX,
      concurrency: this.config.MXS_WORKER_CONCURRENCY,
      lockDuration: this.config.MXS_JOB_LOCK_MS,
      stalledInterval: Math.max(250, Math.floor(this.config.MXS_JOB_LOCK_MS / 2)),
      // A saga is safe to re-run after its worker died, however often that happens.
      maxStalledCount: 100,
    }, this.config.MXS_WORKER_LANES);
    for (const worker of this.workers) {
      worker.on('error', (error) => this.log.warn(`hotplug worker: ${error.message}`));
      // A saga's own failures end in its compensation; a job that fails is infrastructure trouble, retried by BullMQ.
      worker.on('failed', (job, error) => this.log.warn({ operationId: job?.id, attempts: job?.attemptsMade, err: error }, `hotplug job failed: ${error.message}`));
    }
  }

  /** Stops taking jobs; running sagas get `graceMs` to finish, then stop at a checkpoint. */
  async stop(graceMs: number): Promise<void> {
    const workers = this.workers;
    if (workers.length === 0) return;
    const grace = setTimeout(() => this.shutdown.abort(), graceMs);
    try {
      await Promise.all(workers.map((w) => closeWhenStarted(w)));
    } finally {
      clearTimeout(grace);
      this.workers = [];
    }
  }

  async process(job: Job, token: string | undefined): Promise<SagaResult> {
    const parsed = hotplugJobSchema.safeParse(job.data);
    if (!parsed.success || parsed.data.kind !== job.name || parsed.data.operationId !== job.id) {
      const why = parsed.success ? `job name "${job.name}" or id "${job.id ?? ''}" does not match its data` : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new UnrecoverableError(`malformed hotplug job: ${why}`);
    }
    const handler = this.handlers[parsed.data.kind];
    const result = await handler(parsed.data, this.shutdown.signal, job.timestamp);
    const waitMs = WAIT_MS[result];
    if (waitMs !== undefined && token !== undefined) {
      // Jitter spreads the jobs that wait on one host so they do not all come back at once.
      await job.moveToDelayed(Date.now() + waitMs * (0.5 + Math.random()), token);
      throw new DelayedError();
    }
    return result;
  }
}
