import type { CallOptions, Progress } from '@mxs/host-agent';
import { isHostAgentError } from '@mxs/host-agent';
import type { StepRecord } from '@mxs/persistence';

/** One saga step: an idempotent call (or a long step polled until done) on the host agent. */
export interface Step {
  readonly name: string;
  /** Resolves `true`/`{done: true}` when the effect is there; `{done: false}` while it runs. */
  readonly run: (opts: CallOptions) => Promise<Progress | void>;
  /** Longest the step may keep failing transiently or keep running. */
  readonly deadlineMs: number;
}

/** Why a saga stops short: `permanent` needs compensation; `interrupted` resumes later. */
export class SagaStop extends Error {
  override readonly name = 'SagaStop';

  constructor(
    readonly kind: 'permanent' | 'deadline' | 'interrupted',
    readonly step: string,
    message: string,
    readonly record: Omit<StepRecord, 'finishedAt'>,
  ) {
    super(message);
  }
}

export interface StepTiming {
  readonly now: () => number;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** How long one long-poll holds the request open. */
  readonly pollWaitMs: number;
  readonly backoff: (attempt: number) => number;
}

export const realTiming: StepTiming = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    }),
  pollWaitMs: 5_000,
  // 50 ms doubling to 5 s, with jitter so a fleet of retries does not beat in step.
  backoff: (attempt) => Math.min(5_000, 50 * 2 ** Math.min(attempt, 7)) * (0.5 + Math.random() / 2),
};

/**
 * Runs a step until it is done: transient failures (host down, EBUSY, unreachable) are retried
 * with back-off, and a long step is polled, both until its deadline. A permanent failure, the
 * deadline, or a shutdown (`signal`) ends it with a SagaStop saying which.
 */
export async function runStep(step: Step, signal: AbortSignal, timing: StepTiming, onRetry: (code: string) => void): Promise<StepRecord> {
  const started = timing.now();
  const deadline = started + step.deadlineMs;
  const errors: string[] = [];
  let attempts = 0;
  let lastDetail = '';
  const record = (): Omit<StepRecord, 'finishedAt'> => ({ durationMs: timing.now() - started, attempts, errors: errors.slice(-10) });
  for (;;) {
    if (signal.aborted) throw new SagaStop('interrupted', step.name, 'the worker is shutting down', record());
    attempts++;
    try {
      const remaining = Math.max(0, deadline - timing.now());
      const progress = await step.run({ waitMs: Math.min(timing.pollWaitMs, remaining), signal });
      if (progress === undefined || progress.done) return { ...record(), finishedAt: new Date().toISOString() };
      lastDetail = progress.detail;
    } catch (error) {
      if (signal.aborted) throw new SagaStop('interrupted', step.name, 'the worker is shutting down', record());
      const message = error instanceof Error ? error.message : String(error);
      if (!isHostAgentError(error) || !error.transient) {
        errors.push(message);
        throw new SagaStop('permanent', step.name, `${step.name}: ${message}`, record());
      }
      errors.push(`${error.code}: ${message}`);
      lastDetail = message;
      onRetry(error.code);
      const pause = timing.backoff(attempts);
      if (timing.now() + pause >= deadline) {
        throw new SagaStop('deadline', step.name, `${step.name}: still failing after ${step.deadlineMs} ms (${lastDetail})`, record());
      }
      await timing.sleep(pause, signal);
      continue;
    }
    if (timing.now() >= deadline) {
      throw new SagaStop('deadline', step.name, `${step.name}: not done after ${step.deadlineMs} ms (${lastDetail})`, record());
    }
    // The agent answered before the wait ended without being done: do not spin on it.
    await timing.sleep(Math.min(100, Math.max(0, deadline - timing.now())), signal);
  }
}
