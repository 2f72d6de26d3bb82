/// <reference types="jest" />
import type { ApiUnderTest, TestEnvironment } from './testing/api-harness';
import { createTestEnvironment, startApi } from './testing/api-harness';
import type { Reply, SeededTenant } from '@mxs/test-kit';
import { admin, call, loadFleet, seedTenant } from '@mxs/test-kit';
import { brokenInvariants, withDb } from './testing/db-checks';

// Each replica keeps its own view of the fleet and refreshes only the neighbourhood of the host
// it places for. What another replica committed, and what the fabric released meanwhile, must
// still reach its decisions, or it re-plans into taken space until it answers 409.

interface Extent {
  deviceId: string;
  offsetGiB: number;
  sizeGiB: number;
}

function conflictsOf(metrics: string): number {
  return Number(/^mxs_placement_conflicts_total (\S+)$/m.exec(metrics)?.[1] ?? 0);
}

describe('two replicas, each with its own view of the fleet', () => {
  let env: TestEnvironment;
  let first: ApiUnderTest;
  let second: ApiUnderTest;
  let acme: SeededTenant;

  const expand = (api: ApiUnderTest, vmId: string, key: string, body: object): Promise<Reply> =>
    call(api.url, 'POST', `/v1/vms/${vmId}/expansions`, { key: acme.key, body, headers: { 'idempotency-key': key } });
  const conflicts = async (api: ApiUnderTest): Promise<number> => conflictsOf((await call(api.url, 'GET', '/metrics')).body as string);

  beforeAll(async () => {
    env = await createTestEnvironment('replica-views');
    first = await startApi(env.env());
    second = await startApi(env.env());
  });

  afterAll(async () => {
    await first?.close();
    await second?.close();
    await env?.drop();
  });

  it('adopts what another replica placed where its own view still holds capacity the fabric has released', async () => {
    const { hostIds } = await loadFleet(first.url, 'small');
    const [hostX, hostY] = hostIds as [string, string];
    acme = await seedTenant(first.url, 'acme', [hostX, hostX, hostY], { dramGiB: 1024 });
    const [onX1, onX2, onY] = acme.vmIds as [string, string, string];
    // Three pooled devices left, so a 4-way interleave from host X takes its direct device and all three.
    expect((await admin(first.url, 'PATCH', '/admin/v1/fleet/devices/pool-001-4', { health: 'draining' })).status).toBe(200);

    // The first replica fills host X's direct device, then the fabric gives it back: the
    // first replica is never told, as it only refreshes the hosts it places for.
    const whole = await expand(first, onX1, 'whole-direct', { sizeGiB: 512, tier: 'direct' });
    expect(whole.status).toBe(202);
    expect((await call(first.url, 'DELETE', `/v1/expansions/${whole.body.id as string}`, { key: acme.key })).status).toBe(202);
    await withDb(env.db.url, async (db) => {
      // What the hotplug worker records once the fabric has released the memory.
      await db.query(
        `WITH x AS (UPDATE expansion_extents SET live = false WHERE expansion_id = $1),
              e AS (UPDATE expansions SET state = 'released', updated_at = now() WHERE id = $1 RETURNING tenant_id, host_id, size_gib),
              t AS (UPDATE tenants SET used_gib = used_gib - e.size_gib FROM e WHERE tenants.id = e.tenant_id),
              h AS (UPDATE hosts SET mapped_gib = mapped_gib - e.size_gib FROM e WHERE hosts.id = e.host_id)
         INSERT INTO expansion_transitions (expansion_id, from_state, to_state) VALUES ($1, 'detaching', 'released')`,
        [whole.body.id],
      );
    });

    // The second replica spreads an expansion over that direct device and the three pooled ones.
    const spread = await expand(second, onX2, 'spread', { sizeGiB: 64, tier: 'any', layout: 'interleave', interleaveWays: 4 });
    expect(spread.status).toBe(202);
    const spreadExtents = spread.body.extents as Extent[];
    expect(spreadExtents.map((e) => e.deviceId).sort()).toEqual(['direct-001-01', 'pool-001-1', 'pool-001-2', 'pool-001-3']);

    // The first replica, asked for pooled memory for host Y, must see those pooled extents at once.
    const before = await conflicts(first);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await expand(first, onY, `pooled-${i}`, { sizeGiB: 16, tier: 'pooled' }));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    expect(await conflicts(first)).toBe(before);
    await withDb(env.db.url, async (db) => expect(await brokenInvariants(db)).toEqual([]));
  });
});
