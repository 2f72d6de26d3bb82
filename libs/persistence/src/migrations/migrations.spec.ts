/// <reference types="jest" />
import { Client } from 'pg';
import { withAdminClient } from '../admin-client';
import { createDataSource, runMigrations } from '../data-source';
import { withDatabase, quoteIdent } from '../database-url';
import { ensureDatabase } from '../ensure-database';
import type { TestDatabase } from '../testing/test-database';
import { createTestDatabase } from '../testing/test-database';
import { MIGRATIONS } from './index';

let db: TestDatabase;
let emptyName: string;

beforeAll(async () => {
  db = await createTestDatabase('migrations');
  emptyName = `${db.name}_empty`;
});

afterAll(async () => {
  await withAdminClient(db.url, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(emptyName)} WITH (FORCE)`));
  await db?.drop();
});

/** Tables and their columns, domains, constraints, indexes, triggers, functions and extensions: what a migration can leave behind. */
async function schemaOf(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ item: string }>(`
      SELECT 'table ' || tablename AS item FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations'
      UNION ALL SELECT 'column ' || table_name || '.' || column_name || ' ' || coalesce(domain_name, udt_name) || ' ' || is_nullable || coalesce(' default ' || column_default, '')
        FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'migrations'
      UNION ALL SELECT 'domain ' || typname || ' ' || format_type(typbasetype, typtypmod) FROM pg_type
        WHERE typtype = 'd' AND typnamespace = 'public'::regnamespace
      UNION ALL SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
        WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> 'migrations'
      UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'migrations'
      UNION ALL SELECT 'trigger ' || tgname FROM pg_trigger WHERE NOT tgisinternal
      UNION ALL SELECT 'function ' || proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace
      UNION ALL SELECT 'extension ' || extname FROM pg_extension WHERE extname <> 'plpgsql'`);
    return rows.map((row) => row.item).sort();
  } finally {
    await client.end();
  }
}

/** Applies `migrations` (those not yet applied) to the database at `url`. */
async function migrateWith(url: string, migrations: typeof MIGRATIONS): Promise<void> {
  const upTo = createDataSource({ url });
  upTo.setOptions({ migrations: [...migrations] });
  await upTo.initialize();
  try {
    await upTo.runMigrations({ transaction: 'each' });
  } finally {
    await upTo.destroy();
  }
}

/** The schema after the first k migrations, k = 0…n, built forwards on a database of its own. */
async function schemasGoingForwards(): Promise<string[][]> {
  const name = `${db.name}_steps`;
  const url = withDatabase(db.url, name);
  await ensureDatabase(url);
  const forwards: string[][] = [await schemaOf(url)];
  try {
    for (let k = 1; k <= MIGRATIONS.length; k++) {
      await migrateWith(url, MIGRATIONS.slice(0, k));
      forwards.push(await schemaOf(url));
    }
  } finally {
    await withAdminClient(db.url, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
  }
  return forwards;
}

describe('migrations', () => {
  it('create a missing database once, even when asked from several places at the same time', async () => {
    const url = withDatabase(db.url, emptyName);
    const created = await Promise.all([ensureDatabase(url), ensureDatabase(url), ensureDatabase(url)]);
    expect(created.filter(Boolean)).toHaveLength(1);
    expect(await ensureDatabase(url)).toBe(false);
    expect(await schemaOf(url)).toEqual([]);
  });

  it('apply on an empty database exactly once, whoever runs them at the same time', async () => {
    const url = withDatabase(db.url, emptyName);
    const runs = await Promise.all([runMigrations(url), runMigrations(url)]);
    expect(runs.flat()).toEqual(MIGRATIONS.map((M) => new M().name));
    expect(await runMigrations(url)).toEqual([]);
    expect(await schemaOf(url)).toEqual(await schemaOf(db.url));
  });

  it('revert one by one, each to the schema of the migrations before it, and apply again to the same schema', async () => {
    const migrated = await schemaOf(db.url);
    expect(migrated).toEqual(expect.arrayContaining(['table expansion_extents', 'domain expansion_state text', 'extension btree_gist', 'trigger expansion_extents_changed']));
    expect(migrated).not.toContain('trigger outbox_notify');
    const forwards = await schemasGoingForwards();
    expect(forwards.at(-1)).toEqual(migrated);

    const dataSource = createDataSource({ url: db.url });
    await dataSource.initialize();
    try {
      for (let k = MIGRATIONS.length; k > 0; k--) {
        await dataSource.undoLastMigration({ transaction: 'each' });
        expect({ reverted: MIGRATIONS[k - 1]?.name, schema: await schemaOf(db.url) }).toEqual({ reverted: MIGRATIONS[k - 1]?.name, schema: forwards[k - 1] });
      }
      expect(await schemaOf(db.url)).toEqual([]);
      expect(await dataSource.showMigrations()).toBe(true);
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await dataSource.destroy();
    }
    expect(await schemaOf(db.url)).toEqual(migrated);
  });

  it('analyse again only the tables that have rows, so that the first plans on a fresh database still probe by index', async () => {
    const name = `${db.name}_stats`;
    const url = withDatabase(db.url, name);
    await ensureDatabase(url);
    const domains = MIGRATIONS.findIndex((m) => m.name === 'EnumDomains1763700900000');
    expect(domains).toBeGreaterThan(0);
    const client = new Client({ connectionString: url });
    try {
      await migrateWith(url, MIGRATIONS.slice(0, domains));
      await client.connect();
      await client.query(`INSERT INTO hosts (id, state, cfmws_window_gib) VALUES ('h1', 'healthy', 64)`);
      await migrateWith(url, MIGRATIONS);
      // The table with a row has statistics for its retyped column again; the empty ones were left alone.
      const { rows: stats } = await client.query(`SELECT tablename || '.' || attname AS col FROM pg_stats WHERE schemaname = 'public' AND attname = 'state' ORDER BY 1`);
      expect(stats.map((r: { col: string }) => r.col)).toEqual(['hosts.state']);
      // -1: never analysed, so the planner assumes ten pages rather than the one they have.
      const { rows: sizes } = await client.query(`SELECT relname, reltuples FROM pg_class WHERE relname IN ('expansions', 'operations', 'hosts') ORDER BY 1`);
      expect(sizes).toEqual([{ relname: 'expansions', reltuples: -1 }, { relname: 'hosts', reltuples: 1 }, { relname: 'operations', reltuples: -1 }]);
      // An expansion's foreign-key check, and a saga's lookup of its operation, as generic plans.
      await client.query(`SET plan_cache_mode = force_generic_plan`);
      await client.query(`PREPARE fk AS SELECT 1 FROM ONLY expansions x WHERE id = $1 FOR KEY SHARE OF x`);
      await client.query(`PREPARE op AS SELECT state FROM operations WHERE id = $1`);
      for (const [statement, index] of [['fk', 'expansions_pkey'], ['op', 'operations_pkey']]) {
        const plan = (await client.query(`EXPLAIN EXECUTE ${statement}(NULL)`)).rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
        expect(plan).toContain(index);
        expect(plan).not.toContain('Seq Scan');
      }
    } finally {
      await client.end();
      await withAdminClient(db.url, (admin) => admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
    }
  });
});
