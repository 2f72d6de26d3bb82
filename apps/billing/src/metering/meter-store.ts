import { Injectable } from '@nestjs/common';
import type { UsageEvent } from '@mxs/contracts';
import type { MeteredEvent, MeteredInterval, UsageEventType } from '@mxs/rating';
import { usageIntervals } from '@mxs/rating';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';

export type MeterOutcome = 'claimed' | 'duplicate';

interface StoredEvent {
  expansion_id: string;
  tenant_id: string;
  event_id: string;
  type: UsageEventType;
  tier: 'direct' | 'pooled';
  size_gib: number;
  at_ms: string;
}

/**
 * Claims usage events and writes their effect in the same transaction: an expansion's intervals
 * are rebuilt from every event it has, so duplicates, any order and late arrivals all end in the
 * intervals the clean stream gives. Expansions are locked first (in one order, so batches never
 * deadlock), and the events are read after the lock: a batch that committed meanwhile is seen.
 */
@Injectable()
export class MeterStore {
  constructor(private readonly db: DataSource) {}

  async meter(events: readonly UsageEvent[]): Promise<Map<string, MeterOutcome>> {
    const distinct = [...new Map(events.map((e) => [e.eventId, e])).values()];
    if (distinct.length === 0) return new Map();
    return this.db.transaction(async (m) => {
      const expansionIds = [...new Set(distinct.map((e) => e.expansionId))].sort();
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended('mxs-usage:' || x, 0)) FROM unnest($1::text[]) AS x`, [expansionIds]);
      const claimed: { event_id: string; expansion_id: string }[] = await m.query(
        `INSERT INTO usage_events (event_id, expansion_id, tenant_id, type, tier, size_gib, at, vm_id, host_id, reason)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::int[], $7::timestamptz[], $8::text[], $9::text[], $10::text[])
         ON CONFLICT (event_id) DO NOTHING
         RETURNING event_id, expansion_id`,
        [
          distinct.map((e) => e.eventId),
          distinct.map((e) => e.expansionId),
          distinct.map((e) => e.tenantId),
          distinct.map((e) => e.type),
          distinct.map((e) => e.tier),
          distinct.map((e) => e.sizeGiB),
          distinct.map((e) => e.at),
          distinct.map((e) => e.vmId),
          distinct.map((e) => e.hostId),
          distinct.map((e) => e.reason),
        ],
      );
      const changed = [...new Set(claimed.map((c) => c.expansion_id))];
      if (changed.length > 0) await this.rebuildIntervals(m, changed);
      const claimedIds = new Set(claimed.map((c) => c.event_id));
      return new Map(events.map((e) => [e.eventId, claimedIds.has(e.eventId) ? 'claimed' : 'duplicate']));
    });
  }

  private async rebuildIntervals(m: EntityManager, expansionIds: readonly string[]): Promise<void> {
    const rows: StoredEvent[] = await m.query(
      `SELECT expansion_id, tenant_id, event_id, type, tier, size_gib, (extract(epoch FROM at) * 1000)::bigint AS at_ms
         FROM usage_events WHERE expansion_id = ANY($1::uuid[])`,
      [expansionIds],
    );
    const byExpansion = new Map<string, { tenantId: string; events: MeteredEvent[] }>();
    for (const r of rows) {
      const entry = byExpansion.get(r.expansion_id) ?? { tenantId: r.tenant_id, events: [] };
      entry.events.push({ eventId: r.event_id, type: r.type, atMs: Number(r.at_ms), sizeGiB: r.size_gib, tier: r.tier });
      byExpansion.set(r.expansion_id, entry);
    }
    const out = { expansionId: [] as string[], seq: [] as number[], tenantId: [] as string[], tier: [] as string[], kind: [] as string[], sizeGiB: [] as number[], startSec: [] as number[], endSec: [] as (number | null)[] };
    for (const [expansionId, { tenantId, events }] of byExpansion) {
      usageIntervals(events).forEach((interval: MeteredInterval, seq) => {
        out.expansionId.push(expansionId);
        out.seq.push(seq);
        out.tenantId.push(tenantId);
        out.tier.push(interval.tier);
        out.kind.push(interval.kind);
        out.sizeGiB.push(interval.sizeGiB);
        out.startSec.push(interval.startSec);
        out.endSec.push(interval.endSec);
      });
    }
    await m.query(`DELETE FROM usage_intervals WHERE expansion_id = ANY($1::uuid[])`, [expansionIds]);
    if (out.expansionId.length === 0) return;
    await m.query(
      `INSERT INTO usage_intervals (expansion_id, seq, tenant_id, tier, kind, size_gib, start_sec, end_sec)
       SELECT * FROM unnest($1::uuid[], $2::smallint[], $3::text[], $4::text[], $5::text[], $6::int[], $7::bigint[], $8::bigint[])`,
      [out.expansionId, out.seq, out.tenantId, out.tier, out.kind, out.sizeGiB, out.startSec, out.endSec],
    );
  }
}
