import { Injectable, Logger } from '@nestjs/common';
import type { ExpansionEvent, PlacementOutcome, PlacementRequestJob } from '@mxs/contracts';
import { QUEUES, placementRequestJobSchema } from '@mxs/contracts';
import { problemBody } from '@mxs/service-kit';
import type { Job } from 'bullmq';
import { createHash } from 'node:crypto';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { ApiError } from '../errors';
import { ExpansionsService } from '../expansions/expansions.service';
import { QueueSet, closeWhenStarted } from '@mxs/messaging';

export interface AutomationOptions {
  readonly connection: Redis;
  readonly prefix: string;
  readonly concurrency: number;
}

/**
 * Automation's way in: a `placement-requests` job goes through `ExpansionsService.create`, the
 * very code behind `POST /v1/vms/{vmId}/expansions`. The job's return value is the answer the
 * API would have given (status and body), and the same answer is published on
 * `expansion-events` for consumers that listen rather than wait.
 */
@Injectable()
export class PlacementRequestsWorker {
  private readonly log = new Logger(PlacementRequestsWorker.name);
  private worker: Worker | null = null;

  constructor(
    private readonly expansions: ExpansionsService,
    private readonly queues: QueueSet,
  ) {}

  start(options: AutomationOptions): void {
    this.worker = new Worker(QUEUES.placementRequests, (job) => this.handle(job), {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
    });
    this.worker.on('error', (error) => this.log.warn(`placement-requests worker: ${error.message}`));
  }

  /** Stops taking jobs and waits for the running ones. */
  async stop(): Promise<void> {
    if (this.worker !== null && this.worker !== undefined) await closeWhenStarted(this.worker);
    this.worker = null;
  }

  async handle(job: Job): Promise<PlacementOutcome> {
    const parsed = placementRequestJobSchema.safeParse(job.data);
    const instance = `/queues/${QUEUES.placementRequests}/jobs/${job.id ?? ''}`;
    if (!parsed.success) {
      const errors = parsed.error.issues.map((i) => ({ path: `data.${i.path.join('.')}`, message: i.message }));
      // A malformed job never becomes valid: fail it once, with the same field list the API gives.
      throw new UnrecoverableError(JSON.stringify({ status: 400, errors }));
    }
    const request = parsed.data;
    const { tenantId, vmId, idempotencyKey, requestId: given, ...expansion } = request;
    // A job without one gets an id derived from its job id, in the same alphabet as HTTP's.
    const requestId = given ?? `job-${String(job.id ?? 'unknown').replace(/[^A-Za-z0-9._:-]/g, '_')}`.slice(0, 64);
    let outcome: PlacementOutcome;
    try {
      const accepted = await this.expansions.create({ tenantId, vmId, request: expansion, idempotencyKey, requestId });
      outcome = { status: accepted.status, body: accepted.body };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error; // infrastructure trouble: BullMQ retries
      outcome = { status: error.status, body: problemBody(error.toInit(), { instance, requestId }) };
    }
    await this.publish(request, outcome, String(job.id ?? ''));
    this.log.log({ requestId, jobId: job.id, status: outcome.status }, 'placement request answered');
    return outcome;
  }

  /**
   * One event per outcome: a placed expansion is announced once however many jobs ask for it
   * under its key, and each job's refusal is its own event (a later retry that succeeds must not
   * be swallowed by an earlier refusal's id). A retried run of one job publishes once.
   */
  private async publish(request: PlacementRequestJob, outcome: PlacementOutcome, jobId: string): Promise<void> {
    const body = outcome.body as { id?: string; state?: ExpansionEvent['state'] };
    const placed = outcome.status === 202;
    const subject = placed ? `expansion:${body.id ?? ''}` : `job:${jobId}:${outcome.status}`;
    const event: ExpansionEvent = {
      eventId: `placement:${request.tenantId}:${request.idempotencyKey}:${subject}`,
      type: placed ? 'expansion.placed' : 'expansion.rejected',
      tenantId: request.tenantId,
      vmId: request.vmId,
      expansionId: placed ? (body.id ?? null) : null,
      state: placed ? (body.state ?? null) : null,
      idempotencyKey: request.idempotencyKey,
      status: outcome.status,
      at: new Date().toISOString(),
      body: outcome.body,
    };
    const eventJobId = `placement-${createHash('sha256').update(event.eventId).digest('base64url')}`;
    await this.queues.get(QUEUES.expansionEvents).add('expansion-event', event, { jobId: eventJobId });
  }
}
