import type { LatencySummary } from '@mxs/sla-metrics';
import { LatencyHistogram } from '@mxs/sla-metrics';
import type { DataSource } from 'typeorm';

/** One finished operation: whose, how long, when it ended, and whether it met its SLO. */
export interface OperationSample {
  readonly tenantId: string;
  readonly durationMs: number;
  readonly endedAtMs: number;
  /** A hot-add that failed or a hot-remove that gave up: bad for the SLO, no duration. */
  readonly failed: boolean;
}

// Time-to-ready: from the request to the first activation. Failed hot-adds count against the SLO.
const READY_SQL = `
SELECT e.tenant_id, t.to_state = 'failed' AS failed,
       (extract(epoch FROM t.at - e.created_at) * 1000)::float8 AS duration_ms, (extract(epoch FROM t.at) * 1000)::float8 AS ended_ms
  FROM expansion_transitions t JOIN expansions e ON e.id = t.expansion_id
 WHERE t.from_state = 'attaching' AND t.to_state IN ('active', 'failed')
   AND t.at >= to_timestamp($1) AND t.at < to_timestamp($2) AND ($3::text IS NULL OR e.tenant_id = $3)`;

// Hot-remove: from the detach request to released; one that gave up (back to active) is bad.
const REMOVE_SQL = `
SELECT e.tenant_id, t.to_state = 'active' AS failed,
       (extract(epoch FROM t.at - d.at) * 1000)::float8 AS duration_ms, (extract(epoch FROM t.at) * 1000)::float8 AS ended_ms
  FROM expansion_transitions t JOIN expansions e ON e.id = t.expansion_id
  JOIN LATERAL (SELECT at FROM expansion_transitions d WHERE d.expansion_id = t.expansion_id AND d.to_state = 'detaching' AND d.id < t.id ORDER BY d.id DESC LIMIT 1) d ON true
 WHERE t.from_state = 'detaching' AND t.to_state IN ('released', 'active')
   AND t.at >= to_timestamp($1) AND t.at < to_timestamp($2) AND ($3::text IS NULL OR e.tenant_id = $3)`;

interface SampleRow {
  tenant_id: string;
  failed: boolean;
  duration_ms: number;
  ended_ms: number;
}

export type OperationKind = 'time-to-ready' | 'hot-remove';

/** Finished hot-adds or hot-removes in `[fromSec, toSec)`, from the expansions' timelines. */
export async function operationSamples(db: DataSource, kind: OperationKind, fromSec: number, toSec: number, tenantId: string | null): Promise<OperationSample[]> {
  const rows: SampleRow[] = await db.query(kind === 'time-to-ready' ? READY_SQL : REMOVE_SQL, [fromSec, toSec, tenantId]);
  return rows.map((r) => ({ tenantId: r.tenant_id, durationMs: Math.max(0, r.duration_ms), endedAtMs: r.ended_ms, failed: r.failed }));
}

/** Percentiles of the operations that completed (failures have no duration to count). */
export function latencySummary(samples: readonly OperationSample[]): LatencySummary {
  const histogram = new LatencyHistogram();
  for (const s of samples) if (!s.failed) histogram.record(s.durationMs);
  return histogram.summary();
}

export interface UptimeSummary {
  readonly windowSeconds: number;
  readonly downtimeSeconds: number;
  /** Up seconds over metered seconds, as a percentage with 4 decimals (truncated); "100" with no usage. */
  readonly uptimePct: string;
}

/** Metered and degraded seconds of every expansion in `[fromSec, toSec)`, summed per tenant. */
export async function meteredUptimeByTenant(db: DataSource, fromSec: number, toSec: number, tenantId: string | null): Promise<Map<string, UptimeSummary>> {
  const rows: { tenant_id: string; total: string; degraded: string }[] = await db.query(
    `SELECT i.tenant_id, sum(x.d)::text AS total, sum(CASE WHEN kind = 'degraded' THEN x.d ELSE 0 END)::text AS degraded
       FROM usage_intervals i CROSS JOIN LATERAL (SELECT least(coalesce(i.end_sec, $2), $2) - greatest(i.start_sec, $1) AS d) x
      WHERE i.start_sec < $2 AND coalesce(i.end_sec, $2) > $1 AND ($3::text IS NULL OR i.tenant_id = $3)
      GROUP BY i.tenant_id ORDER BY i.tenant_id`,
    [fromSec, toSec, tenantId],
  );
  return new Map(rows.map((r) => [r.tenant_id, uptimeSummary(Number(r.total), Number(r.degraded))]));
}

/** The sum of several tenants' figures. */
export function totalUptime(figures: Iterable<UptimeSummary>): UptimeSummary {
  let window = 0;
  let down = 0;
  for (const f of figures) {
    window += f.windowSeconds;
    down += f.downtimeSeconds;
  }
  return uptimeSummary(window, down);
}

export function uptimeSummary(windowSeconds: number, downtimeSeconds: number): UptimeSummary {
  return { windowSeconds, downtimeSeconds, uptimePct: uptimePct(windowSeconds, downtimeSeconds) };
}

export function uptimePct(windowSeconds: number, downtimeSeconds: number): string {
  if (windowSeconds === 0) return '100';
  // Truncated, never rounded up: 99.98999% must not read as 99.99%.
  const basisMillionths = (BigInt(windowSeconds - downtimeSeconds) * 1_000_000n) / BigInt(windowSeconds);
  const whole = basisMillionths / 10_000n;
  const fraction = (basisMillionths % 10_000n).toString().padStart(4, '0').replace(/0+$/, '');
  return fraction === '' ? String(whole) : `${whole}.${fraction}`;
}
