/// <reference types="jest" />
import { generateFleetSpec } from '@mxs/topology';
import type { ApiUnderTest, TestEnvironment } from './testing/api-harness';
import { createTestEnvironment, startApi } from './testing/api-harness';
import type { SeededTenant } from '@mxs/test-kit';
import { admin, seedTenant } from '@mxs/test-kit';
import { errorPaths, expectProblem, placeExpansion, requestExpansion, sql } from './testing/expectations';

interface FleetDevice {
  id: string;
  tier: string;
  capacityGiB: number;
  usedGiB: number;
  freeGiB: number;
  liveExtents: number;
  health: string;
  healthReason: string | null;
}
interface FleetBody {
  name: string;
  version: number;
  totals: { capacityGiB: number; usedGiB: number; freeGiB: number };
  hosts: { id: string; state: string; mappedGiB: number }[];
  switches: { id: string; state: string }[];
  devices: FleetDevice[];
}
type Extent = { deviceId: string; sizeGiB: number };

// The fleet as operators run it: load (document or preset), read with usage, drain and restore.
describe('/admin/v1/fleet', () => {
  let env: TestEnvironment;
  let api: ApiUnderTest;
  let acme: SeededTenant;
  const vm = (): string => acme.vmIds[0] ?? '';
  const fleet = async (): Promise<FleetBody> => (await admin(api.url, 'GET', '/admin/v1/fleet')).body as FleetBody;

  beforeAll(async () => {
    env = await createTestEnvironment('fleet');
    api = await startApi(env.env());
  });

  afterAll(async () => {
    await api?.close();
    await env?.drop();
  });

  it('answers 409 while no fleet is loaded', async () => {
    expectProblem(await admin(api.url, 'GET', '/admin/v1/fleet'), 409, 'fleet-not-loaded');
  });

  it('refuses invalid documents with 400 and the details, and loads nothing', async () => {
    const missing = expectProblem(await admin(api.url, 'PUT', '/admin/v1/fleet', { format: 'mxs-fleet/1', name: 'x' }), 400, 'invalid-fleet');
    expect(problemText(missing)).toEqual(expect.arrayContaining([expect.stringContaining('hosts'), expect.stringContaining('devices')]));
    const spec = generateFleetSpec({ preset: 'small', seed: 7, vmsPerHost: 0 });
    const dangling = { ...spec, devices: spec.devices.map((d, i) => (i === spec.devices.length - 1 ? { ...d, attachment: { kind: 'direct', hostId: 'host-nope' } } : d)) };
    const refused = expectProblem(await admin(api.url, 'PUT', '/admin/v1/fleet', dangling), 400, 'invalid-fleet');
    expect(problemText(refused).join(' ')).toContain('host-nope');
    const withVms = generateFleetSpec({ preset: 'small', seed: 7, vmsPerHost: 1 });
    expect(errorPaths(expectProblem(await admin(api.url, 'PUT', '/admin/v1/fleet', withVms), 400, 'invalid-fleet'))).toEqual(['body.allocations', 'body.vms']);
    expectProblem(await admin(api.url, 'PUT', '/admin/v1/fleet', { preset: 'galaxy' }), 400, 'validation-failed');
    expectProblem(await admin(api.url, 'PUT', '/admin/v1/fleet', { preset: 'small', colour: 'red' }), 400, 'validation-failed');
    expectProblem(await admin(api.url, 'PUT', '/admin/v1/fleet', { format: 'mxs-fleet/2' }), 400, 'validation-failed');
    expect(await sql(api, `SELECT id FROM fleet_layout`)).toHaveLength(0);
  });

  it('loads an mxs-fleet/1 document and answers what it loaded', async () => {
    const spec = generateFleetSpec({ preset: 'small', seed: 7, vmsPerHost: 0 });
    const loaded = await admin(api.url, 'PUT', '/admin/v1/fleet', spec);
    expect(loaded.status).toBe(200);
    const capacityGiB = spec.devices.reduce((sum, d) => sum + d.capacityGiB, 0);
    expect(loaded.body).toEqual({ name: spec.name, version: 1, hosts: 16, switches: 1, devices: 20, capacityGiB });
    const body = await fleet();
    expect(body).toMatchObject({ name: spec.name, version: 1, totals: { capacityGiB, usedGiB: 0, freeGiB: capacityGiB } });
    expect(body.hosts.map((h) => h.id)).toEqual(spec.hosts.map((h) => h.id));
    expect(body.devices.map((d) => [d.id, d.capacityGiB, d.freeGiB])).toEqual(spec.devices.map((d) => [d.id, d.capacityGiB, d.capacityGiB]));
    const [devices] = await sql<{ n: number }>(api, `SELECT count(*)::int AS n FROM devices`);
    expect(devices?.n).toBe(20);
  });

  it('loads a preset over it, as the next version', async () => {
    const loaded = await admin(api.url, 'PUT', '/admin/v1/fleet', { preset: 'small', seed: 1 });
    expect(loaded.status).toBe(200);
    expect(loaded.body).toMatchObject({ version: 2, hosts: 16, devices: 20 });
    expect((await fleet()).version).toBe(2);
    acme = await seedTenant(api.url, 'acme', ['host-001-01', 'host-001-02']);
  });

  it('reports used and free capacity per device that match the expansions placed', async () => {
    const bodies: { extents: Extent[]; hostId: string; sizeGiB: number }[] = [];
    for (const [i, request] of [
      { sizeGiB: 64, tier: 'direct' },
      { sizeGiB: 32, tier: 'pooled', layout: 'interleave', interleaveWays: 4 },
      { sizeGiB: 100, tier: 'pooled' },
    ].entries()) {
      bodies.push((await placeExpansion(api, acme, acme.vmIds[i % 2] ?? '', request as { sizeGiB: number; tier: 'direct' })).body);
    }
    const used = new Map<string, number>();
    for (const e of bodies.flatMap((b) => b.extents)) used.set(e.deviceId, (used.get(e.deviceId) ?? 0) + e.sizeGiB);
    const body = await fleet();
    for (const d of body.devices) {
      expect({ id: d.id, usedGiB: d.usedGiB, freeGiB: d.freeGiB }).toEqual({ id: d.id, usedGiB: used.get(d.id) ?? 0, freeGiB: d.capacityGiB - (used.get(d.id) ?? 0) });
    }
    expect(body.totals.usedGiB).toBe(196);
    expect(body.totals.freeGiB).toBe(body.totals.capacityGiB - 196);
    const mapped = Object.fromEntries(body.hosts.filter((h) => h.mappedGiB > 0).map((h) => [h.id, h.mappedGiB]));
    expect(mapped).toEqual({ 'host-001-01': 164, 'host-001-02': 32 });
  });

  it('refuses to load another fleet while expansions are live (409), then allows it once they are released', async () => {
    expectProblem(await admin(api.url, 'PUT', '/admin/v1/fleet', { preset: 'small', seed: 2 }), 409, 'fleet-in-use');
    expect((await fleet()).version).toBe(2);
    await sql(api, `UPDATE expansions SET state = 'released'`);
    await sql(api, `UPDATE expansion_extents SET live = false`);
    const reloaded = await admin(api.url, 'PUT', '/admin/v1/fleet', { preset: 'small', seed: 1 });
    expect(reloaded.status).toBe(200);
    expect((reloaded.body as { version: number }).version).toBe(3);
    expect((await fleet()).totals.usedGiB).toBe(0);
  });

  it('a draining device takes no new extents; healthy again, it does', async () => {
    const drained = await admin(api.url, 'PATCH', '/admin/v1/fleet/devices/direct-001-01', { health: 'draining', reason: 'firmware update' });
    expect(drained.status).toBe(200);
    expect(drained.body).toEqual({ id: 'direct-001-01', health: 'draining', healthReason: 'firmware update' });
    expect((await fleet()).devices.find((d) => d.id === 'direct-001-01')).toMatchObject({ health: 'draining', healthReason: 'firmware update' });
    const refused = expectProblem(await requestExpansion(api, acme, vm(), { sizeGiB: 8, tier: 'direct' }), 422, 'no-capacity');
    expect(refused.reason).toBe('no-healthy-device');
    const elsewhere = await placeExpansion(api, acme, vm(), { sizeGiB: 8, tier: 'any' });
    expect((elsewhere.body as { extents: Extent[] }).extents.map((e) => e.deviceId)).not.toContain('direct-001-01');
    expect((await admin(api.url, 'PATCH', '/admin/v1/fleet/devices/direct-001-01', { health: 'healthy' })).status).toBe(200);
    const direct = await placeExpansion(api, acme, vm(), { sizeGiB: 8, tier: 'direct' });
    expect((direct.body as { extents: Extent[] }).extents.map((e) => e.deviceId)).toEqual(['direct-001-01']);
  });

  it('a host in maintenance takes no new memory (422 host-unavailable) until it is healthy again', async () => {
    const patched = await admin(api.url, 'PATCH', '/admin/v1/fleet/hosts/host-001-01', { state: 'maintenance' });
    expect(patched.body).toEqual({ id: 'host-001-01', state: 'maintenance' });
    expect((await fleet()).hosts.find((h) => h.id === 'host-001-01')?.state).toBe('maintenance');
    const refused = expectProblem(await requestExpansion(api, acme, vm(), { sizeGiB: 8, tier: 'any' }), 422, 'no-capacity');
    expect(refused.reason).toBe('host-unavailable');
    // Other hosts are not affected.
    await placeExpansion(api, acme, acme.vmIds[1] ?? '', { sizeGiB: 8, tier: 'any' });
    expect((await admin(api.url, 'PATCH', '/admin/v1/fleet/hosts/host-001-01', { state: 'healthy' })).status).toBe(200);
    await placeExpansion(api, acme, vm(), { sizeGiB: 8, tier: 'any' });
  });

  it('a switch that is down cuts its pooled devices off until it is up again', async () => {
    expect((await admin(api.url, 'PATCH', '/admin/v1/fleet/switches/sw-001', { state: 'down' })).body).toEqual({ id: 'sw-001', state: 'down' });
    const refused = expectProblem(await requestExpansion(api, acme, vm(), { sizeGiB: 8, tier: 'pooled' }), 422, 'no-capacity');
    expect(refused.reason).toBe('path-down');
    expect((await admin(api.url, 'PATCH', '/admin/v1/fleet/switches/sw-001', { state: 'up' })).status).toBe(200);
    await placeExpansion(api, acme, vm(), { sizeGiB: 8, tier: 'pooled' });
  });

  it('answers 404 for unknown parts and 400 for bad state changes', async () => {
    expectProblem(await admin(api.url, 'PATCH', '/admin/v1/fleet/devices/no-such-device', { health: 'draining' }), 404, 'device-not-found');
    expectProblem(await admin(api.url, 'PATCH', '/admin/v1/fleet/hosts/no-such-host', { state: 'maintenance' }), 404, 'host-not-found');
    expectProblem(await admin(api.url, 'PATCH', '/admin/v1/fleet/switches/no-such-switch', { state: 'down' }), 404, 'switch-not-found');
    const bad = expectProblem(await admin(api.url, 'PATCH', '/admin/v1/fleet/devices/pool-001-1', { health: 'broken', why: 'x' }), 400, 'validation-failed');
    expect(errorPaths(bad)).toEqual(['body.health', 'body.why']);
    expectProblem(await admin(api.url, 'PATCH', '/admin/v1/fleet/hosts/host-001-01', { state: 'off' }), 400, 'validation-failed');
    expectProblem(await admin(api.url, 'PATCH', '/admin/v1/fleet/switches/sw-001', {}), 400, 'validation-failed');
    const states = await sql<{ health: string }>(api, `SELECT health FROM devices WHERE id = 'pool-001-1'`);
    expect(states[0]?.health).toBe('healthy');
  });
});

function problemText(problem: { errors?: readonly { path: string; message: string }[] }): string[] {
  return (problem.errors ?? []).map((e) => `${e.path}: ${e.message}`);
}
