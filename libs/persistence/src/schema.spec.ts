/// <reference types="jest" />
import { EXPANSION_STATES, HOTPLUG_JOBS } from '@mxs/contracts';
import { LAYOUTS, REQUESTED_TIERS } from '@mxs/policy';
import type { Tier } from '@mxs/topology';
import { HOST_STATES } from '@mxs/topology';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { HEX_HASH, insertExpansion, insertExtent, rejectionOf, seedFleet } from './__fixtures__/rows';
import { createDataSource } from './data-source';
import { ExpansionExtentEntity } from './entities/expansion-extent.entity';
import { HostEntity } from './entities/host.entity';
import type { OperationState } from './entities/operation.entity';
import { TenantEntity } from './entities/tenant.entity';
import { isCheckViolation, isExclusionViolation, isForeignKeyViolation, isUniqueViolation } from './pg-errors';
import type { TestDatabase } from './testing/test-database';
import { createTestDatabase } from './testing/test-database';

let db: TestDatabase;
let dataSource: DataSource;

beforeAll(async () => {
  db = await createTestDatabase('schema');
  dataSource = createDataSource({ url: db.url, poolSize: 4 });
  await dataSource.initialize();
  await seedFleet(dataSource);
});

afterAll(async () => {
  await dataSource?.destroy();
  await db?.drop();
});

// Each test works on a device of its own, so tests never see each other's extents.
async function freshDevice(id: string, capacityGiB = 256): Promise<string> {
  await dataSource.query(`INSERT INTO devices (id, tier, capacity_gib, health) VALUES ($1, 'pooled', $2, 'healthy')`, [
    id,
    capacityGiB,
  ]);
  return id;
}

describe('expansion_extents_no_overlap', () => {
  it('refuses a second live extent that overlaps one on the same device', async () => {
    const device = await freshDevice('overlap-1');
    await insertExtent(dataSource, { deviceId: device, offsetGiB: 0, sizeGiB: 32 });
    const error = await rejectionOf(insertExtent(dataSource, { deviceId: device, offsetGiB: 16, sizeGiB: 32 }));
    expect(isExclusionViolation(error, 'expansion_extents_no_overlap')).toBe(true);
  });

  it('allows extents that only touch: ranges are half-open', async () => {
    const device = await freshDevice('overlap-2');
    await insertExtent(dataSource, { deviceId: device, offsetGiB: 0, sizeGiB: 16 });
    await insertExtent(dataSource, { deviceId: device, offsetGiB: 16, sizeGiB: 16 });
    const spans = await dataSource.getRepository(ExpansionExtentEntity).find({ where: { deviceId: device }, order: { offsetGiB: 'ASC' } });
    expect(spans.map((extent) => extent.span)).toEqual(['[0,16)', '[16,32)']);
  });

  it('allows an overlap when one of the two is not live', async () => {
    const device = await freshDevice('overlap-3');
    await insertExtent(dataSource, { deviceId: device, offsetGiB: 0, sizeGiB: 32, live: false });
    await insertExtent(dataSource, { deviceId: device, offsetGiB: 8, sizeGiB: 32 });
  });

  it('allows the same range on another device', async () => {
    const first = await freshDevice('overlap-4a');
    const second = await freshDevice('overlap-4b');
    await insertExtent(dataSource, { deviceId: first, offsetGiB: 0, sizeGiB: 64 });
    await insertExtent(dataSource, { deviceId: second, offsetGiB: 0, sizeGiB: 64 });
  });

  it('refuses to make a released extent live again over one that took its place', async () => {
    const device = await freshDevice('overlap-5');
    const released = await insertExtent(dataSource, { deviceId: device, offsetGiB: 0, sizeGiB: 32, live: false });
    await insertExtent(dataSource, { deviceId: device, offsetGiB: 0, sizeGiB: 32 });
    const extents = dataSource.getRepository(ExpansionExtentEntity);
    const error = await rejectionOf(extents.update({ expansionId: released }, { live: true }));
    expect(isExclusionViolation(error)).toBe(true);
  });

  it('lets exactly one of many concurrent overlapping inserts win', async () => {
    const device = await freshDevice('overlap-race');
    const outcomes = await Promise.allSettled(
      [0, 4, 8, 12].map((offsetGiB) => insertExtent(dataSource, { deviceId: device, offsetGiB, sizeGiB: 16 })),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(isExclusionViolation(outcome.reason)).toBe(true);
    }
  });
});

describe('expansion_extents_within_device', () => {
  it('refuses an extent that ends past the device, as a check violation with the trigger’s name', async () => {
    const device = await freshDevice('within-1', 64);
    const error = await rejectionOf(insertExtent(dataSource, { deviceId: device, offsetGiB: 48, sizeGiB: 32 }));
    expect(isCheckViolation(error, 'expansion_extents_within_device')).toBe(true);
    expect(String(error)).toContain('passes the end of device within-1 (64 GiB)');
  });

  it('allows an extent that ends exactly at the capacity', async () => {
    const device = await freshDevice('within-2', 64);
    await insertExtent(dataSource, { deviceId: device, offsetGiB: 32, sizeGiB: 32 });
  });

  it('checks moves too, but not marking an extent released', async () => {
    const device = await freshDevice('within-3', 64);
    const expansionId = await insertExtent(dataSource, { deviceId: device, offsetGiB: 0, sizeGiB: 32 });
    const extents = dataSource.getRepository(ExpansionExtentEntity);
    const error = await rejectionOf(extents.update({ expansionId }, { sizeGiB: 128 }));
    expect(isCheckViolation(error, 'expansion_extents_within_device')).toBe(true);
    await extents.update({ expansionId }, { live: false });
  });

  it('leaves an unknown device to the foreign key', async () => {
    const error = await rejectionOf(insertExtent(dataSource, { deviceId: 'no-such-device', offsetGiB: 0, sizeGiB: 1 }));
    expect(isForeignKeyViolation(error, 'expansion_extents_device_id_fkey')).toBe(true);
  });
});

describe('hosts_mapped_within_window', () => {
  it('refuses mapping more than the CFMWS window, or less than nothing', async () => {
    const hosts = dataSource.getRepository(HostEntity);
    await hosts.insert({ id: 'host-window', state: 'healthy', cfmwsWindowGiB: 512 });
    await hosts.update({ id: 'host-window' }, { mappedGiB: 512 });
    for (const mappedGiB of [513, -1]) {
      const error = await rejectionOf(hosts.update({ id: 'host-window' }, { mappedGiB }));
      expect(isCheckViolation(error, 'hosts_mapped_within_window')).toBe(true);
    }
  });
});

describe('the other rules', () => {
  it('keeps API key prefixes unique across tenants', async () => {
    const tenant = { name: 'B', quotaGiB: 1, apiKeyPrefix: 'prefix-a', apiKeyHash: HEX_HASH };
    const error = await rejectionOf(dataSource.getRepository(TenantEntity).insert({ id: 'tenant-b', ...tenant }));
    expect(isUniqueViolation(error, 'tenants_api_key_prefix_key')).toBe(true);
  });

  it('takes every expansion state the contracts name, and nothing else', async () => {
    for (const state of EXPANSION_STATES) await insertExpansion(dataSource, { state });
    const error = await rejectionOf(insertExpansion(dataSource, { state: 'exploded' as never }));
    expect(isCheckViolation(error, 'expansion_state_check')).toBe(true);
  });

  it('refuses expansions outside 1..2048 GiB', async () => {
    for (const sizeGiB of [0, 2049]) {
      const error = await rejectionOf(insertExpansion(dataSource, { sizeGiB }));
      expect(isCheckViolation(error, 'expansions_size_gib_check')).toBe(true);
    }
  });

  it('holds one fleet layout row at most', async () => {
    const insert = (id: number) =>
      dataSource.query(`INSERT INTO fleet_layout (id, version, name, spec) VALUES ($1, 1, 'f', '{}')`, [id]);
    await insert(1);
    expect(isCheckViolation(await rejectionOf(insert(2)), 'fleet_layout_single_row')).toBe(true);
  });
});

describe('billing tables', () => {
  it('keep an interval\'s end after its start, and a plan assignment on a whole second', async () => {
    const interval = (endSec: number) =>
      dataSource.query(`INSERT INTO usage_intervals (expansion_id, seq, tenant_id, tier, kind, size_gib, start_sec, end_sec) VALUES ($1, 0, 'tenant-a', 'pooled', 'charged', 8, 100, $2)`, [randomUUID(), endSec]);
    expect(isCheckViolation(await rejectionOf(interval(100)), 'usage_intervals_order')).toBe(true);
    await interval(101);
    await dataSource.query(`INSERT INTO plans (id, name, currency, prices, credit_scope, credit_tiers) VALUES ('p', 'p', 'USD', '{}', 'expansion', '[]')`);
    const assign = (at: string) => dataSource.query(`INSERT INTO tenant_plans (tenant_id, effective_from, plan_id) VALUES ('tenant-a', $1, 'p')`, [at]);
    expect(isCheckViolation(await rejectionOf(assign('2026-03-01T00:00:00.500Z')), 'tenant_plans_whole_second')).toBe(true);
    await assign('2026-03-01T00:00:00Z');
  });

  it('refuse an invoice whose total is not its charges plus its credits, and a second default plan', async () => {
    const invoice = (total: number) =>
      dataSource.query(
        `INSERT INTO invoices (tenant_id, period, status, currency, charges_minor, credits_minor, total_minor, lines, uptime, rated_at)
         VALUES ('tenant-a', '2026-02-01', 'draft', 'USD', 1000, -100, $1, '[]', '[]', now())`,
        [total],
      );
    expect(isCheckViolation(await rejectionOf(invoice(1000)), 'invoices_total_is_sum')).toBe(true);
    await invoice(900);
    const plan = (id: string) => dataSource.query(`INSERT INTO plans (id, name, currency, prices, credit_scope, credit_tiers, is_default) VALUES ($1, $1, 'USD', '{}', 'tenant', '[]', true)`, [id]);
    await plan('default-1');
    expect(isUniqueViolation(await rejectionOf(plan('default-2')), 'plans_one_default_idx')).toBe(true);
  });
});

describe('enumerated columns', () => {
  // Each list the code names is one domain, given to every column that holds one of its values.
  const DOMAINS: Record<string, { values: readonly string[]; columns: readonly string[] }> = {
    expansion_state: { values: EXPANSION_STATES, columns: ['expansion_transitions.from_state', 'expansion_transitions.to_state', 'expansions.state'] },
    operation_state: { values: ['pending', 'running', 'compensating', 'done', 'failed', 'superseded'] satisfies OperationState[], columns: ['operations.state'] },
    operation_kind: { values: HOTPLUG_JOBS, columns: ['operations.kind'] },
    host_state: { values: HOST_STATES, columns: ['hosts.state'] },
    device_tier: { values: ['direct', 'pooled'] satisfies Tier[], columns: ['devices.tier', 'expansions.placed_tier', 'usage_events.tier', 'usage_intervals.tier'] },
    requested_tier: { values: REQUESTED_TIERS, columns: ['expansions.tier'] },
    expansion_layout: { values: LAYOUTS, columns: ['expansions.layout'] },
  };

  it('give each enumerated column its list\'s domain, and no other column one', async () => {
    const rows: { domain: string; col: string }[] = await dataSource.query(
      `SELECT domain_name AS domain, table_name || '.' || column_name AS col FROM information_schema.columns
        WHERE table_schema = 'public' AND domain_name IS NOT NULL ORDER BY 2`,
    );
    const byDomain: Record<string, string[]> = {};
    for (const r of rows) (byDomain[r.domain] ??= []).push(r.col);
    expect(byDomain).toEqual(Object.fromEntries(Object.entries(DOMAINS).map(([name, d]) => [name, [...d.columns].sort()])));
  });

  it('take every value of their list and refuse any other, naming the list', async () => {
    for (const [name, d] of Object.entries(DOMAINS)) {
      for (const value of d.values) expect(await dataSource.query(`SELECT $1::${name} AS v`, [value])).toEqual([{ v: value }]);
      const error = await rejectionOf(dataSource.query(`SELECT $1::${name} AS v`, ['exploded']));
      expect(isCheckViolation(error, `${name}_check`)).toBe(true);
    }
  });

  it('check a value when a column is given one, in an UPDATE as in an INSERT', async () => {
    const id = await insertExpansion(dataSource, { state: 'active' });
    const error = await rejectionOf(dataSource.query(`UPDATE expansions SET state = $2 WHERE id = $1`, [id, 'exploded']));
    expect(isCheckViolation(error, 'expansion_state_check')).toBe(true);
    expect(await dataSource.query(`SELECT state FROM expansions WHERE id = $1`, [id])).toEqual([{ state: 'active' }]);
  });
});
