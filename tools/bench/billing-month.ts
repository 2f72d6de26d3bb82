import type { Client } from 'pg';

/** February 2026 as billing's `Month`: `[startSec, endSec)` in epoch seconds. */
export const BENCH_MONTH = { name: '2026-02', startSec: Date.UTC(2026, 1, 1) / 1000, endSec: Date.UTC(2026, 2, 1) / 1000 } as const;

export interface MonthShape {
  readonly tenants: number;
  /** Each has 1–4 intervals (1, 2, 3, 4 in turn), so the month holds 2.5 × this many. */
  readonly expansions: number;
}

/** The two plans, as `POST /admin/v1/plans` bodies: graduated bands, and a minimum with tenant-wide credits. */
export const BENCH_PLANS = [
  {
    id: 'bench-standard',
    name: 'Standard',
    currency: 'USD',
    isDefault: true,
    prices: {
      direct: [{ upToGiBHours: 5_000, unitPrice: '0.0125' }, { upToGiBHours: 50_000, unitPrice: '0.011' }, { upToGiBHours: null, unitPrice: '0.0095' }],
      pooled: [{ upToGiBHours: 10_000, unitPrice: '0.0075' }, { upToGiBHours: null, unitPrice: '0.0062' }],
    },
  },
  {
    id: 'bench-premium',
    name: 'Premium',
    currency: 'USD',
    minimumCommitMinor: 50_000,
    creditScope: 'tenant',
    prices: {
      direct: [{ upToGiBHours: 20_000, unitPrice: '0.0118' }, { upToGiBHours: null, unitPrice: '0.0089' }],
      pooled: '0.0069',
    },
  },
] as const;

/**
 * Fills a migrated database with one month of metered usage, straight in SQL: `tenants` tenants,
 * `expansions` expansions spread over them with 1–4 back-to-back intervals each (a third of the
 * multi-interval ones degraded in between, the others resized), starting from three days before
 * the month to a day before its end, some running past it and a tenth still open. A tenth of
 * the tenants switch from premium to standard mid-month, another tenth from the default to premium.
 */
export async function fillMonth(sql: Client, shape: MonthShape): Promise<{ intervals: number; assignments: number }> {
  const { startSec, endSec } = BENCH_MONTH;
  await sql.query(`SELECT setseed(0.20260201)`);
  await sql.query(
    `INSERT INTO tenants (id, name, quota_gib, api_key_prefix, api_key_hash)
     SELECT 'bench-' || lpad(g::text, 5, '0'), 'Bench ' || g, 1000000, 'bench' || g, md5('a' || g) || md5('b' || g)
       FROM generate_series(0, $1 - 1) AS g`,
    [shape.tenants],
  );
  await sql.query(
    `INSERT INTO usage_intervals (expansion_id, seq, tenant_id, tier, kind, size_gib, start_sec, end_sec)
     SELECT md5('expansion-' || e)::uuid, s, tenant_id, tier,
            CASE WHEN s % 2 = 1 AND e % 3 = 0 THEN 'degraded' ELSE 'charged' END,
            CASE WHEN e % 3 = 0 THEN size_gib ELSE size_gib * (1 + s % 2) END,
            first_sec + sum(d) OVER w - d,
            CASE WHEN s = last AND still_open THEN NULL ELSE first_sec + sum(d) OVER w END
       FROM (
         SELECT x.*, s, CASE WHEN s % 2 = 1 AND e % 3 = 0 THEN 60 + floor(random() * 7200)::bigint ELSE 600 + floor(random() * 4 * 86400)::bigint END AS d
           FROM (
             SELECT e, 'bench-' || lpad((e % $2)::text, 5, '0') AS tenant_id,
                    CASE WHEN random() < 0.4 THEN 'direct' ELSE 'pooled' END AS tier,
                    (ARRAY[1, 2, 4, 8, 16, 32, 64])[1 + floor(random() * 7)::int] AS size_gib,
                    $3::bigint - 3 * 86400 + floor(random() * ($4::bigint - $3::bigint + 2 * 86400))::bigint AS first_sec,
                    e % 4 AS last, random() < 0.1 AS still_open
               FROM generate_series(0, $1 - 1) AS e
           ) x, generate_series(0, x.last) AS s
       ) y
     WINDOW w AS (PARTITION BY e ORDER BY s)`,
    [shape.expansions, shape.tenants, startSec, endSec],
  );
  // Plan changes land on a random second in the middle of the month.
  await sql.query(
    `INSERT INTO tenant_plans (tenant_id, effective_from, plan_id)
     SELECT id, '2026-01-01T00:00:00Z', 'bench-premium' FROM tenants WHERE id LIKE 'bench-%1'
     UNION ALL
     SELECT id, to_timestamp($1::bigint + floor(random() * 14 * 86400)::bigint), CASE WHEN id LIKE 'bench-%1' THEN 'bench-standard' ELSE 'bench-premium' END
       FROM tenants WHERE id LIKE 'bench-%1' OR id LIKE 'bench-%2'`,
    [startSec + 7 * 86400],
  );
  await sql.query(`ANALYZE`);
  const [counts] = (await sql.query<{ intervals: number; assignments: number }>(`SELECT (SELECT count(*)::int FROM usage_intervals) AS intervals, (SELECT count(*)::int FROM tenant_plans) AS assignments`)).rows;
  return counts ?? { intervals: 0, assignments: 0 };
}

/** The floor: one statement summing each tenant's charged GiB-seconds in the month. */
export async function sumMonthInSql(sql: Client): Promise<number> {
  const { startSec, endSec } = BENCH_MONTH;
  const { rows } = await sql.query(
    `SELECT tenant_id, sum(size_gib * (least(coalesce(end_sec, $2), $2) - greatest(start_sec, $1)))::text AS gib_seconds
       FROM usage_intervals
      WHERE kind = 'charged' AND start_sec < $2 AND coalesce(end_sec, $2) > $1
      GROUP BY tenant_id`,
    [startSec, endSec],
  );
  return rows.length;
}
