import type { ExpansionEvent, ExpansionState, UsageEvent, UsageEventType } from '@mxs/contracts';
import { QUEUES } from '@mxs/contracts';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';

/** A row for the outbox: the relay puts `payload` on `queue` as job `name` with job id `id`. */
export interface OutboxRow {
  readonly id: string;
  readonly queue: string;
  readonly name: string;
  readonly payload: unknown;
}

/** What the events say about the expansion; the same on every event of one move. */
export interface ExpansionFacts {
  readonly tenantId: string;
  readonly vmId: string;
  readonly hostId: string;
  readonly sizeGiB: number;
  /** Null only while the database has yet to say (see OperationStore.end). */
  readonly placedTier: 'direct' | 'pooled' | null;
}

/** The one place usage events are shaped (billing's input); a released expansion's size is 0 from then on. */
export function usageRow(expansionId: string, x: ExpansionFacts, type: UsageEventType, at: Date, reason: string | null): OutboxRow {
  const usage: Omit<UsageEvent, 'tier'> & { tier: UsageEvent['tier'] | null } = {
    eventId: randomUUID(), type, expansionId, tenantId: x.tenantId, vmId: x.vmId, hostId: x.hostId, tier: x.placedTier,
    sizeGiB: type === 'expansion.released' ? 0 : x.sizeGiB, at: at.toISOString(), reason,
  };
  return { id: usage.eventId, queue: QUEUES.usageEvents, name: 'usage-event', payload: usage };
}

/** The one place `expansion.state-changed` events are shaped (automation's input). */
export function changedRow(expansionId: string, x: ExpansionFacts, from: ExpansionState | null, to: ExpansionState, at: Date, reason: string | null): OutboxRow {
  const event: ExpansionEvent = {
    eventId: randomUUID(), type: 'expansion.state-changed', tenantId: x.tenantId, vmId: x.vmId, expansionId, state: to,
    idempotencyKey: null, status: 200, at: at.toISOString(), body: { from, to, reason },
  };
  return { id: event.eventId, queue: QUEUES.expansionEvents, name: 'expansion-event', payload: event };
}

export async function insertOutbox(m: EntityManager, rows: readonly OutboxRow[]): Promise<void> {
  // ON CONFLICT: a row with a fixed id (a replacement request) asked for twice is one row.
  await m.query(
    `INSERT INTO outbox (id, queue, job_name, payload) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[]) ON CONFLICT (id) DO NOTHING`,
    outboxParams(rows),
  );
}

/** The rows as four parallel arrays, for `unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[])`. */
export function outboxParams(rows: readonly OutboxRow[]): [string[], string[], string[], string[]] {
  return [rows.map((r) => r.id), rows.map((r) => r.queue), rows.map((r) => r.name), rows.map((r) => JSON.stringify(r.payload))];
}
