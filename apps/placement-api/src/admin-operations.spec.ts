/// <reference types="jest" />
import type { SeededTenant } from '@mxs/test-kit';
import { ADMIN_KEY, admin, call, loadFleet, seedTenant } from '@mxs/test-kit';
import type { ApiUnderTest, TestEnvironment } from './testing/api-harness';
import { createTestEnvironment, startApi } from './testing/api-harness';
import { expectProblem, placeExpansion, sql } from './testing/expectations';

interface Device {
  id: string;
  attachment: { kind: string; hostId?: string };
  capacityGiB: number;
  usedGiB: number;
  freeGiB: number;
  strandedGiB: number;
  largestFreeRunGiB: number;
  fragmentation: number;
  health: string;
}
interface Fleet {
  totals: { capacityGiB: number; usedGiB: number; strandedGiB: number; fragmentation: number };
  devices: Device[];
}
interface Expansion {
  id: string;
  state: string;
  extents: { deviceId: string; offsetGiB: number; sizeGiB: number }[];
}

// What the console shows and does beyond the plain admin API: the fleet's free-space figures,
// a device's address map, an expansion's sagas, and an operator's force-release.
describe('operators’ views and actions', () => {
  let env: TestEnvironment;
  let api: ApiUnderTest;
  let acme: SeededTenant;
  let hostIds: string[];
  const fleet = async (): Promise<Fleet> => (await admin(api.url, 'GET', '/admin/v1/fleet')).body as Fleet;
  const activate = (id: string): Promise<unknown> => sql(api, `UPDATE expansions SET state = 'active' WHERE id = $1`, [id]);

  beforeAll(async () => {
    env = await createTestEnvironment('admin-operations');
    api = await startApi(env.env({ MXS_OUTBOX_RELAY: 'false' }));
    ({ hostIds } = await loadFleet(api.url, 'small', 1));
    acme = await seedTenant(api.url, 'acme', hostIds.slice(0, 2));
  });

  afterAll(async () => {
    await api?.close();
    await env?.drop();
  });

  describe('GET /admin/v1/fleet/devices/{id}', () => {
    it('lays out a device’s live extents by offset, with the tenant and expansion owning each', async () => {
      const first = (await placeExpansion(api, acme, acme.vmIds[0] ?? '', { sizeGiB: 16, tier: 'direct' })).body as Expansion;
      const second = (await placeExpansion(api, acme, acme.vmIds[0] ?? '', { sizeGiB: 8, tier: 'direct' })).body as Expansion;
      const deviceId = first.extents[0]?.deviceId ?? '';
      const detail = await admin(api.url, 'GET', `/admin/v1/fleet/devices/${deviceId}`);
      expect(detail.status).toBe(200);
      const body = detail.body as Device & { hostIds: string[]; extents: { offsetGiB: number; sizeGiB: number; expansionId: string; tenantName: string; vmId: string; state: string }[] };
      const expected = [...first.extents, ...second.extents]
        .filter((e) => e.deviceId === deviceId)
        .map((e) => ({ offsetGiB: e.offsetGiB, sizeGiB: e.sizeGiB }))
        .sort((a, b) => a.offsetGiB - b.offsetGiB);
      expect(body.extents.map((e) => ({ offsetGiB: e.offsetGiB, sizeGiB: e.sizeGiB }))).toEqual(expected);
      expect(new Set(body.extents.map((e) => e.expansionId))).toEqual(new Set([first.id, second.id].filter((id) => body.extents.some((e) => e.expansionId === id))));
      expect(body.extents.every((e) => e.tenantName === 'Tenant acme' && e.vmId === acme.vmIds[0] && e.state === 'placed')).toBe(true);
      expect(body.usedGiB).toBe(expected.reduce((sum, e) => sum + e.sizeGiB, 0));
      expect(body.hostIds).toEqual([hostIds[0]]);
      expect(body.largestFreeRunGiB).toBeLessThanOrEqual(body.freeGiB);
      expect(body.fragmentation).toBeCloseTo(body.freeGiB === 0 ? 0 : 1 - body.largestFreeRunGiB / body.freeGiB, 9);
      expectProblem(await admin(api.url, 'GET', '/admin/v1/fleet/devices/no-such-device'), 404, 'device-not-found');
      expectProblem(await call(api.url, 'GET', `/admin/v1/fleet/devices/${deviceId}`, { key: acme.key }), 401, 'unauthorized');
    });

    it('counts a healthy device’s free space as stranded once no host that could grow reaches it', async () => {
      const before = await fleet();
      const direct = before.devices.find((d) => d.attachment.kind === 'direct' && d.attachment.hostId === hostIds[3]);
      if (direct === undefined) throw new Error('the small fleet has a direct device on its fourth host');
      expect(direct.strandedGiB).toBe(0);
      await admin(api.url, 'PATCH', `/admin/v1/fleet/hosts/${hostIds[3]}`, { state: 'maintenance' });
      const after = await fleet();
      const stranded = after.devices.find((d) => d.id === direct.id);
      expect(stranded?.strandedGiB).toBe(direct.freeGiB);
      expect(after.totals.strandedGiB).toBe(before.totals.strandedGiB + direct.freeGiB);
      // A draining device takes no new memory: its free space is unavailable, not stranded.
      await admin(api.url, 'PATCH', `/admin/v1/fleet/devices/${direct.id}`, { health: 'draining' });
      expect((await fleet()).devices.find((d) => d.id === direct.id)?.strandedGiB).toBe(0);
      await admin(api.url, 'PATCH', `/admin/v1/fleet/devices/${direct.id}`, { health: 'healthy' });
      await admin(api.url, 'PATCH', `/admin/v1/fleet/hosts/${hostIds[3]}`, { state: 'healthy' });
      expect((await fleet()).totals.strandedGiB).toBe(before.totals.strandedGiB);
    });
  });

  describe('GET /admin/v1/expansions/{id}', () => {
    it('shows the owner and each saga with the steps its checkpoint recorded, in the order they finished', async () => {
      const placed = (await placeExpansion(api, acme, acme.vmIds[1] ?? '', { sizeGiB: 4, tier: 'any' })).body as Expansion;
      const record = (at: string, durationMs: number, attempts: number, errors: string[] = []): object => ({ finishedAt: at, durationMs, attempts, errors });
      await sql(api, `UPDATE operations SET state = 'compensating', attempts = 2, last_error = 'host-online: enomem', checkpoint = $2::jsonb WHERE expansion_id = $1`, [
        placed.id,
        JSON.stringify({
          steps: { 'host-accept': record('2026-11-21T10:00:02.000Z', 20, 1), 'fabric-offer': record('2026-11-21T10:00:01.000Z', 35, 3, ['busy', 'busy']) },
          undone: { 'undo-fabric-offer': record('2026-11-21T10:00:05.000Z', 400, 1) },
          failure: 'host-online: enomem',
        }),
      ]);
      const detail = await admin(api.url, 'GET', `/admin/v1/expansions/${placed.id}`);
      expect(detail.status).toBe(200);
      expect(detail.body).toMatchObject({ id: placed.id, tenantId: 'acme', timeline: [{ from: null, to: 'requested' }, { from: 'requested', to: 'placed' }] });
      const [op] = (detail.body as { operations: unknown[] }).operations;
      expect(op).toMatchObject({ kind: 'hot-add', force: false, state: 'compensating', attempts: 2, lastError: 'host-online: enomem', finishedAt: null });
      expect((op as { steps: unknown[] }).steps).toEqual([
        { name: 'fabric-offer', phase: 'do', finishedAt: '2026-11-21T10:00:01.000Z', durationMs: 35, attempts: 3, errors: ['busy', 'busy'] },
        { name: 'host-accept', phase: 'do', finishedAt: '2026-11-21T10:00:02.000Z', durationMs: 20, attempts: 1, errors: [] },
        { name: 'undo-fabric-offer', phase: 'undo', finishedAt: '2026-11-21T10:00:05.000Z', durationMs: 400, attempts: 1, errors: [] },
      ]);
    });
  });

  describe('POST /admin/v1/expansions/{id}/force-release', () => {
    it('starts a forced hot-remove of an active expansion, once, whatever the number of calls', async () => {
      const placed = (await placeExpansion(api, acme, acme.vmIds[0] ?? '', { sizeGiB: 4, tier: 'any' })).body as Expansion;
      expectProblem(await admin(api.url, 'POST', `/admin/v1/expansions/${placed.id}/force-release`), 409, 'expansion-not-removable');
      await activate(placed.id);
      const forced = await admin(api.url, 'POST', `/admin/v1/expansions/${placed.id}/force-release`);
      expect(forced).toMatchObject({ status: 202, body: { id: placed.id, state: 'detaching' } });
      const again = await admin(api.url, 'POST', `/admin/v1/expansions/${placed.id}/force-release`);
      expect(again).toMatchObject({ status: 202, body: { id: placed.id, state: 'detaching' } });
      const jobs = await sql<{ payload: { force?: boolean; kind: string; extents: unknown[] } }>(
        api,
        `SELECT o.payload FROM outbox o JOIN operations op ON op.id = o.id WHERE op.expansion_id = $1 AND op.kind = 'hot-remove'`,
        [placed.id],
      );
      expect(jobs.map((j) => ({ kind: j.payload.kind, force: j.payload.force }))).toEqual([{ kind: 'hot-remove', force: true }]);
      expect(jobs[0]?.payload.extents).toEqual(placed.extents);
      const ops = ((await admin(api.url, 'GET', `/admin/v1/expansions/${placed.id}`)).body as { operations: { kind: string; force: boolean }[] }).operations;
      expect(ops.map((o) => [o.kind, o.force])).toEqual([['hot-add', false], ['hot-remove', true]]);
    });

    it('refuses while a tenant’s own removal runs, and for what is not there or not the operator’s', async () => {
      const placed = (await placeExpansion(api, acme, acme.vmIds[0] ?? '', { sizeGiB: 4, tier: 'any' })).body as Expansion;
      await activate(placed.id);
      expect((await call(api.url, 'DELETE', `/v1/expansions/${placed.id}`, { key: acme.key })).status).toBe(202);
      const refused = expectProblem(await admin(api.url, 'POST', `/admin/v1/expansions/${placed.id}/force-release`), 409, 'expansion-not-removable');
      expect(refused.detail).toContain('already being removed');
      const [{ n }] = (await sql<{ n: number }>(api, `SELECT count(*)::int AS n FROM operations WHERE expansion_id = $1 AND kind = 'hot-remove'`, [placed.id])) as [{ n: number }];
      expect(n).toBe(1);
      expectProblem(await admin(api.url, 'POST', '/admin/v1/expansions/00000000-0000-4000-8000-000000000000/force-release'), 404, 'expansion-not-found');
      expectProblem(await admin(api.url, 'POST', '/admin/v1/expansions/not-a-uuid/force-release'), 400, 'validation-failed');
      expectProblem(await call(api.url, 'POST', `/admin/v1/expansions/${placed.id}/force-release`, { key: acme.key }), 401, 'unauthorized');
      expect(ADMIN_KEY).not.toBe(acme.key);
    });
  });
});
