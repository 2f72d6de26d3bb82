import { Injectable } from '@nestjs/common';
import type { ExpansionState, HotplugJob, PlacementRequestJob } from '@mxs/contracts';
import { QUEUES, placementRequestJobSchema } from '@mxs/contracts';
import { OutboxRelay } from '@mxs/messaging';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { OutboxRow } from '../events/outbox-events';
import { changedRow, insertOutbox, usageRow } from '../events/outbox-events';

/** Reasons that only an operator (or a removal) clears: the sweep that saw them cannot see them heal. */
export const DRIFT_PREFIX = 'drift: ';

export interface DegradeOutcome {
  readonly degraded: boolean;
  /** A replacement was requested and this one is being removed. */
  readonly replaced: boolean;
}

interface Moved {
  readonly from: ExpansionState;
  readonly tenantId: string;
  readonly vmId: string;
  readonly hostId: string;
  readonly sizeGiB: number;
  readonly placedTier: 'direct' | 'pooled';
}

/**
 * Moves expansions between `active` and `degraded` as the fabric fails and heals (DESIGN §5),
 * each in one transaction with its transition, its downtime and its usage and expansion events
 * in the outbox; with re-placement on, the same transaction asks for a replacement and starts
 * removing the degraded one. Every move is guarded by the state it leaves, so a sweep that runs
 * twice (or on two workers) moves an expansion once.
 */
@Injectable()
export class DegradedExpansions {
  constructor(
    private readonly db: DataSource,
    private readonly relay: OutboxRelay,
  ) {}

  async degrade(expansionId: string, reason: string, seenAt: Date, autoReplaceFleet: boolean): Promise<DegradeOutcome> {
    const outcome = await this.db.transaction(async (m) => {
      const moved = await moveExpansion(m, expansionId, 'active', 'degraded', reason, seenAt);
      if (moved === null) return { degraded: false, replaced: false };
      const { at } = moved;
      // The partial unique index keeps one open outage per expansion: a second report extends it.
      await m.query(
        `INSERT INTO expansion_downtime (expansion_id, started_at, reason) VALUES ($1, $2, $3)
         ON CONFLICT (expansion_id) WHERE ended_at IS NULL DO NOTHING`,
        [expansionId, at, reason],
      );
      const rows = [usageRow(expansionId, moved, 'expansion.degraded', at, reason), changedRow(expansionId, moved, moved.from, 'degraded', at, reason)];
      const replaced = await this.replaceIfWanted(m, expansionId, moved, reason, at, autoReplaceFleet, rows);
      await insertOutbox(m, rows);
      return { degraded: true, replaced };
    });
    if (outcome.degraded) this.relay.kick();
    return outcome;
  }

  /** Back to `active` once the path is whole again; drift is never cleared here (see DRIFT_PREFIX). */
  async restore(expansionId: string, seenAt: Date): Promise<boolean> {
    const restored = await this.db.transaction(async (m) => {
      const moved = await moveExpansion(m, expansionId, 'degraded', 'active', null, seenAt, DRIFT_PREFIX);
      if (moved === null) return false;
      const { at } = moved;
      await m.query(`UPDATE expansion_downtime SET ended_at = greatest($2, started_at) WHERE expansion_id = $1 AND ended_at IS NULL`, [expansionId, at]);
      await insertOutbox(m, [usageRow(expansionId, moved, 'expansion.restored', at, null), changedRow(expansionId, moved, moved.from, 'active', at, null)]);
      return true;
    });
    if (restored) this.relay.kick();
    return restored;
  }

  /**
   * With re-placement on (the tenant's `auto_replace`, else the fleet's), asks the placement
   * path for the same memory under the key `replace-<id>` and removes the degraded expansion
   * exactly as a tenant's DELETE does: `detaching`, a hot-remove operation, its job via the outbox.
   */
  private async replaceIfWanted(m: EntityManager, id: string, moved: Moved, reason: string, at: Date, autoReplaceFleet: boolean, rows: OutboxRow[]): Promise<boolean> {
    const [x] = (await m.query(
      `SELECT e.tier, e.layout, e.interleave_ways, e.max_added_latency_ns, coalesce(t.auto_replace, $2) AS auto_replace
       FROM expansions e JOIN tenants t ON t.id = e.tenant_id WHERE e.id = $1`,
      [id, autoReplaceFleet],
    )) as { tier: PlacementRequestJob['tier']; layout: NonNullable<PlacementRequestJob['layout']>; interleave_ways: number | null; max_added_latency_ns: number | null; auto_replace: boolean }[];
    if (x === undefined || !x.auto_replace) return false;
    const idempotencyKey = `replace-${id}`;
    const request = placementRequestJobSchema.parse({
      tenantId: moved.tenantId, vmId: moved.vmId, sizeGiB: moved.sizeGiB, tier: x.tier, layout: x.layout, idempotencyKey, requestId: `replace:${id}`,
      ...(x.layout === 'interleave' && x.interleave_ways !== null ? { interleaveWays: x.interleave_ways } : {}),
      ...(x.max_added_latency_ns === null ? {} : { maxAddedLatencyNs: x.max_added_latency_ns }),
    });
    rows.push({ id: uuidFromKey(idempotencyKey), queue: QUEUES.placementRequests, name: 'place', payload: request });
    const removeReason = `replaced: ${reason}`;
    const detaching = await moveExpansion(m, id, 'degraded', 'detaching', removeReason, at);
    if (detaching === null) return false;
    const operationId = randomUUID();
    const extents = (await m.query(
      `SELECT device_id AS "deviceId", offset_gib AS "offsetGiB", size_gib AS "sizeGiB" FROM expansion_extents WHERE expansion_id = $1 AND live ORDER BY device_id, offset_gib`,
      [id],
    )) as HotplugJob['extents'];
    const job: HotplugJob = {
      operationId, kind: 'hot-remove', expansionId: id, tenantId: moved.tenantId, vmId: moved.vmId, hostId: moved.hostId, sizeGiB: moved.sizeGiB, extents, requestId: `replace:${id}`,
    };
    await m.query(`INSERT INTO operations (id, expansion_id, kind, request_id) VALUES ($1, $2, 'hot-remove', $3)`, [operationId, id, job.requestId]);
    rows.push({ id: operationId, queue: QUEUES.hotplug, name: 'hot-remove', payload: job });
    rows.push(changedRow(id, detaching, detaching.from, 'detaching', at, removeReason));
    return true;
  }
}

/**
 * Moves the expansion from `from` to `to` with its transition row; null when it was elsewhere (or
 * its reason starts with `unlessReason`). The move happens at `seenAt` (when a sweep saw the
 * fabric's state), but never before the expansion's last transition: a sweep that looked before
 * a hot-add ended and moves the expansion after it would otherwise date the outage before the
 * activation, and billing, which orders events by their moment, would charge it.
 */
async function moveExpansion(
  m: EntityManager,
  id: string,
  from: ExpansionState,
  to: ExpansionState,
  reason: string | null,
  seenAt: Date,
  unlessReason: string | null = null,
): Promise<(Moved & { readonly at: Date }) | null> {
  const rows = (await m.query(
    `WITH old AS (SELECT id, state FROM expansions WHERE id = $1 AND state = $2 AND ($6::text IS NULL OR coalesce(reason, '') NOT LIKE ($6 || '%')) FOR UPDATE),
     moment AS (SELECT greatest($7::timestamptz, (SELECT max(at) FROM expansion_transitions WHERE expansion_id = $1)) AS at FROM old),
     u AS (UPDATE expansions e SET state = $3, reason = $4, updated_at = now() FROM old WHERE e.id = old.id
           RETURNING old.state AS from_state, e.tenant_id, e.vm_id, e.host_id, e.size_gib, e.placed_tier),
     tr AS (INSERT INTO expansion_transitions (expansion_id, from_state, to_state, reason, request_id, at) SELECT $1, from_state, $3, $4, $5, moment.at FROM u, moment)
     SELECT u.*, moment.at FROM u, moment`,
    [id, from, to, reason, null, unlessReason, seenAt],
  )) as { from_state: ExpansionState; tenant_id: string; vm_id: string; host_id: string; size_gib: number; placed_tier: 'direct' | 'pooled'; at: Date }[];
  const r = rows[0];
  return r === undefined ? null : { from: r.from_state, tenantId: r.tenant_id, vmId: r.vm_id, hostId: r.host_id, sizeGiB: r.size_gib, placedTier: r.placed_tier, at: r.at };
}

/** A fixed uuid for a key (its SHA-256, shaped as an RFC 9562 version-8 uuid). */
export function uuidFromKey(key: string): string {
  const hex = createHash('sha256').update(key).digest('hex').slice(0, 32).split('');
  hex[12] = '8';
  hex[16] = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
