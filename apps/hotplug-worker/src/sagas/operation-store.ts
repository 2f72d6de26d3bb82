import { Injectable } from '@nestjs/common';
import type { ExpansionState, HotplugJob, UsageEventType } from '@mxs/contracts';
import type { OperationCheckpoint, OperationState, StepRecord } from '@mxs/persistence';
import type { Queued } from '@mxs/messaging';
import { Batcher, preparedStatement, runPrepared } from '@mxs/messaging';
import { retryOnDeadlock, updateReturning } from '@mxs/persistence';
import { DataSource } from 'typeorm';
import type { OutboxRow } from '../events/outbox-events';
import { changedRow, outboxParams, usageRow } from '../events/outbox-events';

// The statements every saga runs are prepared once per pooled connection: parsing and planning
// begin's and end's statements afresh cost PostgreSQL about 0.3 ms each, per run.
//
// A lease and a step's checkpoint commit without waiting for their WAL to reach the disk
// (`synchronous_commit` off for that one transaction). A PostgreSQL crash can take back the last
// few of them, and nothing else: the run's next statement or lease renewal fails, the run stops
// at its next step as it does when its lease lapses, the job runs again, and the steps since the
// last checkpoint kept run again, each idempotent at the agent. The ending does wait (its usage
// events and returned capacity must never be taken back), and its flush carries every write
// before it. In bench:hotplug's bursts, waiting for those flushes put about 10 ms between a
// lease and the first step, and as much into each handoff on a host.
const ASYNC_COMMIT = `async_commit AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true))`;

/** Takes a host's lease for a run and starts its operation: OperationStore.begin. */
export const BEGIN_RUN = preparedStatement('mxs_saga_begin', `
WITH ${ASYNC_COMMIT}, adding AS (
  SELECT 1 FROM operations WHERE $5::text = 'hot-remove' AND expansion_id = $4 AND kind = 'hot-add' AND state IN ('pending','running','compensating')
), lease AS (
  INSERT INTO host_leases (host_id, operation_id, expires_at, run_id)
  SELECT $1, $2, clock_timestamp() + $3 * interval '1 millisecond', $7
  WHERE EXISTS (SELECT 1 FROM operations WHERE id = $2 AND state IN ('pending','running','compensating'))
    AND NOT EXISTS (SELECT 1 FROM adding)
  ON CONFLICT (host_id) DO UPDATE SET operation_id = EXCLUDED.operation_id, expires_at = EXCLUDED.expires_at, run_id = EXCLUDED.run_id
  WHERE host_leases.expires_at < clock_timestamp()
  RETURNING operation_id
), op AS (
  UPDATE operations SET state = CASE WHEN state = 'pending' THEN 'running' ELSE state END,
    started_at = coalesce(started_at, clock_timestamp()), attempts = attempts + 1, updated_at = now()
  WHERE id = $2 AND EXISTS (SELECT 1 FROM lease) RETURNING state, checkpoint
), attach AS (
  UPDATE expansions SET state = 'attaching', updated_at = now()
  WHERE id = $4 AND state = 'placed' AND $5::text = 'hot-add' AND EXISTS (SELECT 1 FROM lease) RETURNING id
), tr AS (
  INSERT INTO expansion_transitions (expansion_id, from_state, to_state, request_id) SELECT id, 'placed', 'attaching', $6 FROM attach
)
SELECT (SELECT count(*) FROM lease)::int AS leased, op.state, op.checkpoint,
  CASE WHEN EXISTS (SELECT 1 FROM attach) THEN 'attaching' ELSE e.state END AS expansion_state, e.placed_tier,
  (SELECT state FROM operations WHERE id = $2) AS state_before, EXISTS (SELECT 1 FROM adding) AS hot_add_unfinished
FROM expansions e LEFT JOIN op ON true CROSS JOIN async_commit WHERE e.id = $4`);

/**
 * Adds finished steps to their operations' checkpoints (`steps`: name → record; `step`: the last
 * of them): OperationStore.recordSteps. Sent unprepared, and with the writes as arrays, so that
 * each run is planned for the writes it carries (PostgreSQL reads an array's length from the
 * value; it guesses 100 rows for jsonb_to_recordset and 10 for an array not yet known): a write
 * of one or a few operations reads them by key. Prepared, it was planned once, while the table
 * was small, as a hash join over all of it, and that saved plan read every operation on each
 * write as the table grew, unless something analysed it again (no autovacuum here: 45 million
 * rows read in one bench:hotplug latency run). Planning costs a write some tens of µs. A batch
 * of a hundred and more may still be planned as a scan (random_page_cost 4 prices a read by key
 * as a disk's, on a database that sits in memory), but only that run.
 */
export const RECORD_STEPS = `
WITH ${ASYNC_COMMIT}
UPDATE operations o SET step = s.step, updated_at = now(),
  checkpoint = o.checkpoint || jsonb_build_object(s.section, coalesce(o.checkpoint -> s.section, '{}'::jsonb) || s.steps)
FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[]) AS s(operation_id, section, step, steps) CROSS JOIN async_commit
WHERE o.id = s.operation_id`;

/**
 * Ends a saga with everything its ending changes: OperationStore.end. The checkpoint of the
 * saga's steps not yet written ($18, name → record; $17 the last of them) comes with it, rather
 * than in a write of its own that the ending, and the next saga on the host, would wait for.
 * It moves tenant and host counters the API's batched commits move too, and in their order, the
 * tenant's row before the host's: h reads t, so t runs first (PostgreSQL runs the WITH
 * statements nothing reads last to first, which put the host first and deadlocked with
 * placements, each waiting out deadlock_timeout).
 */
export const END_SAGA = preparedStatement('mxs_saga_end', `
WITH held AS (
  SELECT 1 FROM host_leases WHERE host_id = $10 AND run_id = $15 FOR UPDATE
), old AS (
  SELECT id, state FROM expansions WHERE id = $1 AND $3::text IS NOT NULL AND state = ANY($2::text[]) AND EXISTS (SELECT 1 FROM held) FOR UPDATE
), u AS (
  UPDATE expansions e SET state = $3, reason = $4, updated_at = now() FROM old WHERE e.id = old.id
  RETURNING old.state AS from_state, e.tenant_id, e.host_id, e.size_gib, e.placed_tier
), tr AS (
  INSERT INTO expansion_transitions (expansion_id, from_state, to_state, reason, request_id, at) SELECT $1, from_state, $3, $4, $5, $16 FROM u
), x AS (
  UPDATE expansion_extents SET live = false WHERE $6::boolean AND live AND expansion_id = $1 AND EXISTS (SELECT 1 FROM u)
), t AS (
  UPDATE tenants SET used_gib = used_gib - u.size_gib, updated_at = now() FROM u WHERE $6::boolean AND tenants.id = u.tenant_id RETURNING tenants.id
), h AS (
  UPDATE hosts SET mapped_gib = mapped_gib - u.size_gib, updated_at = now() FROM u WHERE $6::boolean AND hosts.id = u.host_id AND EXISTS (SELECT 1 FROM t)
), op AS (
  UPDATE operations SET state = $7, finished_at = clock_timestamp(), updated_at = now(), last_error = coalesce($8, last_error),
    step = coalesce($17, step),
    checkpoint = CASE WHEN $17::text IS NULL THEN checkpoint
      ELSE checkpoint || jsonb_build_object('steps', coalesce(checkpoint -> 'steps', '{}'::jsonb) || $18::jsonb) END
  WHERE id = $9 AND EXISTS (SELECT 1 FROM held)
), lease AS (
  DELETE FROM host_leases WHERE host_id = $10 AND run_id = $15
), ev AS (
  SELECT r.id, r.queue, r.job_name,
    CASE WHEN r.payload ? 'tier' THEN jsonb_set(r.payload, '{tier}', to_jsonb(u.placed_tier))
         ELSE jsonb_set(r.payload, '{body,from}', to_jsonb(u.from_state)) END AS payload
  FROM unnest($11::uuid[], $12::text[], $13::text[], $14::jsonb[]) AS r(id, queue, job_name, payload), u
), ob AS (
  INSERT INTO outbox (id, queue, job_name, payload) SELECT id, queue, job_name, payload FROM ev
)
SELECT (SELECT count(*) FROM ev)::int AS events, EXISTS (SELECT 1 FROM held) AS held`);

/** A step that finished, and what its checkpoint says of it. */
export interface FinishedStep {
  readonly step: string;
  readonly record: StepRecord;
}

export interface StepWrite {
  readonly operationId: string;
  readonly section: 'steps' | 'undone';
  readonly steps: readonly FinishedStep[];
}

/** Finished steps as a checkpoint section holds them: name → record. */
function stepsObject(steps: readonly FinishedStep[]): Record<string, StepRecord> {
  return Object.fromEntries(steps.map((s) => [s.step, s.record]));
}

/** RECORD_STEPS's parameters: each write's steps, and the last of them as the operation's `step`. */
export function recordStepsParams(writes: readonly StepWrite[]): unknown[] {
  return [writes.map((w) => w.operationId), writes.map((w) => w.section), writes.map((w) => w.steps.at(-1)?.step ?? null), writes.map((w) => JSON.stringify(stepsObject(w.steps)))];
}

export interface OperationSnapshot {
  readonly state: OperationState;
  readonly checkpoint: OperationCheckpoint;
  readonly expansionState: ExpansionState;
  readonly placedTier: 'direct' | 'pooled';
}

export type BeginOutcome =
  | { readonly kind: 'busy' }
  | { readonly kind: 'finished' }
  | { readonly kind: 'waiting-for-hot-add' }
  | { readonly kind: 'begun'; readonly snapshot: OperationSnapshot };

export function isFinishedState(state: OperationState): boolean {
  return state === 'done' || state === 'failed' || state === 'superseded';
}

/** How a saga ends: the expansion's new state, from which states, and what it means for capacity. */
export interface Ending {
  readonly operationState: Extract<OperationState, 'done' | 'failed' | 'superseded'>;
  /** Only these states move (a run after a crash finds the move already made and changes nothing). */
  readonly from: readonly ExpansionState[];
  readonly to: ExpansionState | null;
  readonly reason: string | null;
  /** The fabric has released and scrubbed the extents: they, the quota and the host window are free. */
  readonly returnCapacity: boolean;
  readonly usage: UsageEventType | null;
}

/** END_SAGA's parameters for a run's ending, with the usage and expansion events it writes if it moves the expansion. */
export function endParams(job: HotplugJob, ending: Ending, at: Date, runId: string, unwritten: readonly FinishedStep[]): unknown[] {
  const facts = { tenantId: job.tenantId, vmId: job.vmId, hostId: job.hostId, sizeGiB: job.sizeGiB, placedTier: null };
  const events: OutboxRow[] = [];
  if (ending.to !== null) {
    if (ending.usage !== null) events.push(usageRow(job.expansionId, facts, ending.usage, at, ending.reason));
    events.push(changedRow(job.expansionId, facts, null, ending.to, at, ending.reason));
  }
  return [
    job.expansionId, ending.from, ending.to, ending.reason, job.requestId, ending.returnCapacity,
    ending.operationState, ending.operationState === 'failed' ? ending.reason : null, job.operationId, job.hostId,
    ...outboxParams(events), runId, at, unwritten.at(-1)?.step ?? null, unwritten.length === 0 ? null : JSON.stringify(stepsObject(unwritten)),
  ];
}

/**
 * Saga state in PostgreSQL. Every change an ending makes (the expansion's state, its timeline,
 * capacity, usage and expansion events through the outbox, the host lease) commits in one
 * transaction, guarded by the states it moves from, so a re-run after a crash does it once.
 */
@Injectable()
export class OperationStore {
  private readonly steps = new Batcher<StepWrite, void>({ maxBatch: 256, maxInFlight: 1 }, (batch) => this.writeSteps(batch));

  constructor(private readonly db: DataSource) {}

  /**
   * Takes the host's lease for this run of the operation (or finds it held) and marks the
   * operation running; a hot-add also moves its expansion from `placed` to `attaching`. One
   * statement: nothing changes unless the lease is taken, and a finished operation takes none.
   * A lease is taken only when free or lapsed, even by another run of the same operation: a job
   * BullMQ handed on while its first run still works (a starved worker whose job lock lapsed)
   * waits for that run to end instead of running the same steps beside it. A hot-remove takes
   * nothing while its expansion's hot-add is unfinished: it waits for it.
   */
  async begin(job: HotplugJob, leaseMs: number, runId: string): Promise<BeginOutcome> {
    const rows = (await runPrepared(
      this.db,
      BEGIN_RUN,
      [job.hostId, job.operationId, leaseMs, job.expansionId, job.kind, job.requestId, runId],
    )) as { leased: number; state: OperationState | null; checkpoint: OperationCheckpoint | null; expansion_state: ExpansionState; placed_tier: 'direct' | 'pooled'; state_before: OperationState; hot_add_unfinished: boolean }[];
    const row = rows[0];
    if (row === undefined) throw new Error(`operation ${job.operationId}: its expansion ${job.expansionId} has no row`);
    if (row.leased === 0 || row.state === null || row.checkpoint === null) {
      if (isFinishedState(row.state_before)) return { kind: 'finished' };
      return row.hot_add_unfinished ? { kind: 'waiting-for-hot-add' } : { kind: 'busy' };
    }
    return { kind: 'begun', snapshot: { state: row.state, checkpoint: row.checkpoint, expansionState: row.expansion_state, placedTier: row.placed_tier } };
  }

  async renewLease(hostId: string, runId: string, leaseMs: number): Promise<boolean> {
    const rows = await updateReturning(
      this.db,
      `UPDATE host_leases SET expires_at = clock_timestamp() + $3 * interval '1 millisecond' WHERE host_id = $1 AND run_id = $2 RETURNING host_id`,
      [hostId, runId, leaseMs],
    );
    return rows.length === 1;
  }

  /** The run is over (ended, failed for a retry, or stopped by shutdown): the next may begin at once. */
  async releaseLease(hostId: string, runId: string): Promise<void> {
    await this.db.query(`DELETE FROM host_leases WHERE host_id = $1 AND run_id = $2`, [hostId, runId]);
  }

  /** Adds finished steps (in the order they ran) to the operation's checkpoint; resolves once that is committed. */
  recordSteps(operationId: string, section: 'steps' | 'undone', steps: readonly FinishedStep[]): Promise<void> {
    return this.steps.submit({ operationId, section, steps });
  }

  /**
   * The writes submitted while the last one ran, in one statement: each is a round trip the
   * worker, its pool and PostgreSQL share with every other saga. An operation appears once per
   * statement (a saga has one write in hand), but a second entry would go in a statement of its own.
   */
  private async writeSteps(batch: readonly Queued<StepWrite, void>[]): Promise<void> {
    for (let rest = batch; rest.length > 0; ) {
      const now = new Map<string, Queued<StepWrite, void>>();
      const later: Queued<StepWrite, void>[] = [];
      for (const q of rest) {
        if (now.has(q.item.operationId)) later.push(q);
        else now.set(q.item.operationId, q);
      }
      await this.db.query(RECORD_STEPS, recordStepsParams([...now.values()].map((q) => q.item)));
      for (const q of now.values()) q.resolve();
      rest = later;
    }
  }

  async startCompensation(operationId: string, failure: string): Promise<void> {
    await this.db.query(
      `UPDATE operations SET state = 'compensating', last_error = $2, updated_at = now(), checkpoint = checkpoint || jsonb_build_object('failure', $2::text) WHERE id = $1`,
      [operationId, failure.slice(0, 1000)],
    );
  }

  /**
   * Ends the saga (see Ending) in one statement; returns the outbox rows it wrote, for the
   * relay's kick, or `null` when this run no longer holds the host's lease (another run took
   * over): then nothing changes. The events come from the shared builders; the statement fills
   * in what only the moved row knows (the state it left, the tier it was placed on) and writes
   * them only if it moved. `unwritten`, the run's steps not yet written, join the checkpoint's steps with it.
   */
  async end(job: HotplugJob, ending: Ending, at: Date, runId: string, unwritten: readonly FinishedStep[] = []): Promise<number | null> {
    // A deadlock with another replica's batch rolls this one statement back whole, so it is run again in place.
    const rows = (await retryOnDeadlock(() => runPrepared(this.db, END_SAGA, endParams(job, ending, at, runId, unwritten)))) as { events: number; held: boolean }[];
    const row = rows[0];
    return row?.held === true ? row.events : null;
  }

  async snapshotOf(operationId: string): Promise<OperationSnapshot | null> {
    const rows = (await this.db.query(
      `SELECT o.state, o.checkpoint, e.state AS expansion_state, e.placed_tier FROM operations o JOIN expansions e ON e.id = o.expansion_id
       WHERE o.id = $1`,
      [operationId],
    )) as { state: OperationState; checkpoint: OperationCheckpoint; expansion_state: ExpansionState; placed_tier: 'direct' | 'pooled' }[];
    const row = rows[0];
    return row === undefined ? null : { state: row.state, checkpoint: row.checkpoint, expansionState: row.expansion_state, placedTier: row.placed_tier };
  }
}
