import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { HotplugJob } from '@mxs/contracts';
import type { HostAgent } from '@mxs/host-agent';
import { isHostAgentError } from '@mxs/host-agent';
import { OutboxRelay } from '@mxs/messaging';
import { WorkerMetrics } from '../metrics/worker-metrics';
import { HOST_AGENT, WORKER_CONFIG } from '../tokens';
import type { WorkerConfig } from '../config';
import type { OperationCheckpoint } from '@mxs/persistence';
import type { Ending, FinishedStep, OperationSnapshot } from './operation-store';
import { OperationStore } from './operation-store';
import { HostTurns } from './host-turns';
import type { Deadlines } from './saga-steps';
import { hotAddSteps, hotAddUndoSteps, hotRemoveRollbackSteps, hotRemoveSteps, releaseStep } from './saga-steps';
import type { Step, StepTiming } from './step-runner';
import { SagaStop, realTiming, runStep } from './step-runner';

/** How a run ended: finished one way or another, or it must wait and run again. */
export type SagaResult = 'done' | 'failed' | 'superseded' | 'already-finished' | 'host-busy' | 'waiting-for-hot-add' | 'interrupted';

export const STEP_TIMING = Symbol('STEP_TIMING');

/** A job as one run of its saga holds it: the run id is what the host lease names. */
type RunningJob = HotplugJob & { readonly runId: string };

/**
 * The hot-add and hot-remove sagas. A run takes the host's lease, skips the steps its checkpoint
 * says are done, runs the rest (each idempotent at the agent), and ends in one transaction. A
 * permanent failure runs the compensation; a shutdown leaves the checkpoint for the next run.
 */
@Injectable()
export class HotplugSagas {
  private readonly log = new Logger(HotplugSagas.name);
  private readonly deadlines: Deadlines;
  // A few sagas may wait in line per host; more go back to the queue so other hosts get the slots.
  private readonly turns = new HostTurns(4);

  constructor(
    private readonly store: OperationStore,
    @Inject(HOST_AGENT) private readonly agent: HostAgent,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    private readonly metrics: WorkerMetrics,
    private readonly relay: OutboxRelay,
    @Inject(STEP_TIMING) private readonly timing: StepTiming = realTiming,
  ) {
    this.deadlines = { stepMs: config.MXS_STEP_DEADLINE_MS, sanitizeMsPerGiB: config.MXS_SANITIZE_MS_PER_GIB };
  }

  /** `queuedAt` is when the job was queued: how long this run waited for its lease is a metric. */
  async run(job: HotplugJob, shutdown: AbortSignal, queuedAt: number): Promise<SagaResult> {
    const releaseTurn = await this.turns.take(job.hostId);
    if (releaseTurn === null) return 'host-busy';
    try {
      const run: RunningJob = { ...job, runId: randomUUID() };
      const begun = await this.store.begin(job, this.config.MXS_HOST_LEASE_MS, run.runId);
      if (begun.kind === 'finished') return 'already-finished';
      if (begun.kind === 'busy') return 'host-busy';
      // A hot-remove waits for its hot-add: in line behind it when that runs here, else it comes back after it.
      if (begun.kind === 'waiting-for-hot-add') return 'waiting-for-hot-add';
      this.metrics.leaseTaken(job.kind, Math.max(0, Date.now() - queuedAt) / 1000);
      const lease = this.holdLease(run, shutdown);
      let ended = false;
      try {
        const result = await this.resume(run, begun.snapshot, lease.signal);
        // Its ending let the lease go in the same transaction (or another run holds it now).
        ended = true;
        return result;
      } catch (error) {
        if (error instanceof SagaStop && error.kind === 'interrupted') return 'interrupted';
        throw error;
      } finally {
        lease.stop();
        // Whatever else stopped this run, the next one (a retry, another worker) need not wait out the lease.
        if (!ended) await this.store.releaseLease(job.hostId, run.runId).catch(() => undefined);
      }
    } finally {
      releaseTurn();
    }
  }

  private async resume(job: RunningJob, s: OperationSnapshot, signal: AbortSignal): Promise<SagaResult> {
    if (s.state === 'compensating') return this.compensate(job, s.checkpoint, s.checkpoint.failure ?? 'unknown failure', signal);
    if (!this.stillWanted(job, s)) return this.finish(job, { operationState: 'superseded', from: [], to: null, reason: null, returnCapacity: false, usage: null });
    const steps =
      job.kind === 'hot-add'
        ? hotAddSteps(this.agent, job, this.deadlines)
        : job.force === true
          ? [releaseStep(this.agent, job, this.deadlines, true)] // the fabric takes the region and the VM's share at once
          : hotRemoveSteps(this.agent, job, this.deadlines);
    const started = Date.now();
    let unwritten: FinishedStep[];
    try {
      unwritten = await this.runSteps(job, steps, 'steps', s.checkpoint, signal, { keepUnwritten: true });
    } catch (error) {
      if (!(error instanceof SagaStop) || error.kind === 'interrupted') throw error;
      this.metrics.failed(job.kind, error.step, error.kind);
      await this.store.startCompensation(job.operationId, error.message);
      return this.compensate(job, { ...s.checkpoint, failure: error.message }, error.message, signal);
    }
    this.metrics.sagaDone(job.kind, 'done', (Date.now() - started) / 1000);
    return job.kind === 'hot-add'
      ? this.finish(job, { operationState: 'done', from: ['attaching'], to: 'active', reason: null, returnCapacity: false, usage: 'expansion.activated' }, unwritten)
      : this.finish(job, { operationState: 'done', from: ['detaching'], to: 'released', reason: null, returnCapacity: true, usage: 'expansion.released' }, unwritten);
  }

  /** A hot-add whose expansion was removed before any step ran has nothing to do. */
  private stillWanted(job: RunningJob, s: OperationSnapshot): boolean {
    const anyDone = Object.keys(s.checkpoint.steps ?? {}).length > 0;
    if (job.kind === 'hot-add') return anyDone || s.expansionState === 'attaching';
    return s.expansionState === 'detaching';
  }

  /**
   * Undoes a failed saga. A hot-add is rolled back and its capacity returned once the fabric has
   * scrubbed it; a hot-remove that could not take the memory away gives it back to the VM. When
   * the undo itself cannot finish, the capacity stays held and the reason says so.
   */
  private async compensate(job: RunningJob, checkpoint: OperationCheckpoint, failure: string, signal: AbortSignal): Promise<SagaResult> {
    const failedStep = /^([a-z-]+):/.exec(failure)?.[1] ?? '';
    if (job.kind === 'hot-remove' && ['vm-unplug', 'host-offline'].includes(failedStep)) {
      const rolledBack = await this.tryUndo(job, hotRemoveRollbackSteps(this.agent, job, this.deadlines), checkpoint, signal);
      const reason = `hot-remove gave up (${failure}); the memory stays attached, try removing it again later`;
      if (rolledBack === null) return this.finish(job, { operationState: 'failed', from: ['detaching'], to: 'active', reason, returnCapacity: false, usage: null });
    }
    if (job.kind === 'hot-add') {
      const undone = await this.tryUndo(job, hotAddUndoSteps(this.agent, job, this.deadlines, failedStep), checkpoint, signal);
      if (undone === null || (undone.startsWith('undo-fabric-offer') && (await this.forceRelease(job, checkpoint, signal)))) {
        return this.finish(job, { operationState: 'failed', from: ['attaching', 'detaching'], to: 'failed', reason: `hot-add failed: ${failure}`, returnCapacity: true, usage: null });
      }
      return this.finish(job, { operationState: 'failed', from: ['attaching', 'detaching'], to: 'failed', reason: `hot-add failed: ${failure}; undo stopped (${undone}), capacity held until it is repaired`, returnCapacity: false, usage: null });
    }
    // The region is gone or the fabric refused: the VM has lost the memory; only a scrubbed release frees it.
    const released = await this.forceRelease(job, checkpoint, signal);
    const reason = released ? `hot-remove failed: ${failure}; released by force` : `hot-remove failed: ${failure}; capacity held until it is repaired`;
    return this.finish(job, { operationState: 'failed', from: ['detaching', 'active'], to: released ? 'released' : 'failed', reason, returnCapacity: released, usage: 'expansion.released' });
  }

  /** Runs undo steps; null when all are done, else what stopped them. */
  private async tryUndo(job: RunningJob, steps: Step[], checkpoint: OperationCheckpoint, signal: AbortSignal): Promise<string | null> {
    try {
      await this.runSteps(job, steps.map(tolerateAbsent), 'undone', checkpoint, signal);
      return null;
    } catch (error) {
      if (!(error instanceof SagaStop) || error.kind === 'interrupted') throw error;
      return error.message;
    }
  }

  private async forceRelease(job: RunningJob, checkpoint: OperationCheckpoint, signal: AbortSignal): Promise<boolean> {
    return (await this.tryUndo(job, [releaseStep(this.agent, job, this.deadlines, true)], checkpoint, signal)) === null;
  }

  /**
   * Runs the steps not yet done, each checkpointed. A finished step's checkpoint waits while the
   * next step runs, up to MXS_CHECKPOINT_AFTER_MS, so steps that finish sooner go in one write
   * (or with the ending): at time scale 0 a saga's three step writes had cost PostgreSQL as
   * much as its ending. Each step is idempotent at the agent, so a run that died before a write
   * repeats those steps harmlessly. Writes stay in order (each waits for the one before), and
   * all are committed before this returns, so a saga never ends ahead of its checkpoint; with
   * `keepUnwritten`, the steps not yet written are returned instead, for the ending to write.
   */
  private async runSteps(job: RunningJob, steps: Step[], section: 'steps' | 'undone', checkpoint: OperationCheckpoint, signal: AbortSignal, options: { keepUnwritten?: boolean } = {}): Promise<FinishedStep[]> {
    const done = checkpoint[section] ?? {};
    let written: Promise<void> = Promise.resolve();
    let unwritten: FinishedStep[] = [];
    const write = (): void => {
      if (unwritten.length === 0) return;
      const batch = unwritten;
      unwritten = [];
      written = written.then(() => this.store.recordSteps(job.operationId, section, batch));
      // Awaited below; meanwhile a failed write must not count as unhandled.
      written.catch(() => undefined);
    };
    try {
      for (const [position, step] of steps.entries()) {
        if (done[step.name] !== undefined) continue;
        const due = unwritten.length === 0 ? undefined : setTimeout(write, this.config.MXS_CHECKPOINT_AFTER_MS);
        try {
          const record = await runStep(step, signal, this.timing, (code) => this.metrics.retried(job.kind, step.name, code));
          this.metrics.stepDone(job.kind, step.name, record.durationMs / 1000);
          unwritten.push({ step: step.name, record: { ...record, position } });
        } finally {
          clearTimeout(due);
        }
      }
    } catch (error) {
      // A step that failed lets the checkpoints of those before it be written; its own error wins.
      write();
      await written.catch(() => undefined);
      throw error;
    }
    if (options.keepUnwritten !== true) write();
    await written;
    return unwritten;
  }

  private async finish(job: RunningJob, ending: Ending, unwritten: readonly FinishedStep[] = []): Promise<SagaResult> {
    const events = await this.store.end(job, ending, new Date(), job.runId, unwritten);
    if (events === null) {
      // Its lease lapsed and another run holds the host: that run ends the saga, not this one.
      this.log.warn({ operationId: job.operationId, expansionId: job.expansionId, requestId: job.requestId }, `${job.kind} lost its host lease before it could end; another run finishes it`);
      return 'interrupted';
    }
    if (events > 0) this.relay.kick();
    if (ending.operationState === 'failed') this.log.warn({ operationId: job.operationId, expansionId: job.expansionId, requestId: job.requestId, reason: ending.reason }, `${job.kind} failed`);
    else this.log.log({ operationId: job.operationId, expansionId: job.expansionId, requestId: job.requestId, state: ending.to }, `${job.kind} ${ending.operationState}`);
    return ending.operationState;
  }

  /** Keeps the host lease alive while the saga runs; losing it stops the saga (another took over). */
  private holdLease(job: RunningJob, shutdown: AbortSignal): { signal: AbortSignal; stop: () => void } {
    const lost = new AbortController();
    const onShutdown = (): void => lost.abort();
    shutdown.addEventListener('abort', onShutdown, { once: true });
    if (shutdown.aborted) lost.abort();
    const timer = setInterval(() => {
      this.store.renewLease(job.hostId, job.runId, this.config.MXS_HOST_LEASE_MS).then(
        (held) => {
          if (!held) lost.abort();
        },
        () => undefined, // the database blinked; the next renewal (or the lease's slack) covers it
      );
    }, Math.max(100, Math.floor(this.config.MXS_HOST_LEASE_MS / 3)));
    return {
      signal: lost.signal,
      stop: () => {
        clearInterval(timer);
        shutdown.removeEventListener('abort', onShutdown);
      },
    };
  }
}

/** Undoing what is not there is done: `not-found` from the agent means nothing is left to undo. */
function tolerateAbsent(step: Step): Step {
  return {
    ...step,
    run: async (o) => {
      try {
        return await step.run(o);
      } catch (error) {
        if (isHostAgentError(error, 'not-found')) return undefined;
        throw error;
      }
    },
  };
}
