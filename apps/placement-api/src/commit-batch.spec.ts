/// <reference types="jest" />
import { randomUUID } from 'node:crypto';
import type { NewExpansion, ReserveOutcome } from './expansions/expansion-store';
import { ExpansionStore } from './expansions/expansion-store';
import { FleetReader } from './fleet/fleet-reader';
import { FleetView } from './fleet/fleet-view';
import type { ApiUnderTest, TestEnvironment } from './testing/api-harness';
import { createTestEnvironment, startApi } from './testing/api-harness';
import { loadFleet, seedTenant } from '@mxs/test-kit';
import { withClient } from '@mxs/persistence';
import { sql } from './testing/expectations';

// Placements decided together commit together; whatever one of them does wrong, every other
// gets the answer it would have had alone, and the database holds exactly the committed ones.
describe('committing placements in batches', () => {
  let env: TestEnvironment;
  let api: ApiUnderTest;
  let hostId: string;
  let layoutVersion: number;

  beforeAll(async () => {
    env = await createTestEnvironment('commit-batch');
    api = await startApi(env.env({ MXS_OUTBOX_RELAY: 'false', MXS_AUTOMATION_CONCURRENCY: '0' }));
    const { hostIds } = await loadFleet(api.url);
    hostId = hostIds[0] ?? '';
    await seedTenant(api.url, 'acme', [hostId]);
    await seedTenant(api.url, 'tiny', [hostId], { quotaGiB: 10 });
    const [layout] = await sql<{ version: number }>(api, `SELECT version FROM fleet_layout WHERE id = 1`);
    layoutVersion = layout?.version ?? 0;
  });

  afterAll(async () => {
    await api?.close();
    await env?.drop();
  });

  function placement(tenantId: string, offsetGiB: number, sizeGiB: number, key: string = randomUUID()): NewExpansion {
    const now = new Date().toISOString();
    const id = randomUUID();
    return {
      view: {
        id, vmId: `${tenantId}-vm-1`, hostId, sizeGiB, tier: 'direct', placedTier: 'direct', layout: 'pack', interleaveWays: null,
        maxAddedLatencyNs: null, state: 'placed', reason: null, extents: [{ deviceId: 'direct-001-01', offsetGiB, sizeGiB }],
        createdAt: now, updatedAt: now,
      },
      tenantId, operationId: randomUUID(), requestId: `req-${id}`, idempotencyKey: key, requestHash: 'h', decision: ['test'], layoutVersion,
    };
  }

  async function commitAll(items: readonly NewExpansion[]): Promise<(ReserveOutcome | 'refused-by-constraint')[]> {
    const store = api.app.get(ExpansionStore);
    // Submitted in one tick: the first goes alone, the rest gather into one batch behind it.
    return Promise.all(items.map((x) => store.commitPlaced(x).catch(() => 'refused-by-constraint' as const)));
  }

  const live = (tenantId: string): Promise<{ id: string }[]> =>
    sql(api, `SELECT e.id FROM expansions e WHERE e.tenant_id = $1 ORDER BY e.id`, [tenantId]);

  it('commits a batch whole: each with its extents, both transitions, its operation, outbox row and answer', async () => {
    const items = [0, 16, 32, 48, 64].map((offset) => placement('acme', offset, 16));
    expect(await commitAll(items)).toEqual(['committed', 'committed', 'committed', 'committed', 'committed']);
    const ids = items.map((x) => x.view.id);
    const [counts] = await sql<Record<string, number>>(api, `SELECT
      (SELECT count(*)::int FROM expansions WHERE id = ANY($1::uuid[])) AS expansions,
      (SELECT count(*)::int FROM expansion_extents WHERE expansion_id = ANY($1::uuid[])) AS extents,
      (SELECT count(*)::int FROM expansion_transitions WHERE expansion_id = ANY($1::uuid[])) AS transitions,
      (SELECT count(*)::int FROM operations WHERE expansion_id = ANY($1::uuid[])) AS operations,
      (SELECT count(*)::int FROM outbox WHERE payload->>'expansionId' = ANY($1::text[])) AS outbox,
      (SELECT count(*)::int FROM idempotency_keys WHERE resource_id = ANY($1::uuid[])) AS answers,
      (SELECT used_gib FROM tenants WHERE id = 'acme') AS used,
      (SELECT mapped_gib FROM hosts WHERE id = $2) AS mapped`, [ids, hostId]);
    expect(counts).toEqual({ expansions: 5, extents: 5, transitions: 10, operations: 5, outbox: 5, answers: 5, used: 80, mapped: 80 });
    // One transaction for the first (it went alone), one for the four that gathered behind it.
    const [txns] = await sql<{ n: number }>(api, `SELECT count(DISTINCT xmin::text)::int AS n FROM expansions WHERE id = ANY($1::uuid[])`, [ids]);
    expect(txns?.n).toBe(2);
    const timeline = await sql<{ to_state: string }>(api, `SELECT to_state FROM expansion_transitions WHERE expansion_id = $1 ORDER BY id`, [ids[3]]);
    expect(timeline.map((t) => t.to_state)).toEqual(['requested', 'placed']);
  });

  it('gives every placement of a refused batch its own answer: an overlap, a quota, a reused key', async () => {
    const before = await live('acme');
    const reused = placement('acme', 200, 8);
    const items = [
      placement('acme', 100, 8), // goes alone, first
      placement('acme', 120, 8),
      placement('acme', 124, 8), // overlaps the one before it
      placement('tiny', 300, 16), // over tiny's 10 GiB quota
      placement('acme', 140, 8, reused.idempotencyKey),
      reused,
      placement('acme', 160, 8),
    ];
    const outcomes = await commitAll(items);
    expect(outcomes).toEqual(['committed', 'committed', 'refused-by-constraint', 'over-quota', 'committed', 'refused-by-constraint', 'committed']);
    const after = await live('acme');
    const committed = items.filter((_, i) => outcomes[i] === 'committed').map((x) => x.view.id);
    expect(after.map((r) => r.id).sort()).toEqual([...before.map((r) => r.id), ...committed].sort());
    expect(await live('tiny')).toEqual([]);
    const [usage] = await sql<{ used: number; tiny: number }>(api, `SELECT (SELECT used_gib FROM tenants WHERE id = 'acme') AS used, (SELECT used_gib FROM tenants WHERE id = 'tiny') AS tiny`);
    expect(usage).toEqual({ used: 80 + 4 * 8, tiny: 0 });
  });

  it('refuses a placement decided on another fleet layout or for a VM no longer registered, and commits the rest', async () => {
    const stale = { ...placement('acme', 400, 8), layoutVersion: layoutVersion + 1 };
    const wrongHost = placement('acme', 420, 8);
    const moved = { ...wrongHost, view: { ...wrongHost.view, hostId: 'host-001-02' } };
    const fine = placement('acme', 440, 8);
    expect(await commitAll([placement('acme', 460, 8), stale, moved, fine])).toEqual(['committed', 'stale', 'stale', 'committed']);
  });

  it('reads neighbourhoods prepared at the same moment together, each answer to its own request', async () => {
    const reader = api.app.get(FleetReader);
    const fleet = await api.app.get(FleetView).current();
    const host = fleet?.host(hostId);
    const deviceIds = host?.paths.map((p) => p.device.id) ?? [];
    const ask = (tenantId: string, idempotencyKey: string | null) =>
      reader.neighbourhood({ vmId: `${tenantId}-vm-1`, hostId, deviceIds, since: deviceIds.map(() => BEFORE_ANYTHING), switchIds: [], tenantId, idempotencyKey });
    const [first, acme, tiny, acmeAgain] = await Promise.all([ask('acme', null), ask('acme', 'k-none'), ask('tiny', null), ask('acme', null)]);
    expect(first?.vm?.tenantId).toBe('acme');
    expect(acme?.vm).toEqual({ id: 'acme-vm-1', tenantId: 'acme', hostId, dramGiB: 256 });
    expect(tiny?.vm).toEqual({ id: 'tiny-vm-1', tenantId: 'tiny', hostId, dramGiB: 256 });
    expect(tiny?.tenant).toEqual({ usedGiB: 0, quotaGiB: 10 });
    expect(acme?.tenant?.quotaGiB).toBe(100_000);
    expect(acme?.idempotency).toBeNull();
    // Every live allocation on the devices, in full: all were placed after the snapshot the caller gave.
    const [count] = await sql<{ n: number }>(api, `SELECT count(DISTINCT expansion_id)::int AS n FROM expansion_extents WHERE live AND device_id = ANY($1::text[])`, [deviceIds]);
    expect(new Set(acmeAgain?.extents.map((e) => e.expansionId)).size).toBe(count?.n);
  });

  it('answers what was placed and released on the devices since the snapshot the caller read them at', async () => {
    const reader = api.app.get(FleetReader);
    const deviceIds = ['direct-001-01'];
    const read = (since: string) => reader.neighbourhood({ vmId: 'acme-vm-1', hostId, deviceIds, since: [since], switchIds: [], tenantId: 'acme', idempotencyKey: null });
    const first = placement('acme', 480, 8);
    expect(await commitAll([first])).toEqual(['committed']);
    const before = await read(BEFORE_ANYTHING);
    expect(before.extents.map((e) => e.expansionId)).toContain(first.view.id);
    const second = placement('acme', 496, 8);
    expect(await commitAll([second])).toEqual(['committed']);
    // Released as the worker does it: the trigger dates the change.
    await sql(api, `UPDATE expansion_extents SET live = false WHERE expansion_id = $1`, [first.view.id]);
    const next = await read(before.snapshot);
    expect(next.extents).toEqual([{ expansionId: second.view.id, vmId: 'acme-vm-1', deviceId: 'direct-001-01', offsetGiB: 496, sizeGiB: 8 }]);
    expect(next.owners).toEqual([{ id: 'acme-vm-1', tenantId: 'acme', hostId, dramGiB: 256 }]);
    expect(next.gone).toEqual([first.view.id]);
    const quiet = await read(next.snapshot);
    expect([quiet.extents, quiet.gone]).toEqual([[], []]);
    // A release still uncommitted when a read took its snapshot is a change after that snapshot.
    await withClient(env.db.url, 'feed-test', async (client) => {
      await client.query('BEGIN');
      await client.query(`UPDATE expansion_extents SET live = false WHERE expansion_id = $1`, [second.view.id]);
      const during = await read(quiet.snapshot);
      expect(during.gone).toEqual([]);
      await client.query('COMMIT');
      expect((await read(during.snapshot)).gone).toEqual([second.view.id]);
    });
  });
});

/** A snapshot older than any transaction: every row is a change after it. */
const BEFORE_ANYTHING = '1:1:';
