/// <reference types="jest" />
import type { HotplugJob } from '@mxs/contracts';
import { createDataSource, createTestDatabase } from '@mxs/persistence';
import { waitFor } from '@mxs/test-kit';
import type { TestDatabase } from '@mxs/persistence';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { PreparedStatement } from '@mxs/messaging';
import { runPrepared } from '@mxs/messaging';
import type { Ending } from './operation-store';
import { BEGIN_RUN, END_SAGA, OperationStore, RECORD_STEPS, endParams, recordStepsParams } from './operation-store';

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

const RUN_A = '00000000-0000-4000-8000-00000000000a';
const RUN_A2 = '00000000-0000-4000-8000-0000000000a2';
const RUN_B = '00000000-0000-4000-8000-00000000000b';

const released: Ending = { operationState: 'done', from: ['attaching'], to: 'failed', reason: 'test', returnCapacity: true, usage: null };

describe('OperationStore', () => {
  it('gives a host to one run at a time, even a second run of the same operation', async () => {
    const a = await placed(4, 0);
    const b = await placed(4, 4);
    expect((await store.begin(a, 60_000, RUN_A)).kind).toBe('begun');
    expect(await store.renewLease('h1', RUN_A, 60_000)).toBe(true);
    expect(await store.renewLease('h1', RUN_B, 60_000)).toBe(false);
    expect((await store.begin(b, 60_000, RUN_B)).kind).toBe('busy');
    // The same job handed to another worker while the first run still holds the host waits too.
    expect((await store.begin(a, 60_000, RUN_A2)).kind).toBe('busy');
    await store.releaseLease('h1', RUN_A);
    expect((await store.begin(b, 60_000, RUN_B)).kind).toBe('begun');
    await store.releaseLease('h1', RUN_B);
  });

  it('lets another run take a lease that lapsed (its worker died or starved); the old run can neither renew it nor end the saga', async () => {
    const a = await placed(4, 8);
    expect((await store.begin(a, 1, RUN_A)).kind).toBe('begun');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await store.begin(a, 60_000, RUN_A2)).kind).toBe('begun');
    expect(await store.renewLease('h1', RUN_A, 60_000)).toBe(false);
    const [before] = await db.query(`SELECT used_gib FROM tenants WHERE id = 'acme'`);
    expect(await store.end(a, released, new Date(), RUN_A)).toBeNull();
    const [still] = await db.query(`SELECT state FROM expansions WHERE id = $1`, [a.expansionId]);
    expect(still.state).toBe('attaching');
    expect(await store.end(a, released, new Date(), RUN_A2)).toBe(1);
    const [after] = await db.query(`SELECT used_gib FROM tenants WHERE id = 'acme'`);
    expect(after.used_gib).toBe(before.used_gib - 4);
  });

  it('a hot-add begins by moving its expansion to attaching, once', async () => {
    const a = await placed(4, 16);
    await store.begin(a, 60_000, RUN_A);
    await store.releaseLease('h1', RUN_A);
    await store.begin(a, 60_000, RUN_A2);
    const rows = await db.query(`SELECT from_state, to_state FROM expansion_transitions WHERE expansion_id = $1`, [a.expansionId]);
    expect(rows).toEqual([{ from_state: 'placed', to_state: 'attaching' }]);
    await store.releaseLease('h1', RUN_A2);
  });

  it('ends once: a second end (a re-run after a crash) returns no capacity twice and writes no second event', async () => {
    const a = await placed(8, 20);
    await store.begin(a, 60_000, RUN_A);
    const [before] = await db.query(`SELECT used_gib FROM tenants WHERE id = 'acme'`);
    expect(await store.end(a, released, new Date(), RUN_A)).toBe(1);
    const leases = await db.query(`SELECT * FROM host_leases WHERE operation_id = $1`, [a.operationId]);
    expect(leases).toEqual([]);
    // The re-run begins afresh (the operation is finished, so it takes no lease) and ends nothing.
    expect((await store.begin(a, 60_000, RUN_A2)).kind).toBe('finished');
    expect(await store.end(a, released, new Date(), RUN_A2)).toBeNull();
    const [after] = await db.query(`SELECT used_gib FROM tenants WHERE id = 'acme'`);
    expect(after.used_gib).toBe(before.used_gib - 8);
    const live = await db.query(`SELECT live FROM expansion_extents WHERE expansion_id = $1`, [a.expansionId]);
    expect(live).toEqual([{ live: false }]);
  });

  it('writes the steps not yet written with the ending, and neither when the run no longer holds the host', async () => {
    const a = await placed(4, 40);
    await store.begin(a, 60_000, RUN_A);
    await store.recordSteps(a.operationId, 'steps', [{ step: 'fabric-offer', record: { finishedAt: '2026-11-21T10:00:00.000Z', durationMs: 5, attempts: 1, errors: [] } }]);
    const online = { step: 'host-online', record: { finishedAt: '2026-11-21T10:00:01.000Z', durationMs: 8, attempts: 1, errors: [] } };
    const last = { step: 'vm-plug', record: { finishedAt: '2026-11-21T10:00:02.000Z', durationMs: 9, attempts: 1, errors: [] } };
    expect(await store.end(a, released, new Date(), RUN_B, [online, last])).toBeNull();
    expect(Object.keys((await store.snapshotOf(a.operationId))?.checkpoint.steps ?? {})).toEqual(['fabric-offer']);
    expect(await store.end(a, released, new Date(), RUN_A, [online, last])).toBe(1);
    const [op] = (await db.query(`SELECT state, step, checkpoint FROM operations WHERE id = $1`, [a.operationId])) as { state: string; step: string; checkpoint: { steps: Record<string, unknown> } }[];
    expect(op?.state).toBe('done');
    expect(op?.step).toBe('vm-plug');
    expect(op?.checkpoint.steps).toEqual({ 'fabric-offer': expect.objectContaining({ durationMs: 5 }), 'host-online': online.record, 'vm-plug': last.record });
  });

  it('keeps each finished step in the checkpoint, so a re-run skips it', async () => {
    const a = await placed(4, 28);
    await store.recordSteps(a.operationId, 'steps', [{ step: 'fabric-offer', record: { finishedAt: '2026-11-21T10:00:00.000Z', durationMs: 5, attempts: 1, errors: [] } }]);
    // Steps that finished close together go in one write; the operation's `step` is the last of them.
    await store.recordSteps(a.operationId, 'steps', [
      { step: 'host-accept', record: { finishedAt: '2026-11-21T10:00:01.000Z', durationMs: 7, attempts: 2, errors: ['host-down: rebooting'] } },
      { step: 'host-online', record: { finishedAt: '2026-11-21T10:00:02.000Z', durationMs: 3, attempts: 1, errors: [] } },
    ]);
    const snapshot = await store.snapshotOf(a.operationId);
    expect(Object.keys(snapshot?.checkpoint.steps ?? {}).sort()).toEqual(['fabric-offer', 'host-accept', 'host-online']);
    expect(snapshot?.checkpoint.steps?.['host-accept']?.attempts).toBe(2);
    const [op] = (await db.query(`SELECT step FROM operations WHERE id = $1`, [a.operationId])) as { step: string }[];
    expect(op?.step).toBe('host-online');
  });

  it('records the steps that finish while a write runs in one statement, and a second step of one operation in another', async () => {
    const [a, b, c] = await Promise.all([placed(1, 32), placed(1, 33), placed(1, 34)]) as [HotplugJob, HotplugJob, HotplugJob];
    const record = (durationMs: number) => ({ finishedAt: '2026-11-21T10:00:00.000Z', durationMs, attempts: 1, errors: [] });
    // Each write of an operation row notes its transaction, so the test sees how the writes were grouped.
    await db.query(`CREATE TABLE step_writes (operation_id uuid, xid xid8)`);
    await db.query(`CREATE FUNCTION note_step_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO step_writes VALUES (NEW.id, pg_current_xact_id()); RETURN NULL; END $$`);
    await db.query(`CREATE TRIGGER note_step_write AFTER UPDATE ON operations FOR EACH ROW EXECUTE FUNCTION note_step_write()`);
    try {
      await Promise.all([
        store.recordSteps(c.operationId, 'steps', [{ step: 'fabric-offer', record: record(3) }]), // goes at once; the rest gather behind it
        store.recordSteps(a.operationId, 'steps', [{ step: 'fabric-offer', record: record(1) }]),
        store.recordSteps(a.operationId, 'undone', [{ step: 'undo-fabric-offer', record: record(4) }]),
        store.recordSteps(b.operationId, 'steps', [{ step: 'fabric-offer', record: record(2) }]),
      ]);
      const writes = (await db.query(`SELECT operation_id, dense_rank() OVER (ORDER BY xid::text::bigint)::int AS statement FROM step_writes ORDER BY xid::text::bigint, operation_id = $1`, [b.operationId])) as { operation_id: string; statement: number }[];
      expect(writes).toEqual([
        { operation_id: c.operationId, statement: 1 },
        { operation_id: a.operationId, statement: 2 },
        { operation_id: b.operationId, statement: 2 },
        { operation_id: a.operationId, statement: 3 },
      ]);
    } finally {
      await db.query(`DROP TRIGGER note_step_write ON operations; DROP FUNCTION note_step_write(); DROP TABLE step_writes`);
    }
    const checkpoint = async (o: HotplugJob) => (await store.snapshotOf(o.operationId))?.checkpoint;
    expect(await checkpoint(a)).toMatchObject({ steps: { 'fabric-offer': { durationMs: 1 } }, undone: { 'undo-fabric-offer': { durationMs: 4 } } });
    expect(await checkpoint(b)).toEqual({ steps: { 'fabric-offer': record(2) } });
    expect(await checkpoint(c)).toEqual({ steps: { 'fabric-offer': record(3) } });
  });

  it('lets a hot-remove take no lease while its expansion\'s hot-add is unfinished', async () => {
    const add = await placed(4, 36);
    const remove: HotplugJob = { ...add, operationId: randomUUID(), kind: 'hot-remove' };
    await db.query(`INSERT INTO operations (id, expansion_id, kind) VALUES ($1, $2, 'hot-remove')`, [remove.operationId, remove.expansionId]);
    expect((await store.begin(remove, 60_000, RUN_B)).kind).toBe('waiting-for-hot-add');
    expect(await db.query(`SELECT * FROM host_leases`)).toEqual([]);
    expect((await store.begin(add, 60_000, RUN_A)).kind).toBe('begun');
    expect(await store.end(add, { ...released, to: 'detaching', returnCapacity: false }, new Date(), RUN_A)).toBe(1);
    expect((await store.begin(remove, 60_000, RUN_B)).kind).toBe('begun');
    await store.releaseLease('h1', RUN_B);
  });

  it('returns capacity locking the tenant before the host, as a placement does, so the two never deadlock', async () => {
    const a = await placed(2, 40);
    expect((await store.begin(a, 60_000, RUN_A)).kind).toBe('begun');
    const locker = new Client({ connectionString: tdb.url });
    const prober = new Client({ connectionString: tdb.url });
    await Promise.all([locker.connect(), prober.connect()]);
    try {
      await locker.query('BEGIN');
      await locker.query(`SELECT 1 FROM hosts WHERE id = 'h1' FOR UPDATE`);
      const ending = store.end(a, released, new Date(), RUN_A);
      await waitFor('the ending to wait for the host row', async () => {
        const { rows } = await prober.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'operation-store-spec' AND wait_event_type = 'Lock'`);
        return rows.length === 1;
      });
      // Stopped at the host, it already holds the tenant: a placement now waits at the tenant, holding nothing it needs.
      const probe = await prober.query(`SELECT 1 FROM tenants WHERE id = 'acme' FOR UPDATE NOWAIT`).then(() => 'free', (error: { code?: string }) => error.code);
      expect(probe).toBe('55P03'); // lock_not_available
      await locker.query('ROLLBACK');
      expect(await ending).toBe(1);
    } finally {
      await Promise.all([locker.end(), prober.end()]);
    }
  });
});

describe('what a PostgreSQL crash may take back', () => {
  /** `synchronous_commit` as the statement leaves it in its own transaction: what that transaction commits with. */
  const commitsWith = (statement: PreparedStatement | string, params: readonly unknown[]): Promise<string> =>
    db.transaction(async (m) => {
      await (typeof statement === 'string' ? m.query(statement, [...params]) : runPrepared(m, statement, params));
      const [row] = (await m.query(`SHOW synchronous_commit`)) as { synchronous_commit: string }[];
      return row?.synchronous_commit ?? '';
    });

  it('commits a lease and a checkpoint without waiting for the WAL flush, and an ending only once it is flushed', async () => {
    const a = await placed(4, 44);
    expect(await commitsWith(BEGIN_RUN, [a.hostId, a.operationId, 60_000, a.expansionId, a.kind, a.requestId, RUN_A])).toBe('off');
    const record = { durationMs: 1, attempts: 1, errors: [], finishedAt: new Date().toISOString() };
    expect(await commitsWith(RECORD_STEPS, recordStepsParams([{ operationId: a.operationId, section: 'steps', steps: [{ step: 'fabric-offer', record }] }]))).toBe('off');
    // The ending's usage events and returned capacity are never taken back.
    expect(await commitsWith(END_SAGA, endParams(a, released, new Date(), RUN_A, []))).toBe('on');
    const [ended] = await db.query(`SELECT e.state, o.state AS op, o.checkpoint->'steps' ? 'fabric-offer' AS checkpointed FROM expansions e JOIN operations o ON o.expansion_id = e.id WHERE e.id = $1`, [a.expansionId]);
    expect(ended).toEqual({ state: 'failed', op: 'done', checkpointed: true });
  });

  it('leaves the connection’s own setting as it was for the next statement', async () => {
    const one = createDataSource({ url: tdb.url, poolSize: 1, applicationName: 'operation-store-spec-one' });
    await one.initialize();
    try {
      const a = await placed(4, 48);
      const alone = new OperationStore(one);
      expect((await alone.begin(a, 60_000, RUN_B)).kind).toBe('begun');
      await alone.recordSteps(a.operationId, 'steps', [{ step: 'fabric-offer', record: { durationMs: 1, attempts: 1, errors: [], finishedAt: new Date().toISOString() } }]);
      const [row] = (await one.query(`SHOW synchronous_commit`)) as { synchronous_commit: string }[];
      expect(row?.synchronous_commit).toBe('on');
      expect(await alone.end(a, released, new Date(), RUN_B)).toBe(1);
    } finally {
      await one.destroy();
    }
  });
});

describe('the checkpoint write on a table that grew', () => {
  it('reads the operations it writes by key, though its first writes met a table of a few rows', async () => {
    const one = createDataSource({ url: tdb.url, poolSize: 1, applicationName: 'operation-store-spec-grown' });
    await one.initialize();
    try {
      const alone = new OperationStore(one);
      const a = await placed(4, 56);
      const write = (step: string): Promise<void> => alone.recordSteps(a.operationId, 'steps', [{ step, record: { durationMs: 1, attempts: 1, errors: [], finishedAt: new Date().toISOString() } }]);
      // A worker's session writes often while the table is small (a prepared statement gets a
      // generic plan from its sixth run on, and keeps it if it costs no more then)...
      for (let run = 0; run < 8; run++) await write(`early-${run}`);
      // ...and the table grows.
      await db.query(`INSERT INTO expansions (id, tenant_id, vm_id, host_id, size_gib, tier, placed_tier, layout, state)
        SELECT gen_random_uuid(), 'acme', 'vm1', 'h1', 1, 'any', 'pooled', 'pack', 'released' FROM generate_series(1, 5000)`);
      await db.query(`INSERT INTO operations (expansion_id, kind, state) SELECT id, 'hot-add', 'done' FROM expansions WHERE state = 'released'`);
      // That session's own reads of operations in one transaction of the write: counted for it
      // alone (once what it did before is flushed, as it goes idle), not by other sessions. The
      // pool has one connection, so the store's write goes in the transaction begun here.
      await one.query(`SELECT pg_stat_force_next_flush()`);
      await one.query('BEGIN');
      await write('late');
      const [reads] = (await one.query(`SELECT seq_scan::int AS seq, coalesce(idx_scan, 0)::int AS idx FROM pg_stat_xact_user_tables WHERE relname = 'operations'`)) as { seq: number; idx: number }[];
      await one.query('COMMIT');
      expect({ seq: reads?.seq, byKey: (reads?.idx ?? 0) > 0 }).toEqual({ seq: 0, byKey: true });
      expect(Object.keys((await alone.snapshotOf(a.operationId))?.checkpoint.steps ?? {})).toContain('late');
    } finally {
      await one.destroy();
    }
  });
});
