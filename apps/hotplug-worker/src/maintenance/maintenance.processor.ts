import { Inject, Injectable, Logger } from '@nestjs/common';
import type { MaintenanceJobName } from '@mxs/contracts';
import { MAINTENANCE_JOBS, QUEUES } from '@mxs/contracts';
import type { Job, Queue } from 'bullmq';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { WorkerConfig } from '../config';
import { checkJobWiring, closeWhenStarted } from '@mxs/messaging';
import { Reconciler } from '../reconcile/reconciler';
import { realTiming } from '../sagas/step-runner';
import { DeviceTelemetry } from '../telemetry/device-telemetry';
import { WORKER_CONFIG } from '../tokens';

type Sweep = () => Promise<unknown>;

/** Sweeps are short and independent: one of each may run at once on a worker. */
const CONCURRENCY = MAINTENANCE_JOBS.length;

/**
 * The `maintenance` queue's consumer and the schedulers that feed it. Each sweep is a job made
 * by a BullMQ job scheduler (one per name, whatever the number of workers that upsert it), and
 * the same sweeps are methods for tests and operators to call directly.
 */
@Injectable()
export class MaintenanceProcessor {
  private readonly log = new Logger(MaintenanceProcessor.name);
  private readonly sweeps: Record<MaintenanceJobName, Sweep>;
  private worker: Worker | null = null;

  constructor(
    telemetry: DeviceTelemetry,
    reconciler: Reconciler,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {
    this.sweeps = { reconcile: () => reconciler.reconcile(), 'device-telemetry': () => telemetry.sweep() };
    checkJobWiring(QUEUES.maintenance, this.sweeps, MAINTENANCE_JOBS);
  }

  /** Every this many ms, per job name; 0 leaves the schedule to another process. */
  intervals(): Record<MaintenanceJobName, number> {
    return { 'device-telemetry': this.config.MXS_TELEMETRY_INTERVAL_MS, reconcile: this.config.MXS_RECONCILE_INTERVAL_MS };
  }

  /** Creates or updates this process's schedules; returns the names it scheduled. */
  async schedule(queue: Queue): Promise<MaintenanceJobName[]> {
    const scheduled: MaintenanceJobName[] = [];
    for (const [name, everyMs] of Object.entries(this.intervals()) as [MaintenanceJobName, number][]) {
      if (everyMs <= 0) continue;
      await queue.upsertJobScheduler(name, { every: everyMs }, { name, data: {}, opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 1_000 } } });
      scheduled.push(name);
    }
    return scheduled;
  }

  /**
   * Schedules until it succeeds: a worker that starts while Redis is away (restarting, not yet
   * up) comes up anyway, consumes once Redis is back, and schedules then. Resolves with the
   * names scheduled, or null when `stop` ends the attempts first.
   */
  async scheduleWhenReachable(queue: Queue, stop: AbortSignal): Promise<MaintenanceJobName[] | null> {
    for (let attempt = 0; !stop.aborted; attempt++) {
      try {
        return await this.schedule(queue);
      } catch (error) {
        if (stop.aborted) break;
        const waitMs = realTiming.backoff(attempt);
        this.log.warn(`could not schedule the maintenance sweeps (${(error as Error).message}); trying again in ${Math.round(waitMs)} ms`);
        await realTiming.sleep(waitMs, stop);
      }
    }
    return null;
  }

  start(connection: Redis): Worker {
    this.worker = new Worker(QUEUES.maintenance, (job) => this.process(job), {
      connection,
      prefix: this.config.MXS_QUEUE_PREFIX,
      concurrency: CONCURRENCY,
      lockDuration: this.config.MXS_JOB_LOCK_MS,
    });
    this.worker.on('error', (error) => this.log.warn(`maintenance worker: ${error.message}`));
    this.worker.on('failed', (job, error) => this.log.warn(`maintenance job ${job?.name ?? '?'} failed: ${error.message}`));
    return this.worker;
  }

  /** Stops taking sweeps and lets the running ones finish (a sweep is safe to cut short, but short anyway). */
  async stop(): Promise<void> {
    if (this.worker !== null && this.worker !== undefined) await closeWhenStarted(this.worker);
    this.worker = null;
  }

  async process(job: Job): Promise<unknown> {
    const sweep = (this.sweeps as Record<string, Sweep | undefined>)[job.name];
    if (sweep === undefined) throw new UnrecoverableError(`no maintenance job named "${job.name}"`);
    return sweep();
  }
}
