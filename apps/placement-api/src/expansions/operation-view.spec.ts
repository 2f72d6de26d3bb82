/// <reference types="jest" />
import type { StepRecord } from '@mxs/persistence';
import type { OperationRow } from './operation-view';
import { operationView } from './operation-view';

const at = '2026-11-21T09:00:00.000Z';
const record = (finishedAt: string, position?: number): StepRecord => ({ finishedAt, durationMs: 0, attempts: 1, errors: [], ...(position === undefined ? {} : { position }) });

function row(checkpoint: OperationRow['checkpoint']): OperationRow {
  return { id: 'op', kind: 'hot-add', state: 'failed', checkpoint, attempts: 1, last_error: null, created_at: new Date(at), started_at: null, finished_at: null };
}

describe('an operation as operators see it', () => {
  it('lists steps that finished within one millisecond in their saga’s order, whatever order the checkpoint keeps them in', () => {
    // jsonb keeps an object's keys shortest first, as PostgreSQL hands this checkpoint back.
    const view = operationView(row({
      steps: { 'host-accept': record(at, 1), 'fabric-offer': record(at, 0), 'host-online': record('2026-11-21T09:00:00.001Z', 2) },
      undone: { 'undo-host-accept': record('2026-11-21T09:00:00.001Z', 0), 'undo-fabric-offer': record('2026-11-21T09:00:00.002Z', 1) },
    }));
    expect(view.steps.map((s) => `${s.phase} ${s.name}`)).toEqual([
      'do fabric-offer', 'do host-accept', 'do host-online', 'undo undo-host-accept', 'undo undo-fabric-offer',
    ]);
    // The place is for ordering only: the view shows what it always showed.
    expect(view.steps[0]).toEqual({ name: 'fabric-offer', phase: 'do', finishedAt: at, durationMs: 0, attempts: 1, errors: [] });
  });

  it('orders records kept before their place was by the time they finished', () => {
    const view = operationView(row({ steps: { 'vm-plug': record('2026-11-21T09:00:00.003Z'), 'fabric-offer': record(at) } }));
    expect(view.steps.map((s) => s.name)).toEqual(['fabric-offer', 'vm-plug']);
  });
});
