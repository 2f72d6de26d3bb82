import type { ExpansionState, UsageEventType } from '@mxs/contracts';
import { withClient } from '@mxs/persistence';
import type { Client } from 'pg';

/** One plain connection for the checker's reads: it must not depend on any app's pool. */
export function withDb<T>(dbUrl: string, work: (db: Client) => Promise<T>): Promise<T> {
  return withClient(dbUrl, 'mxs-soak-checks', work);
}

export interface DbExpansion {
  readonly id: string;
  readonly tenantId: string;
  readonly vmId: string;
  readonly hostId: string;
  readonly sizeGiB: number;
  readonly placedTier: 'direct' | 'pooled' | null;
  readonly state: ExpansionState;
  readonly reason: string | null;
}

export interface DbExtent {
  readonly expansionId: string;
  readonly deviceId: string;
  readonly offsetGiB: number;
  readonly sizeGiB: number;
}

export interface DbTransition {
  readonly id: number;
  readonly expansionId: string;
  readonly from: ExpansionState | null;
  readonly to: ExpansionState;
  /** Milliseconds since the epoch, with PostgreSQL's microseconds kept as a fraction. */
  readonly atMs: number;
}

/** A usage event as the worker wrote it to the outbox, in the transaction of its transition. */
export interface DbUsageEvent {
  readonly eventId: string;
  readonly expansionId: string;
  readonly type: UsageEventType;
  readonly tier: 'direct' | 'pooled' | null;
  readonly sizeGiB: number;
  readonly atMs: number;
  readonly published: boolean;
}

export interface DbOperation {
  readonly id: string;
  readonly expansionId: string;
  readonly kind: 'hot-add' | 'hot-remove';
  readonly state: string;
  readonly attempts: number;
}

/** What the checks read from PostgreSQL, in one repeatable-read snapshot. */
export interface DbState {
  readonly expansions: readonly DbExpansion[];
  readonly liveExtents: readonly DbExtent[];
  readonly devices: readonly { readonly id: string; readonly capacityGiB: number }[];
  readonly hosts: readonly { readonly id: string; readonly mappedGiB: number }[];
  readonly tenants: readonly { readonly id: string; readonly usedGiB: number }[];
  readonly transitions: readonly DbTransition[];
  readonly usageEvents: readonly DbUsageEvent[];
  readonly operations: readonly DbOperation[];
  readonly unpublishedOutbox: number;
}

export async function readDbState(db: Client): Promise<DbState> {
  await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const q = async <T>(sql: string): Promise<T[]> => (await db.query(sql)).rows as T[];
    const expansions = await q<DbExpansion>(
      `SELECT id, tenant_id AS "tenantId", vm_id AS "vmId", host_id AS "hostId", size_gib AS "sizeGiB", placed_tier AS "placedTier", state, reason FROM expansions ORDER BY id`,
    );
    const liveExtents = await q<DbExtent>(
      `SELECT expansion_id AS "expansionId", device_id AS "deviceId", offset_gib AS "offsetGiB", size_gib AS "sizeGiB" FROM expansion_extents WHERE live ORDER BY device_id, offset_gib`,
    );
    const devices = await q<{ id: string; capacityGiB: number }>(`SELECT id, capacity_gib AS "capacityGiB" FROM devices ORDER BY id`);
    const hosts = await q<{ id: string; mappedGiB: number }>(`SELECT id, mapped_gib AS "mappedGiB" FROM hosts ORDER BY id`);
    const tenants = await q<{ id: string; usedGiB: number }>(`SELECT id, used_gib AS "usedGiB" FROM tenants ORDER BY id`);
    const transitions = (
      await q<{ id: string; expansionId: string; from: ExpansionState | null; to: ExpansionState; atMs: number }>(
        `SELECT id, expansion_id AS "expansionId", from_state AS "from", to_state AS "to", (extract(epoch FROM at) * 1000)::float8 AS "atMs"
         FROM expansion_transitions ORDER BY expansion_id, id`,
      )
    ).map((t) => ({ ...t, id: Number(t.id) }));
    const usageEvents = await q<DbUsageEvent>(
      `SELECT payload ->> 'eventId' AS "eventId", payload ->> 'expansionId' AS "expansionId", payload ->> 'type' AS type, payload ->> 'tier' AS tier,
              (payload ->> 'sizeGiB')::int AS "sizeGiB", (extract(epoch FROM (payload ->> 'at')::timestamptz) * 1000)::float8 AS "atMs",
              published_at IS NOT NULL AS published
       FROM outbox WHERE queue = 'usage-events' ORDER BY payload ->> 'expansionId', (payload ->> 'at')::timestamptz, id`,
    );
    const operations = await q<DbOperation>(`SELECT id, expansion_id AS "expansionId", kind, state, attempts FROM operations ORDER BY expansion_id, created_at`);
    const [pending] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`);
    return { expansions, liveExtents, devices, hosts, tenants, transitions, usageEvents, operations, unpublishedOutbox: pending?.n ?? 0 };
  } finally {
    await db.query('COMMIT');
  }
}

/** Groups rows by a key, keeping their order. */
export function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [row]);
    else group.push(row);
  }
  return groups;
}
