/// <reference types="jest" />
import type { HotplugJob } from '@mxs/contracts';
import { createDataSource, createTestDatabase } from '@mxs/persistence';
import type { TestDatabase } from '@mxs/persistence';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Ending } from './operation-store';
import { OperationStore } from './operation-store';

let tdb: TestDatabase;
let db: DataSource;
let store: OperationStore;

beforeAll(async () => {
  tdb = await createTestDatabase('operation-store');
  db = createDataSource({ url: tdb.url, poolSize: 4, applicationName: 'operation-store-spec' });
  await db.initialize();
  store = new OperationStore(db);
  await db.query(`INSERT INTO tenants (id, name, quota_gib, api_key_prefix, api_key_hash) VALUES ('acme', 'Acme', 100, 'p1', repeat('a', 64))`);
  await db.query(`INSERT INTO hosts (id, state, cfmws_window_gib) VALUES ('h1', 'healthy', 100)`);
  await db.query(`INSERT INTO devices (id, tier, capacity_gib, health) VALUES ('d1', 'pooled', 64, 'healthy')`);
  await db.query(`INSERT INTO vms (id, tenant_id, host_id, dram_gib) VALUES ('vm1', 'acme', 'h1', 64)`);
});

afterAll(async () => {
  await db.destroy();
  await tdb.drop();
});

/** An expansion as the API commits it: placed, capacity reserved, with its hot-add operation. */
async function placed(sizeGiB: number, offsetGiB: number): Promise<HotplugJob> {
  const job: HotplugJob = {
    operationId: randomUUID(), kind: 'hot-add', expansionId: randomUUID(), tenantId: 'acme', vmId: 'vm1', hostId: 'h1', sizeGiB,
    extents: [{ deviceId: 'd1', offsetGiB, sizeGiB }], requestId: 'req-1',
  };
  await db.transaction(async (m) => {
    await m.query(`INSERT INTO expansions (id, tenant_id, vm_id, host_id, size_gib, tier, placed_tier, layout, state) VALUES ($1, 'acme', 'vm1', 'h1', $2, 'any', 'pooled', 'pack', 'placed')`, [job.expansionId, sizeGiB]);
    await m.query(`INSERT INTO expansion_extents (expansion_id, device_id, offset_gib, size_gib) VALUES ($1, 'd1', $2, $3)`, [job.expansionId, offsetGiB, sizeGiB]);
    await m.query(`INSERT INTO operations (id, expansion_id, kind) VALUES ($1, $2, 'hot-add')`, [job.operationId, job.expansionId]);
    await m.query(`UPDATE tenants SET used_gib = used_gib + $1`, [sizeGiB]);
    await m.query(`UPDATE hosts SET mapped_gib = mapped_gib + $1`, [sizeGiB]);
  });
  return job;
}

const released: Ending = { operationState: 'done', from: ['attaching'], to: 'failed', reason: 'test', returnCapacity: true, usage: null };

describe('OperationStore', () => {
  it('gives a host to one operation at a time; the holder may take it again (a re-run after a crash)', async () => {
    const a = await placed(4, 0);
    const b = await placed(4, 4);
    expect((await store.begin(a, 60_000)).kind).toBe('begun');
    expect(await store.renewLease('h1', a.operationId, 60_000)).toBe(true);
    expect(await store.renewLease('h1', b.operationId, 60_000)).toBe(false);
    expect((await store.begin(b, 60_000)).kind).toBe('busy');
    expect((await store.begin(a, 60_000)).kind).toBe('begun');
    await store.releaseLease('h1', a.operationId);
    expect((await store.begin(b, 60_000)).kind).toBe('begun');
    await store.releaseLease('h1', b.operationId);
  });

  it('lets another operation take a lease that lapsed (its worker died)', async () => {
    const a = await placed(4, 8);
    const b = await placed(4, 12);
    expect((await store.begin(a, 1)).kind).toBe('begun');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await store.begin(b, 60_000)).kind).toBe('begun');
    expect(await store.renewLease('h1', a.operationId, 60_000)).toBe(false);
    await store.releaseLease('h1', b.operationId);
  });

  it('a hot-add begins by moving its expansion to attaching, once', async () => {
    const a = await placed(4, 16);
    await store.begin(a, 60_000);
    await store.begin(a, 60_000);
    const rows = await db.query(`SELECT from_state, to_state FROM expansion_transitions WHERE expansion_id = $1`, [a.expansionId]);
    expect(rows).toEqual([{ from_state: 'placed', to_state: 'attaching' }]);
    await store.releaseLease('h1', a.operationId);
  });

  it('ends once: a second end (a re-run after a crash) returns no capacity twice and writes no second event', async () => {
    const a = await placed(8, 20);
    await store.begin(a, 60_000);
    const [before] = await db.query(`SELECT used_gib FROM tenants WHERE id = 'acme'`);
    expect(await store.end(a, released, new Date())).toBe(1);
    expect(await store.end(a, released, new Date())).toBe(0);
    const [after] = await db.query(`SELECT used_gib FROM tenants WHERE id = 'acme'`);
    expect(after.used_gib).toBe(before.used_gib - 8);
    const live = await db.query(`SELECT live FROM expansion_extents WHERE expansion_id = $1`, [a.expansionId]);
    expect(live).toEqual([{ live: false }]);
    const leases = await db.query(`SELECT * FROM host_leases WHERE operation_id = $1`, [a.operationId]);
    expect(leases).toEqual([]);
  });

  it('keeps each finished step in the checkpoint, so a re-run skips it', async () => {
    const a = await placed(4, 28);
    await store.recordStep(a.operationId, 'steps', 'fabric-offer', { finishedAt: '2026-11-21T10:00:00.000Z', durationMs: 5, attempts: 1, errors: [] });
    await store.recordStep(a.operationId, 'steps', 'host-accept', { finishedAt: '2026-11-21T10:00:01.000Z', durationMs: 7, attempts: 2, errors: ['host-down: rebooting'] });
    const snapshot = await store.snapshotOf(a.operationId);
    expect(Object.keys(snapshot?.checkpoint.steps ?? {}).sort()).toEqual(['fabric-offer', 'host-accept']);
    expect(snapshot?.checkpoint.steps?.['host-accept']?.attempts).toBe(2);
  });
});
