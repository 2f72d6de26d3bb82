import { withClient } from '@mxs/persistence';
import type { Client } from 'pg';

/** A plain pg client on the test's database, for assertions the API must not be trusted with. */
export function withDb<T>(url: string, work: (db: Client) => Promise<T>): Promise<T> {
  return withClient(url, 'mxs-test-checks', work);
}

const LIVE = `('requested', 'placed', 'attaching', 'active', 'detaching', 'degraded')`;

// Each query returns the rows that break one rule; every rule holds when all come back empty.
const RULES: Readonly<Record<string, string>> = {
  'live extents past a device capacity': `
    SELECT d.id, d.capacity_gib, sum(x.size_gib)::int AS live_gib FROM devices d
    JOIN expansion_extents x ON x.device_id = d.id AND x.live
    GROUP BY d.id, d.capacity_gib HAVING sum(x.size_gib) > d.capacity_gib`,
  'a live extent outside its device': `
    SELECT x.expansion_id, x.device_id, x.offset_gib, x.size_gib FROM expansion_extents x JOIN devices d ON d.id = x.device_id
    WHERE x.live AND (x.offset_gib < 0 OR x.offset_gib + x.size_gib > d.capacity_gib)`,
  'two live extents overlapping on a device': `
    SELECT a.device_id, a.expansion_id AS a_expansion, a.span::text AS a_span, b.expansion_id AS b_expansion, b.span::text AS b_span
    FROM expansion_extents a JOIN expansion_extents b
      ON a.device_id = b.device_id AND a.live AND b.live AND a.span && b.span
     AND (a.expansion_id, a.offset_gib) < (b.expansion_id, b.offset_gib)`,
  'a tenant whose used_gib is not the sum of its live expansions': `
    SELECT t.id, t.used_gib, coalesce(sum(e.size_gib), 0)::int AS live_gib FROM tenants t
    LEFT JOIN expansions e ON e.tenant_id = t.id AND e.state IN ${LIVE}
    GROUP BY t.id, t.used_gib HAVING t.used_gib <> coalesce(sum(e.size_gib), 0)`,
  'a host whose mapped_gib is not the sum of its live expansions': `
    SELECT h.id, h.mapped_gib, coalesce(sum(e.size_gib), 0)::int AS live_gib FROM hosts h
    LEFT JOIN expansions e ON e.host_id = h.id AND e.state IN ${LIVE}
    GROUP BY h.id, h.mapped_gib HAVING h.mapped_gib <> coalesce(sum(e.size_gib), 0)`,
  'a live expansion whose extents do not add up to its size': `
    SELECT e.id, e.size_gib, coalesce(sum(x.size_gib), 0)::int AS extent_gib FROM expansions e
    LEFT JOIN expansion_extents x ON x.expansion_id = e.id AND x.live
    WHERE e.state IN ${LIVE} GROUP BY e.id, e.size_gib HAVING e.size_gib <> coalesce(sum(x.size_gib), 0)`,
  'a placed expansion without exactly one hot-add operation and outbox row': `
    SELECT e.id, count(DISTINCT o.id)::int AS operations, count(DISTINCT b.id)::int AS outbox_rows FROM expansions e
    LEFT JOIN operations o ON o.expansion_id = e.id AND o.kind = 'hot-add'
    LEFT JOIN outbox b ON b.id = o.id
    GROUP BY e.id HAVING count(DISTINCT o.id) <> 1 OR count(DISTINCT b.id) <> 1`,
};

/** Every broken rule with a few of the rows that break it; empty when the database is consistent. */
export async function brokenInvariants(db: Client): Promise<string[]> {
  const broken: string[] = [];
  for (const [rule, sql] of Object.entries(RULES)) {
    const { rows } = await db.query(`${sql} LIMIT 5`);
    if (rows.length > 0) broken.push(`${rule}: ${JSON.stringify(rows)}`);
  }
  return broken;
}

/** Row count and content hash of every table in the public schema: equal snapshots, equal data. */
export async function tableSnapshot(db: Client): Promise<Record<string, string>> {
  const { rows: tables } = await db.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
  );
  const parts = tables.map(
    ({ name }) => `SELECT '${name}' AS name, count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') AS hash FROM public."${name}" t`,
  );
  const { rows } = await db.query<{ name: string; hash: string }>(parts.join(' UNION ALL '));
  return Object.fromEntries(rows.map((r) => [r.name, r.hash]));
}
