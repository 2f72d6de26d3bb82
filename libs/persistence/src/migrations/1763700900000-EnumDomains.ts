import type { MigrationInterface, QueryRunner } from 'typeorm';

interface EnumDomain {
  readonly name: string;
  /** The values, as SQL literals. Kept here, not imported: a migration is frozen once applied. */
  readonly values: string;
  /** The columns that take it, each with the CHECK constraint it replaces. */
  readonly columns: readonly { readonly table: string; readonly column: string; readonly check: string }[];
}

const DOMAINS: readonly EnumDomain[] = [
  {
    name: 'expansion_state',
    values: `'requested','placed','attaching','active','detaching','released','rejected','failed','degraded'`,
    columns: [
      { table: 'expansions', column: 'state', check: 'expansions_state_check' },
      { table: 'expansion_transitions', column: 'from_state', check: 'expansion_transitions_from_state_check' },
      { table: 'expansion_transitions', column: 'to_state', check: 'expansion_transitions_to_state_check' },
    ],
  },
  {
    name: 'operation_state',
    values: `'pending','running','compensating','done','failed','superseded'`,
    columns: [{ table: 'operations', column: 'state', check: 'operations_state_check' }],
  },
  { name: 'operation_kind', values: `'hot-add','hot-remove'`, columns: [{ table: 'operations', column: 'kind', check: 'operations_kind_check' }] },
  { name: 'host_state', values: `'healthy','draining','maintenance','failed'`, columns: [{ table: 'hosts', column: 'state', check: 'hosts_state_check' }] },
  {
    name: 'device_tier',
    values: `'direct','pooled'`,
    columns: [
      { table: 'devices', column: 'tier', check: 'devices_tier_check' },
      { table: 'expansions', column: 'placed_tier', check: 'expansions_placed_tier_check' },
      { table: 'usage_events', column: 'tier', check: 'usage_events_tier_check' },
      { table: 'usage_intervals', column: 'tier', check: 'usage_intervals_tier_check' },
    ],
  },
  { name: 'requested_tier', values: `'direct','pooled','any'`, columns: [{ table: 'expansions', column: 'tier', check: 'expansions_tier_check' }] },
  { name: 'expansion_layout', values: `'pack','spread','interleave'`, columns: [{ table: 'expansions', column: 'layout', check: 'expansions_layout_check' }] },
];

/**
 * The enumerated text columns the sagas write take domains instead of CHECK constraints: one
 * definition per enumeration (the expansion states were spelled out three times, the device
 * tiers four), checked only when a value is assigned.
 *
 * Why: PostgreSQL reads a table's CHECK constraints from the catalogue and plans them afresh for
 * every statement that writes the table, whatever the columns written, while a domain's checks
 * are prepared once per session. A saga's statements write expansions, their timeline and
 * operations, and these lists were most of the constraint text. In perf profiles of
 * PostgreSQL's backends during bench:hotplug's throughput stage, checking constraints
 * (ExecConstraints) fell from 7.2% of their CPU to 3.7% with the domains; alone, an UPDATE of a
 * table with three such lists cost 0.03–0.05 ms more than of one with domains.
 *
 * Each column changes type while its domain has no constraint yet (text to a domain over text:
 * no rewrite), then the domain's constraint is added, a scan of each table that uses it. The
 * migration runs in one transaction and holds ACCESS EXCLUSIVE locks on these tables until it
 * commits, so it runs with the apps stopped, as every migration here does (`migrate` before the
 * apps start): the apps' prepared statements that return these columns would otherwise fail
 * with "cached plan must not change result type" until they reconnect. A type change drops the
 * columns' statistics, so the tables that have rows are analysed again before the migration ends.
 */
export class EnumDomains1763700900000 implements MigrationInterface {
  name = 'EnumDomains1763700900000';

  async up(q: QueryRunner): Promise<void> {
    for (const d of DOMAINS) {
      await q.query(`CREATE DOMAIN ${d.name} AS text`);
      for (const c of d.columns) await q.query(`ALTER TABLE ${c.table} DROP CONSTRAINT ${c.check}, ALTER COLUMN ${c.column} TYPE ${d.name}`);
      await q.query(`ALTER DOMAIN ${d.name} ADD CONSTRAINT ${d.name}_check CHECK (VALUE IN (${d.values}))`);
    }
    await analyseTablesWithRows(q);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const d of [...DOMAINS].reverse()) {
      for (const c of d.columns) {
        await q.query(`ALTER TABLE ${c.table} ALTER COLUMN ${c.column} TYPE text, ADD CONSTRAINT ${c.check} CHECK (${c.column} IN (${d.values}))`);
      }
      await q.query(`DROP DOMAIN ${d.name}`);
    }
    await analyseTablesWithRows(q);
  }
}

/**
 * Statistics for the columns whose type changed: ALTER COLUMN TYPE drops them, and the planner's
 * estimates for `state = …` with them. Only tables with rows: analysing an empty table records
 * it as empty, and the planner then trusts its real size (a page or two while a fresh database
 * fills) where it would otherwise assume ten pages. Plans made then read the whole table (each
 * foreign-key check on an expansion, each saga's begin), and, without autovacuum to analyse the
 * table again, the saved plans of every session kept doing so as it grew: in bench:hotplug, a
 * quarter of a millisecond for each such check once it held some 2,000 expansions.
 */
async function analyseTablesWithRows(q: QueryRunner): Promise<void> {
  const columns = new Map<string, string[]>();
  for (const c of DOMAINS.flatMap((d) => d.columns)) columns.set(c.table, [...(columns.get(c.table) ?? []), c.column]);
  const filled: string[] = [];
  for (const [table, cols] of columns) {
    const [row] = (await q.query(`SELECT EXISTS (SELECT 1 FROM ${table}) AS filled`)) as { filled: boolean }[];
    if (row?.filled === true) filled.push(`${table} (${cols.join(', ')})`);
  }
  if (filled.length > 0) await q.query(`ANALYZE ${filled.join(', ')}`);
}
