import { Injectable } from '@nestjs/common';
import { gibHoursText } from '@mxs/rating';
import { DataSource } from 'typeorm';
import { nowSec } from '../period/month';

export interface UsageIntervalView {
  readonly expansionId: string;
  readonly seq: number;
  readonly tier: 'direct' | 'pooled';
  readonly kind: 'charged' | 'degraded';
  readonly sizeGiB: number;
  readonly start: string;
  /** Null while the interval is still open. */
  readonly end: string | null;
  /** GiB-hours inside the window asked for (open intervals count up to now), 6 decimals. */
  readonly gibHoursInWindow: string;
}

interface Row {
  expansion_id: string;
  seq: number;
  tier: 'direct' | 'pooled';
  kind: 'charged' | 'degraded';
  size_gib: number;
  start_sec: string;
  end_sec: string | null;
  gib_sec: string;
}

/** A tenant's metered intervals over a window, as billing will charge them. */
@Injectable()
export class UsageService {
  constructor(private readonly db: DataSource) {}

  async list(tenantId: string, fromSec: number, toSec: number, after: readonly [string, number] | undefined, limit: number): Promise<{ items: UsageIntervalView[]; more: boolean }> {
    const asOf = Math.min(toSec, nowSec());
    const rows: Row[] = await this.db.query(
      `SELECT expansion_id, seq, tier, kind, size_gib, start_sec, end_sec,
              (size_gib * greatest(0, least(coalesce(end_sec, $4), $3) - greatest(start_sec, $2)))::text AS gib_sec
         FROM usage_intervals
        WHERE tenant_id = $1 AND start_sec < $3 AND (end_sec IS NULL OR end_sec > $2)
          AND ($5::uuid IS NULL OR (expansion_id, seq) > ($5::uuid, $6::int))
        ORDER BY expansion_id, seq LIMIT $7`,
      [tenantId, fromSec, toSec, asOf, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
    );
    const items = rows.slice(0, limit).map((r) => ({
      expansionId: r.expansion_id,
      seq: r.seq,
      tier: r.tier,
      kind: r.kind,
      sizeGiB: r.size_gib,
      start: new Date(Number(r.start_sec) * 1000).toISOString(),
      end: r.end_sec === null ? null : new Date(Number(r.end_sec) * 1000).toISOString(),
      gibHoursInWindow: gibHoursText(BigInt(r.gib_sec)),
    }));
    return { items, more: rows.length > limit };
  }
}
