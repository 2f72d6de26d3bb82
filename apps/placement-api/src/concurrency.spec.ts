/// <reference types="jest" />
import type { TestEnvironment } from './testing/api-harness';
import { createTestEnvironment } from './testing/api-harness';
import type { Reply } from '@mxs/test-kit';
import { admin, call, loadFleet, seedTenant } from '@mxs/test-kit';
import type { SeededTenant } from '@mxs/test-kit';
import { brokenInvariants, withDb } from './testing/db-checks';
import type { ApiProcess } from '@mxs/test-kit';
import { spawnApi } from '@mxs/test-kit';

// Two replicas of the API, each a process of its own, on one database: only PostgreSQL's
// constraints stand between their decisions, which is what production relies on.

const FLOOD = 400;
const SIZES_GIB = [1, 2, 3, 4, 6, 8, 12, 16] as const;
const TIERS = ['direct', 'pooled', 'any'] as const;

interface Extent {
  deviceId: string;
  offsetGiB: number;
  sizeGiB: number;
}

/** A tiny deterministic generator, so a failing mix of requests can be replayed. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** `mxs_placement_conflicts_total`: commits the database refused and the replica re-planned. */
function conflictsOf(metrics: string): number {
  return Number(/^mxs_placement_conflicts_total (\S+)$/m.exec(metrics)?.[1] ?? 0);
}

function errorLines(logs: string): string {
  return logs.split('\n').filter((line) => /"level":(50|60)/.test(line)).join('\n');
}

function byPosition(a: Extent, b: Extent): number {
  return a.deviceId === b.deviceId ? a.offsetGiB - b.offsetGiB : a.deviceId < b.deviceId ? -1 : 1;
}

describe('two API processes on one database', () => {
  let env: TestEnvironment;
  const replicas: ApiProcess[] = [];
  let acme: SeededTenant;
  let hostIds: string[];

  const replica = (i: number): ApiProcess => replicas[i % replicas.length] as ApiProcess;
  const expand = (via: ApiProcess, vmId: string, key: string, body: object): Promise<Reply> =>
    call(via.url, 'POST', `/v1/vms/${vmId}/expansions`, { key: acme.key, body, headers: { 'idempotency-key': key } });

  beforeAll(async () => {
    env = await createTestEnvironment('concurrency');
    replicas.push(...(await Promise.all([spawnApi(env.env()), spawnApi(env.env())])));
    const first = replica(0);
    ({ hostIds } = await loadFleet(first.url, 'small'));
    const [h0, h1, h2, h3, , h5, , , h8, h9, h10, h11] = hostIds as [string, string, string, string, string, string, string, string, string, string, string, string];

    // Fill the pool almost to the brim from VMs of another tenant: 4 x 1000 GiB of the four
    // 1 TiB pooled devices (from VMs on hosts 8-11), and 500 GiB of each 512 GiB direct device
    // of hosts 0-3, where the flood's VMs live.
    const filler = await seedTenant(first.url, 'filler', [h0, h1, h2, h3, h8, h9, h10, h11]);
    const fills = filler.vmIds.map((vmId, i) => (i < 4 ? ([vmId, 500, 'direct'] as const) : ([vmId, 1000, 'pooled'] as const)));
    for (const [i, [vmId, sizeGiB, tier]] of fills.entries()) {
      const placed = await call(first.url, 'POST', `/v1/vms/${vmId}/expansions`, {
        key: filler.key,
        body: { sizeGiB, tier },
        headers: { 'idempotency-key': `fill-${i}` },
      });
      if (placed.status !== 202) throw new Error(`fill ${i}: ${placed.status} ${JSON.stringify(placed.body)}`);
    }
    // Two VMs on each of hosts 0-3 for the flood, one on host 5 (untouched) for the key race.
    acme = await seedTenant(first.url, 'acme', [h0, h0, h1, h1, h2, h2, h3, h3, h5]);
  });

  afterAll(async () => {
    for (const api of replicas) await api.stop();
    await env?.drop();
  });

  it(`${FLOOD} concurrent requests on a nearly full pool end 202, 409 or 422, and the database stays consistent`, async () => {
    const fleet = await admin(replica(0).url, 'GET', '/admin/v1/fleet');
    // What hosts 0-3 reach: the switch's pooled devices and their own direct ones.
    const floodHosts = new Set(hostIds.slice(0, 4));
    const devices = fleet.body.devices as { tier: string; attachment: { kind: string; hostId?: string }; freeGiB: number }[];
    const reachable = devices.filter((d) => d.tier === 'pooled' || floodHosts.has(d.attachment.hostId ?? ''));
    const freeGiB = reachable.reduce((sum, d) => sum + d.freeGiB, 0);
    expect(freeGiB).toBe(4 * 24 + 4 * 12);

    const random = lcg(20_240_611);
    const floodVms = acme.vmIds.slice(0, 8);
    const requests = Array.from({ length: FLOOD }, (_, i) => {
      const layout = pick(random, ['pack', 'pack', 'pack', 'spread', 'interleave'] as const);
      const sizeGiB = pick(random, SIZES_GIB);
      // Two interleave ways take equal halves, so an interleaved size is even.
      const body = layout === 'interleave' ? { sizeGiB: sizeGiB * 2, tier: pick(random, TIERS), layout, interleaveWays: 2 } : { sizeGiB, tier: pick(random, TIERS), layout };
      return {
        vmId: pick(random, floodVms),
        body,
        key: `flood-${i}`,
      };
    });
    const requestedGiB = requests.reduce((sum, r) => sum + r.body.sizeGiB, 0);
    expect(requestedGiB).toBeGreaterThan(4 * freeGiB); // most of them cannot fit

    const replies = await Promise.all(requests.map((r, i) => expand(replica(i), r.vmId, r.key, r.body)));

    const statuses = replies.map((r) => r.status);
    const counts = Object.fromEntries([...new Set(statuses)].sort().map((s) => [s, statuses.filter((x) => x === s).length]));
    const replans = await Promise.all(replicas.map(async (api) => conflictsOf((await call(api.url, 'GET', '/metrics')).body as string)));
    process.stdout.write(`concurrency: ${FLOOD} requests for ${requestedGiB} GiB on ${freeGiB} GiB free: ${JSON.stringify(counts)}; re-planned after a refused commit: ${replans.join(' + ')}\n`);
    const unexpected = replies.filter((r) => ![202, 409, 422].includes(r.status));
    // The replicas' own error lines say why, when something else came back.
    if (unexpected.length > 0) for (const api of replicas) process.stdout.write(errorLines(api.output()));
    expect(unexpected.map((r) => `${r.status} ${JSON.stringify(r.body)}`)).toEqual([]);
    expect(counts[202]).toBeGreaterThan(0);
    expect(counts[422]).toBeGreaterThan(0);
    for (const r of replies.filter((x) => x.status !== 202)) {
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(r.body.type).toBe(`https://mxs.dev/problems/${r.status === 422 ? 'no-capacity' : 'placement-conflict'}`);
    }

    const accepted = replies.filter((r) => r.status === 202).map((r) => r.body as { id: string; sizeGiB: number; extents: Extent[] });
    expect(new Set(accepted.map((a) => a.id)).size).toBe(accepted.length);
    const acceptedGiB = accepted.reduce((sum, a) => sum + a.sizeGiB, 0);
    expect(acceptedGiB).toBeLessThanOrEqual(freeGiB);

    await withDb(env.db.url, async (db) => {
      expect(await brokenInvariants(db)).toEqual([]);
      const { rows: stored } = await db.query<{ id: string; extents: Extent[] }>(
        `SELECT e.id, json_agg(json_build_object('deviceId', x.device_id, 'offsetGiB', x.offset_gib, 'sizeGiB', x.size_gib)) AS extents
         FROM expansions e JOIN expansion_extents x ON x.expansion_id = e.id AND x.live
         WHERE e.tenant_id = 'acme' AND e.state = 'placed' GROUP BY e.id`,
      );
      // Exactly the accepted expansions exist, each with the extents its 202 promised.
      const extentsById = new Map(stored.map((row) => [row.id, [...row.extents].sort(byPosition)]));
      expect([...extentsById.keys()].sort()).toEqual(accepted.map((a) => a.id).sort());
      for (const a of accepted) expect(extentsById.get(a.id)).toEqual([...a.extents].sort(byPosition));
      const { rows: [tenant] } = await db.query<{ used_gib: number }>(`SELECT used_gib FROM tenants WHERE id = 'acme'`);
      expect(tenant?.used_gib).toBe(acceptedGiB);
    });
  });

  it('a replica decides on what another placed, even for a VM it has never served', async () => {
    // Two new VMs on host 7, whose 512 GiB direct device nobody uses yet: the first replica
    // fills half of it for one VM, then the second replica is asked for the other half for the
    // other VM. It must see the first half taken on its first try, not re-plan into it.
    const hostId = hostIds[6] ?? '';
    for (const id of ['late-1', 'late-2']) {
      const vm = await admin(replica(0).url, 'POST', '/admin/v1/vms', { id, tenantId: 'acme', hostId, dramGiB: 256, name: id });
      expect(vm.status).toBe(201);
    }
    const before = await Promise.all(replicas.map(async (api) => conflictsOf((await call(api.url, 'GET', '/metrics')).body as string)));
    const first = await expand(replica(0), 'late-1', 'late-1', { sizeGiB: 256, tier: 'direct' });
    const second = await expand(replica(1), 'late-2', 'late-2', { sizeGiB: 256, tier: 'direct' });
    const after = await Promise.all(replicas.map(async (api) => conflictsOf((await call(api.url, 'GET', '/metrics')).body as string)));

    expect([first.status, second.status]).toEqual([202, 202]);
    expect(after).toEqual(before);
    const extents = [...(first.body.extents as Extent[]), ...(second.body.extents as Extent[])].sort(byPosition);
    expect(extents.map((e) => [e.offsetGiB, e.sizeGiB])).toEqual([[0, 256], [256, 256]]);
    await withDb(env.db.url, async (db) => expect(await brokenInvariants(db)).toEqual([]));
  });

  it('20 concurrent identical requests with one Idempotency-Key make one expansion and get one answer', async () => {
    const vmId = acme.vmIds[8] ?? '';
    const body = { sizeGiB: 8, tier: 'direct' };
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => expand(replica(i), vmId, 'same-key-race', body)));

    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(202));
    const first = replies[0]?.body as { id: string };
    for (const r of replies) {
      expect(r.body).toEqual(first);
      expect(r.headers.get('location')).toBe(`/v1/expansions/${first.id}`);
    }
    // One of them placed it; the other 19 were told the first answer.
    expect(replies.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(19);

    await withDb(env.db.url, async (db) => {
      const { rows } = await db.query<{ id: string }>(`SELECT id FROM expansions WHERE vm_id = $1`, [vmId]);
      expect(rows.map((r) => r.id)).toEqual([first.id]);
      const { rows: keys } = await db.query(`SELECT resource_id FROM idempotency_keys WHERE tenant_id = 'acme' AND key = 'same-key-race'`);
      expect(keys).toEqual([{ resource_id: first.id }]);
      expect(await brokenInvariants(db)).toEqual([]);
    });
  });
});
