import type { HotplugJobName } from '@mxs/contracts';
import type { OperationCheckpoint, OperationState, StepRecord } from '@mxs/persistence';

export interface OperationRow {
  id: string;
  kind: HotplugJobName;
  state: OperationState;
  checkpoint: OperationCheckpoint;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export interface StepView extends StepRecord {
  readonly name: string;
  /** `undo`: a step of the compensation. */
  readonly phase: 'do' | 'undo';
}

export interface OperationView {
  readonly id: string;
  readonly kind: HotplugJobName;
  readonly force: boolean;
  readonly state: OperationState;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly attempts: number;
  readonly lastError: string | null;
  /** In the order they finished. */
  readonly steps: readonly StepView[];
}

export function operationView(r: OperationRow): OperationView {
  const done = [
    ...Object.entries(r.checkpoint.steps ?? {}).map(([name, s]) => ({ name, phase: 'do' as const, s })),
    ...Object.entries(r.checkpoint.undone ?? {}).map(([name, s]) => ({ name, phase: 'undo' as const, s })),
  ];
  // Within a millisecond: a saga's steps before their undoing, each in its place in its saga.
  done.sort((a, b) => a.s.finishedAt.localeCompare(b.s.finishedAt) || Number(a.phase === 'undo') - Number(b.phase === 'undo') || (a.s.position ?? 0) - (b.s.position ?? 0));
  const steps = done.map(({ name, phase, s }) => stepView(name, phase, s));
  return {
    id: r.id,
    kind: r.kind,
    force: r.checkpoint.force === true,
    state: r.state,
    createdAt: r.created_at.toISOString(),
    startedAt: r.started_at?.toISOString() ?? null,
    finishedAt: r.finished_at?.toISOString() ?? null,
    attempts: r.attempts,
    lastError: r.last_error,
    steps,
  };
}

function stepView(name: string, phase: 'do' | 'undo', s: StepRecord): StepView {
  return { name, phase, finishedAt: s.finishedAt, durationMs: s.durationMs, attempts: s.attempts, errors: s.errors };
}
