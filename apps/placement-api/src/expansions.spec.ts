/// <reference types="jest" />
import { expansionSchema } from './expansions/expansion.schemas';
import type { ApiUnderTest, TestEnvironment } from './testing/api-harness';
import { createTestEnvironment, startApi } from './testing/api-harness';
import type { SeededTenant } from '@mxs/test-kit';
import { admin, call, loadFleet, seedTenant } from '@mxs/test-kit';
import { errorPaths, expectProblem, requestExpansion, sql } from './testing/expectations';

// Creating expansions: the answers, idempotency, and every way a request is refused.
describe('POST /v1/vms/{vmId}/expansions', () => {
  let env: TestEnvironment;
  let api: ApiUnderTest;
  let acme: SeededTenant;
  let hostIds: string[];

  beforeAll(async () => {
    env = await createTestEnvironment('expansions-create');
    api = await startApi(env.env());
    ({ hostIds } = await loadFleet(api.url));
    acme = await seedTenant(api.url, 'acme', hostIds.slice(0, 3));
  });

  afterAll(async () => {
    await api?.close();
    await env?.drop();
  });

  const vm = (i: number): string => acme.vmIds[i] ?? '';

  it('answers 202 with the expansion, its extents and a Location', async () => {
    const reply = await requestExpansion(api, acme, vm(0), { sizeGiB: 24, tier: 'pooled', layout: 'interleave', interleaveWays: 2 });
    expect(reply.status).toBe(202);
    const body = expansionSchema.parse(reply.body);
    expect(reply.headers.get('location')).toBe(`/v1/expansions/${body.id}`);
    expect(body).toMatchObject({ vmId: vm(0), hostId: hostIds[0], sizeGiB: 24, tier: 'pooled', placedTier: 'pooled', layout: 'interleave', interleaveWays: 2, state: 'placed' });
    expect(body.extents).toHaveLength(2);
    expect(new Set(body.extents.map((e) => e.deviceId)).size).toBe(2);
    expect(body.extents.reduce((sum, e) => sum + e.sizeGiB, 0)).toBe(24);
    const [row] = await sql<{ state: string; size_gib: number }>(api, `SELECT state, size_gib FROM expansions WHERE id = $1`, [body.id]);
    expect(row).toEqual({ state: 'placed', size_gib: 24 });
    const [tenant] = await sql<{ used_gib: number }>(api, `SELECT used_gib FROM tenants WHERE id = 'acme'`);
    expect(tenant?.used_gib).toBe(24);
  });

  it('answers a repeat with the same key and body with the first answer, and places nothing more', async () => {
    const body = { sizeGiB: 8, tier: 'direct' } as const;
    const first = await requestExpansion(api, acme, vm(1), body, { idempotencyKey: 'repeat-1' });
    expect(first.status).toBe(202);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await requestExpansion(api, acme, vm(1), { tier: 'direct', sizeGiB: 8 }, { idempotencyKey: 'repeat-1' });
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const rows = await sql(api, `SELECT id FROM expansions WHERE vm_id = $1`, [vm(1)]);
    expect(rows).toHaveLength(1);
  });

  it('refuses the same key with another body (409), or for another VM', async () => {
    const first = await requestExpansion(api, acme, vm(2), { sizeGiB: 4, tier: 'any' }, { idempotencyKey: 'reuse-1' });
    expect(first.status).toBe(202);
    expectProblem(await requestExpansion(api, acme, vm(2), { sizeGiB: 5, tier: 'any' }, { idempotencyKey: 'reuse-1' }), 409, 'idempotency-key-reused');
    expectProblem(await requestExpansion(api, acme, vm(2), { sizeGiB: 4, tier: 'any', layout: 'spread' }, { idempotencyKey: 'reuse-1' }), 409, 'idempotency-key-reused');
    expectProblem(await requestExpansion(api, acme, vm(1), { sizeGiB: 4, tier: 'any' }, { idempotencyKey: 'reuse-1' }), 409, 'idempotency-key-reused');
  });

  it('answers 422 with the engine reason and explanation when no device can take it', async () => {
    const before = await sql(api, `SELECT id FROM expansions`);
    // A direct device holds 512 GiB: 600 GiB of direct memory fits nowhere the VM reaches.
    const reply = await requestExpansion(api, acme, vm(0), { sizeGiB: 600, tier: 'direct' });
    const problem = expectProblem(reply, 422, 'no-capacity');
    expect(problem.reason).toBe('no-capacity');
    expect(problem.detail).toContain('600 GiB');
    expect(problem.explanation).toEqual(expect.arrayContaining([expect.stringContaining('rejected (no-capacity)')]));
    // A latency bound no device meets is another reason, named as such.
    const tight = expectProblem(await requestExpansion(api, acme, vm(0), { sizeGiB: 1, tier: 'any', maxAddedLatencyNs: 1 }), 422, 'no-capacity');
    expect(tight.reason).toBe('latency-bound');
    expect(await sql(api, `SELECT id FROM expansions`)).toHaveLength(before.length);
  });

  it('answers 403 over quota, with the quota in the reason, and keeps usage as it was', async () => {
    const small = await seedTenant(api.url, 'smallco', hostIds.slice(3, 4), { quotaGiB: 16 });
    expect((await requestExpansion(api, small, small.vmIds[0] ?? '', { sizeGiB: 10, tier: 'any' })).status).toBe(202);
    const problem = expectProblem(await requestExpansion(api, small, small.vmIds[0] ?? '', { sizeGiB: 7, tier: 'any' }), 403, 'over-quota');
    expect(problem.reason).toBe('over-quota');
    expect(problem.detail).toContain('16 GiB');
    const [row] = await sql<{ used_gib: number }>(api, `SELECT used_gib FROM tenants WHERE id = 'smallco'`);
    expect(row?.used_gib).toBe(10);
    // Raising the quota lets the same request through.
    expect((await admin(api.url, 'PATCH', '/admin/v1/tenants/smallco', { quotaGiB: 17 })).status).toBe(200);
    expect((await requestExpansion(api, small, small.vmIds[0] ?? '', { sizeGiB: 7, tier: 'any' })).status).toBe(202);
  });

  it('answers 404 for a VM that is not registered, or no longer is', async () => {
    expectProblem(await requestExpansion(api, acme, 'no-such-vm', { sizeGiB: 1, tier: 'any' }), 404, 'vm-not-found');
    const spare = await admin(api.url, 'POST', '/admin/v1/vms', { id: 'acme-spare', tenantId: 'acme', hostId: hostIds[4], dramGiB: 64, name: 'spare' });
    expect(spare.status).toBe(201);
    expect((await admin(api.url, 'DELETE', '/admin/v1/vms/acme-spare')).status).toBe(204);
    expectProblem(await requestExpansion(api, acme, 'acme-spare', { sizeGiB: 1, tier: 'any' }), 404, 'vm-not-found');
  });

  it('requires an Idempotency-Key (400) and a well-formed one', async () => {
    const path = `/v1/vms/${vm(0)}/expansions`;
    const missing = expectProblem(await call(api.url, 'POST', path, { key: acme.key, body: { sizeGiB: 1, tier: 'any' } }), 400, 'validation-failed');
    expect(errorPaths(missing)).toEqual(['headers.idempotency-key']);
    const long = expectProblem(await requestExpansion(api, acme, vm(0), { sizeGiB: 1, tier: 'any' }, { idempotencyKey: 'k'.repeat(256) }), 400, 'validation-failed');
    expect(errorPaths(long)).toEqual(['headers.idempotency-key']);
  });

  it('lists every bad field of body, params and headers in one 400, and stores nothing', async () => {
    const before = await sql(api, `SELECT id FROM expansions`);
    const reply = await call(api.url, 'POST', '/v1/vms/bad%20id/expansions', {
      key: acme.key,
      body: { sizeGiB: '8', tier: 'dram', colour: 'red', interleaveWays: 2.5 },
    });
    const problem = expectProblem(reply, 400, 'validation-failed');
    expect(errorPaths(problem)).toEqual(
      expect.arrayContaining(['body.colour', 'body.sizeGiB', 'body.tier', 'body.interleaveWays', 'params.vmId', 'headers.idempotency-key']),
    );
    expect(problem.errors?.find((e) => e.path === 'body.colour')?.message).toBe('unknown field');
    const refused = [
      { sizeGiB: 0, tier: 'any' },
      { sizeGiB: 2049, tier: 'any' },
      { sizeGiB: 8, tier: 'any', interleaveWays: 2 },
      [],
      // What only the engine checks is a 400 too, never a 500: no bound at all, ways that do not split the size.
      { sizeGiB: 8, tier: 'any', maxAddedLatencyNs: 0 },
      { sizeGiB: 7, tier: 'any', layout: 'interleave' },
      { sizeGiB: 8, tier: 'any', layout: 'interleave', interleaveWays: 3 },
    ];
    for (const body of refused) {
      expectProblem(await call(api.url, 'POST', `/v1/vms/${vm(0)}/expansions`, { key: acme.key, body, headers: { 'idempotency-key': 'v' } }), 400, 'validation-failed');
    }
    expectProblem(await call(api.url, 'POST', `/v1/vms/${vm(0)}/expansions`, { key: acme.key, body: null, headers: { 'idempotency-key': 'v' } }), 400, 'malformed-json');
    expectProblem(await call(api.url, 'POST', `/v1/vms/${vm(0)}/expansions`, { key: acme.key, rawBody: '{"sizeGiB": 8,', headers: { 'content-type': 'application/json', 'idempotency-key': 'v' } }), 400, 'malformed-json');
    expect(await sql(api, `SELECT id FROM expansions`)).toHaveLength(before.length);
  });
});
