import type { Operation, SagaStep } from '../../api/types';

export interface StepBar {
  step: SagaStep;
  /** Where the step started, in % of the saga's span. */
  offsetPct: number;
  widthPct: number;
  retries: number;
}

export interface SagaChart {
  bars: StepBar[];
  spanMs: number;
}

const retriesOf = (attempts: number): number => Math.max(attempts - 1, 0);

/** Gantt bars: a step ran for durationMs up to finishedAt; the span runs from the saga's start to its last moment. */
export function sagaChart(operation: Operation): SagaChart {
  const steps = operation.steps.map((step) => {
    const endMs = Date.parse(step.finishedAt);
    return { step, startMs: endMs - step.durationMs, endMs };
  });
  const starts = steps.map((s) => s.startMs);
  const ends = steps.map((s) => s.endMs);
  if (operation.startedAt !== null) starts.push(Date.parse(operation.startedAt));
  if (operation.finishedAt !== null) ends.push(Date.parse(operation.finishedAt));
  if (starts.length === 0 || ends.length === 0) return { bars: [], spanMs: 0 };
  const originMs = Math.min(...starts);
  const spanMs = Math.max(Math.max(...ends) - originMs, 0);
  const pct = (ms: number): number => (spanMs === 0 ? 0 : (ms / spanMs) * 100);
  return {
    spanMs,
    bars: steps.map(({ step, startMs }) => ({
      step,
      offsetPct: pct(startMs - originMs),
      widthPct: spanMs === 0 ? 100 : pct(step.durationMs),
      retries: retriesOf(step.attempts),
    })),
  };
}

export function operationRetries(operation: Operation): number {
  return retriesOf(operation.attempts);
}
