/// <reference types="jest" />
import type { PreparedStatement } from '@mxs/messaging';
import { withClient } from '@mxs/persistence';
import { loadFleet, seedTenant } from '@mxs/test-kit';
import { COMMIT_BATCH } from './expansions/commit-batcher';
import { REQUEST_DETACH } from './expansions/expansion-store';
import { NEIGHBOURHOODS } from './fleet/fleet-reader';
import type { ApiUnderTest, TestEnvironment } from './testing/api-harness';
import { createTestEnvironment, startApi } from './testing/api-harness';
import { sql } from './testing/expectations';

/** Tables of more pages than this are not read whole by a placement (smaller ones may be: it is cheaper). */
const SMALL_PAGES = 4;

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly 'Index Name'?: string;
  readonly Plans?: readonly PlanNode[];
}

function scanned(node: PlanNode): string[] {
  const here = node['Node Type'] === 'Seq Scan' && node['Relation Name'] !== undefined ? [node['Relation Name']] : [];
  return [...here, ...(node.Plans ?? []).flatMap(scanned)];
}

/** The indexes a plan reads `table` by. */
function indexesOn(node: PlanNode, table: string): string[] {
  const here = node['Relation Name'] === table && node['Index Name'] !== undefined ? [node['Index Name']] : [];
  return [...here, ...(node.Plans ?? []).flatMap((n) => indexesOn(n, table))];
}

/**
 * The generic plan PostgreSQL keeps for a prepared statement (the API's hot statements are
 * prepared once per connection and run thousands of times a second), shown by EXPLAIN without
 * running it.
 */
function genericPlan(url: string, statement: PreparedStatement): Promise<PlanNode> {
  const params = Math.max(0, ...[...statement.text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
  return withClient(url, 'mxs-plan-check', async (client) => {
    await client.query(`SET plan_cache_mode = force_generic_plan`);
    await client.query(`PREPARE hot AS ${statement.text}`);
    const [row] = (await client.query(`EXPLAIN (FORMAT JSON) EXECUTE hot(${Array.from({ length: params }, () => 'NULL').join(', ')})`)).rows as { 'QUERY PLAN': { Plan: PlanNode }[] }[];
    const plan = row?.['QUERY PLAN'][0]?.Plan;
    if (plan === undefined) throw new Error(`no plan for ${statement.name}`);
    return plan;
  });
}

/** The tables of more than a few pages a statement's generic plan reads whole. */
async function genericPlanScans(url: string, statement: PreparedStatement): Promise<string[]> {
  const large = await withClient(url, 'mxs-plan-check', async (client) =>
    (await client.query(`SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace AND pg_relation_size(oid) > $1 * current_setting('block_size')::int`, [SMALL_PAGES])).rows.map((r: { relname: string }) => r.relname),
  );
  return scanned(await genericPlan(url, statement)).filter((table) => large.includes(table));
}

// A placement's two statements probe indexes for what they touch, whatever the planner knows of
// the tables: their generic plans are made once, sometimes on a fresh fleet with no statistics,
// and a plan that scans the VMs or devices costs more with every one the fleet has.
describe('the placement statements read by index on a fleet-sized database', () => {
  let env: TestEnvironment;
  let api: ApiUnderTest;

  beforeAll(async () => {
    env = await createTestEnvironment('statement-plans');
    api = await startApi(env.env({ MXS_OUTBOX_RELAY: 'false', MXS_AUTOMATION_CONCURRENCY: '0' }));
    const { hostIds } = await loadFleet(api.url, 'rack64');
    await seedTenant(api.url, 'acme', hostIds.slice(0, 1));
    // bench:api's population: the size at which the planner once chose to scan every VM.
    await sql(api, `INSERT INTO vms (id, tenant_id, host_id, dram_gib, name)
      SELECT 'filler-' || g, 'acme', ($1::text[])[1 + g % cardinality($1::text[])], 64, 'filler' FROM generate_series(1, 2047) AS g`, [hostIds]);
  });

  afterAll(async () => {
    await api?.close();
    await env?.drop();
  });

  it.each([
    ['with no statistics yet', false],
    ['after ANALYZE', true],
  ])('%s: neither the neighbourhood read, the batch commit nor a removal scans a table whole', async (_label, analyze) => {
    if (analyze) await sql(api, 'ANALYZE');
    const [counts] = await sql<{ vms: number; devices: number }>(api, `SELECT (SELECT count(*)::int FROM vms) AS vms, (SELECT count(*)::int FROM devices) AS devices`);
    expect(counts?.vms).toBe(2048);
    expect(counts?.devices).toBeGreaterThan(1000);
    expect(await genericPlanScans(env.db.url, NEIGHBOURHOODS)).toEqual([]);
    expect(await genericPlanScans(env.db.url, COMMIT_BATCH)).toEqual([]);
    expect(await genericPlanScans(env.db.url, REQUEST_DETACH)).toEqual([]);
  });

  it('a removal finds its expansion\'s unsent hotplug rows by index, not among every unsent row, however many wait', async () => {
    // A backlog, as while Redis is away: rows of many expansions wait in the outbox.
    await sql(api, `INSERT INTO outbox (id, queue, job_name, payload)
      SELECT gen_random_uuid(), 'hotplug', 'hot-add', jsonb_build_object('expansionId', gen_random_uuid()) FROM generate_series(1, 5000)`);
    try {
      for (const analyze of [false, true]) {
        if (analyze) await sql(api, 'ANALYZE outbox');
        expect(indexesOn(await genericPlan(env.db.url, REQUEST_DETACH), 'outbox')).toEqual(['outbox_pending_expansion']);
      }
    } finally {
      await sql(api, `DELETE FROM outbox`);
    }
  });
});
