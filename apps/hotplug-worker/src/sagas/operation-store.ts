import { Injectable } from '@nestjs/common';
import type { ExpansionEvent, ExpansionState, HotplugJob, UsageEvent, UsageEventType } from '@mxs/contracts';
import { QUEUES } from '@mxs/contracts';
import type { OperationState } from '@mxs/persistence';
import { updateReturning } from '@mxs/persistence';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';

/** What one step left behind: kept in `operations.checkpoint.steps[name]` once it is done. */
export interface StepRecord {
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly attempts: number;
  readonly errors: readonly string[];
}

export interface Checkpoint {
  readonly steps?: Readonly<Record<string, StepRecord>>;
  /** Steps undone by the compensation, once each. */
  readonly undone?: Readonly<Record<string, StepRecord>>;
  readonly failure?: string;
}

export interface OperationSnapshot {
  readonly state: OperationState;
  readonly checkpoint: Checkpoint;
  readonly expansionState: ExpansionState;
  readonly placedTier: 'direct' | 'pooled';
}

export type BeginOutcome = { readonly kind: 'busy' } | { readonly kind: 'begun'; readonly snapshot: OperationSnapshot };

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

/**
 * Saga state in PostgreSQL. Every change an ending makes (the expansion's state, its timeline,
 * capacity, usage and expansion events through the outbox, the host lease) commits in one
 * transaction, guarded by the states it moves from, so a re-run after a crash does it once.
 */
@Injectable()
export class OperationStore {
  constructor(private readonly db: DataSource) {}

  /**
   * Takes the host's lease for this operation (or finds it held by another) and marks the
   * operation running; a hot-add also moves its expansion from `placed` to `attaching`.
   */
  async begin(job: HotplugJob, leaseMs: number): Promise<BeginOutcome> {
    return this.db.transaction(async (m) => {
      const leased = (await m.query(
        `INSERT INTO host_leases (host_id, operation_id, expires_at) VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
         ON CONFLICT (host_id) DO UPDATE SET operation_id = EXCLUDED.operation_id, expires_at = EXCLUDED.expires_at
         WHERE host_leases.operation_id = EXCLUDED.operation_id OR host_leases.expires_at < clock_timestamp()
         RETURNING operation_id`,
        [job.hostId, job.operationId, leaseMs],
      )) as unknown[];
      if (leased.length === 0) return { kind: 'busy' as const };
      const snapshot = await this.snapshot(m, job.operationId, true);
      if (snapshot === null) throw new Error(`operation ${job.operationId} has no row`);
      if (snapshot.state === 'pending') {
        await m.query(`UPDATE operations SET state = 'running', started_at = clock_timestamp(), attempts = attempts + 1, updated_at = now() WHERE id = $1`, [job.operationId]);
      } else {
        await m.query(`UPDATE operations SET attempts = attempts + 1, updated_at = now() WHERE id = $1`, [job.operationId]);
      }
      let expansionState = snapshot.expansionState;
      if (job.kind === 'hot-add' && expansionState === 'placed') {
        await moveExpansion(m, job.expansionId, ['placed'], 'attaching', null, job.requestId);
        expansionState = 'attaching';
      }
      return { kind: 'begun' as const, snapshot: { ...snapshot, state: snapshot.state === 'pending' ? 'running' : snapshot.state, expansionState } };
    });
  }

  async snapshotOf(operationId: string): Promise<OperationSnapshot | null> {
    return this.snapshot(this.db.manager, operationId, false);
  }

  /** The expansion's hot-add, while it has not finished: a hot-remove waits for it. */
  async unfinishedHotAdd(expansionId: string): Promise<string | null> {
    const rows = (await this.db.query(
      `SELECT id FROM operations WHERE expansion_id = $1 AND kind = 'hot-add' AND state IN ('pending','running','compensating') LIMIT 1`,
      [expansionId],
    )) as { id: string }[];
    return rows[0]?.id ?? null;
  }

  async renewLease(hostId: string, operationId: string, leaseMs: number): Promise<boolean> {
    const rows = await updateReturning(
      this.db,
      `UPDATE host_leases SET expires_at = clock_timestamp() + $3 * interval '1 millisecond' WHERE host_id = $1 AND operation_id = $2 RETURNING host_id`,
      [hostId, operationId, leaseMs],
    );
    return rows.length === 1;
  }

  async releaseLease(hostId: string, operationId: string): Promise<void> {
    await this.db.query(`DELETE FROM host_leases WHERE host_id = $1 AND operation_id = $2`, [hostId, operationId]);
  }

  async recordStep(operationId: string, section: 'steps' | 'undone', step: string, record: StepRecord): Promise<void> {
    await this.db.query(
      `UPDATE operations SET step = $2, updated_at = now(),
         checkpoint = checkpoint || jsonb_build_object($3::text, coalesce(checkpoint -> $3::text, '{}'::jsonb) || jsonb_build_object($2::text, $4::jsonb))
       WHERE id = $1`,
      [operationId, step, section, JSON.stringify(record)],
    );
  }

  async startCompensation(operationId: string, failure: string): Promise<void> {
    await this.db.query(
      `UPDATE operations SET state = 'compensating', last_error = $2, updated_at = now(), checkpoint = checkpoint || jsonb_build_object('failure', $2::text) WHERE id = $1`,
      [operationId, failure.slice(0, 1000)],
    );
  }

  /** Ends the saga (see Ending); returns the outbox rows it wrote, for the relay's kick. */
  async end(job: HotplugJob, ending: Ending, at: Date): Promise<number> {
    return this.db.transaction(async (m) => {
      const moved = ending.to === null ? null : await moveExpansion(m, job.expansionId, ending.from, ending.to, ending.reason, job.requestId);
      if (moved !== null && ending.returnCapacity) {
        await m.query(
          `WITH x AS (UPDATE expansion_extents SET live = false WHERE expansion_id = $1 AND live RETURNING 1),
           t AS (UPDATE tenants SET used_gib = used_gib - $2, updated_at = now() WHERE id = $3)
           UPDATE hosts SET mapped_gib = mapped_gib - $2, updated_at = now() WHERE id = $4`,
          [job.expansionId, moved.sizeGiB, moved.tenantId, moved.hostId],
        );
      }
      await m.query(
        `UPDATE operations SET state = $2, finished_at = clock_timestamp(), updated_at = now(),
           last_error = coalesce($3, last_error) WHERE id = $1`,
        [job.operationId, ending.operationState, ending.operationState === 'failed' ? ending.reason : null],
      );
      await m.query(`DELETE FROM host_leases WHERE host_id = $1 AND operation_id = $2`, [job.hostId, job.operationId]);
      if (moved === null || ending.to === null) return 0;
      const events: { id: string; queue: string; name: string; payload: unknown }[] = [];
      const atIso = at.toISOString();
      if (ending.usage !== null) {
        const usage: UsageEvent = {
          eventId: randomUUID(), type: ending.usage, expansionId: job.expansionId, tenantId: moved.tenantId, vmId: moved.vmId,
          hostId: moved.hostId, tier: moved.placedTier, sizeGiB: ending.usage === 'expansion.released' ? 0 : moved.sizeGiB, at: atIso, reason: ending.reason,
        };
        events.push({ id: usage.eventId, queue: QUEUES.usageEvents, name: 'usage-event', payload: usage });
      }
      const changed: ExpansionEvent = {
        eventId: randomUUID(), type: 'expansion.state-changed', tenantId: moved.tenantId, vmId: moved.vmId, expansionId: job.expansionId,
        state: ending.to, idempotencyKey: null, status: 200, at: atIso, body: { from: moved.from, to: ending.to, reason: ending.reason },
      };
      events.push({ id: changed.eventId, queue: QUEUES.expansionEvents, name: 'expansion-event', payload: changed });
      await m.query(
        `INSERT INTO outbox (id, queue, job_name, payload) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[])`,
        [events.map((e) => e.id), events.map((e) => e.queue), events.map((e) => e.name), events.map((e) => JSON.stringify(e.payload))],
      );
      return events.length;
    });
  }

  private async snapshot(m: EntityManager, operationId: string, lock: boolean): Promise<OperationSnapshot | null> {
    const rows = (await m.query(
      `SELECT o.state, o.checkpoint, e.state AS expansion_state, e.placed_tier FROM operations o JOIN expansions e ON e.id = o.expansion_id
       WHERE o.id = $1 ${lock ? 'FOR UPDATE OF o' : ''}`,
      [operationId],
    )) as { state: OperationState; checkpoint: Checkpoint; expansion_state: ExpansionState; placed_tier: 'direct' | 'pooled' }[];
    const row = rows[0];
    return row === undefined ? null : { state: row.state, checkpoint: row.checkpoint, expansionState: row.expansion_state, placedTier: row.placed_tier };
  }
}

interface MovedExpansion {
  readonly from: ExpansionState;
  readonly tenantId: string;
  readonly vmId: string;
  readonly hostId: string;
  readonly sizeGiB: number;
  readonly placedTier: 'direct' | 'pooled';
}

/** Moves the expansion if it is in one of `from`, with its transition; null when it was not. */
async function moveExpansion(
  m: EntityManager,
  expansionId: string,
  from: readonly ExpansionState[],
  to: ExpansionState,
  reason: string | null,
  requestId: string | null,
): Promise<MovedExpansion | null> {
  const rows = (await m.query(
    `WITH old AS (SELECT id, state FROM expansions WHERE id = $1 AND state = ANY($2::text[]) FOR UPDATE),
     u AS (UPDATE expansions e SET state = $3, reason = $4, updated_at = now() FROM old WHERE e.id = old.id
           RETURNING old.state AS from_state, e.tenant_id, e.vm_id, e.host_id, e.size_gib, e.placed_tier),
     tr AS (INSERT INTO expansion_transitions (expansion_id, from_state, to_state, reason, request_id) SELECT $1, from_state, $3, $4, $5 FROM u)
     SELECT * FROM u`,
    [expansionId, from, to, reason, requestId],
  )) as { from_state: ExpansionState; tenant_id: string; vm_id: string; host_id: string; size_gib: number; placed_tier: 'direct' | 'pooled' }[];
  const r = rows[0];
  return r === undefined
    ? null
    : { from: r.from_state, tenantId: r.tenant_id, vmId: r.vm_id, hostId: r.host_id, sizeGiB: r.size_gib, placedTier: r.placed_tier };
}
