/// <reference types="jest" />
import type { ApiUnderTest, TestEnvironment } from './testing/api-harness';
import { ADMIN_KEY, createTestEnvironment, startApi } from './testing/api-harness';
import type { Reply, SeededTenant } from '@mxs/test-kit';
import { call, loadFleet, seedTenant } from '@mxs/test-kit';
import { expectProblem, placeExpansion, requestExpansion, sql } from './testing/expectations';

// Who may do what: tenants see only their own things (404, never 403), keys are checked everywhere.
describe('tenant isolation and authentication', () => {
  let env: TestEnvironment;
  let api: ApiUnderTest;
  let acme: SeededTenant;
  let globex: SeededTenant;
  let acmeExpansionId: string;

  beforeAll(async () => {
    env = await createTestEnvironment('isolation');
    api = await startApi(env.env());
    const { hostIds } = await loadFleet(api.url);
    acme = await seedTenant(api.url, 'acme', hostIds.slice(0, 2));
    globex = await seedTenant(api.url, 'globex', hostIds.slice(2, 3));
    const placed = await placeExpansion(api, acme, acme.vmIds[0] ?? '', { sizeGiB: 8, tier: 'any' });
    acmeExpansionId = (placed.body as { id: string }).id;
  });

  afterAll(async () => {
    await api?.close();
    await env?.drop();
  });

  const asGlobex = (method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> =>
    call(api.url, method, path, { key: globex.key, ...options });

  it('GET /v1/vms lists only the caller’s VMs', async () => {
    const mine = await asGlobex('GET', '/v1/vms');
    expect(mine.status).toBe(200);
    expect((mine.body as { items: { id: string; tenantId: string }[] }).items.map((v) => v.id)).toEqual(globex.vmIds);
    const theirs = await call(api.url, 'GET', '/v1/vms', { key: acme.key });
    expect((theirs.body as { items: { id: string }[] }).items.map((v) => v.id)).toEqual(acme.vmIds);
  });

  it('another tenant’s VM is a 404 for a new expansion, and nothing is placed on it', async () => {
    const foreign = expectProblem(await requestExpansion(api, globex, acme.vmIds[0] ?? '', { sizeGiB: 8, tier: 'any' }), 404, 'vm-not-found');
    const missing = expectProblem(await requestExpansion(api, globex, 'never-registered', { sizeGiB: 8, tier: 'any' }), 404, 'vm-not-found');
    // The answer does not tell a foreign VM from a missing one.
    const shape = (p: typeof foreign, vmId: string): unknown => ({ ...p, detail: p.detail?.replace(vmId, '<vm>'), instance: undefined, requestId: undefined });
    expect(shape(foreign, acme.vmIds[0] ?? '')).toEqual(shape(missing, 'never-registered'));
    const rows = await sql(api, `SELECT id FROM expansions WHERE tenant_id = 'globex'`);
    expect(rows).toHaveLength(0);
  });

  it('another tenant’s expansion is a 404 to read and to delete, and stays as it was', async () => {
    expectProblem(await asGlobex('GET', `/v1/expansions/${acmeExpansionId}`), 404, 'expansion-not-found');
    expectProblem(await asGlobex('DELETE', `/v1/expansions/${acmeExpansionId}`), 404, 'expansion-not-found');
    const [row] = await sql<{ state: string }>(api, `SELECT state FROM expansions WHERE id = $1`, [acmeExpansionId]);
    expect(row?.state).toBe('placed');
    expect(await sql(api, `SELECT id FROM operations WHERE expansion_id = $1 AND kind = 'hot-remove'`, [acmeExpansionId])).toHaveLength(0);
  });

  it('lists never show another tenant’s expansions, even filtered by its VM', async () => {
    const all = await asGlobex('GET', '/v1/expansions');
    expect(all.body).toEqual({ items: [], nextCursor: null });
    const byVm = await asGlobex('GET', `/v1/expansions?vmId=${acme.vmIds[0] ?? ''}`);
    expect(byVm.body).toEqual({ items: [], nextCursor: null });
    const own = await call(api.url, 'GET', '/v1/expansions', { key: acme.key });
    expect((own.body as { items: { id: string }[] }).items.map((e) => e.id)).toEqual([acmeExpansionId]);
  });

  it('idempotency keys are per tenant: the same key elsewhere is a request of its own', async () => {
    const a = await requestExpansion(api, acme, acme.vmIds[1] ?? '', { sizeGiB: 4, tier: 'any' }, { idempotencyKey: 'shared-key' });
    const g = await requestExpansion(api, globex, globex.vmIds[0] ?? '', { sizeGiB: 4, tier: 'any' }, { idempotencyKey: 'shared-key' });
    expect([a.status, g.status]).toEqual([202, 202]);
    expect((g.body as { id: string }).id).not.toBe((a.body as { id: string }).id);
    expect((g.body as { vmId: string }).vmId).toBe(globex.vmIds[0]);
  });

  const tenantRoutes: [string, () => string][] = [
    ['GET', () => '/v1/vms'],
    ['POST', () => `/v1/vms/${acme.vmIds[0] ?? ''}/expansions`],
    ['GET', () => '/v1/expansions'],
    ['GET', () => `/v1/expansions/${acmeExpansionId}`],
    ['DELETE', () => `/v1/expansions/${acmeExpansionId}`],
  ];
  const adminRoutes: [string, () => string][] = [
    ['GET', () => '/admin/v1/tenants'],
    ['POST', () => '/admin/v1/tenants'],
    ['GET', () => '/admin/v1/tenants/acme'],
    ['PATCH', () => '/admin/v1/tenants/acme'],
    ['POST', () => '/admin/v1/tenants/acme/api-key'],
    ['GET', () => '/admin/v1/fleet'],
    ['PUT', () => '/admin/v1/fleet'],
    ['PATCH', () => '/admin/v1/fleet/devices/pool-001-1'],
    ['PATCH', () => '/admin/v1/fleet/hosts/host-001-01'],
    ['PATCH', () => '/admin/v1/fleet/switches/sw-001'],
    ['GET', () => '/admin/v1/vms'],
    ['POST', () => '/admin/v1/vms'],
    ['DELETE', () => `/admin/v1/vms/${acme.vmIds[1] ?? ''}`],
    ['GET', () => '/admin/v1/expansions'],
    ['GET', () => `/admin/v1/expansions/${acmeExpansionId}`],
  ];

  async function expectUnauthorized(method: string, path: string, authorization: string | undefined): Promise<void> {
    const headers: Record<string, string> = { 'idempotency-key': 'auth-check' };
    if (authorization !== undefined) headers['authorization'] = authorization;
    const reply = await call(api.url, method, path, { headers, ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }) });
    expectProblem(reply, 401, 'unauthorized');
    expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer/);
  }

  it('every tenant route answers 401 without a key, with a bad key and with the admin key', async () => {
    const unknownButWellFormed = `mxs_${'0'.repeat(12)}_${'a'.repeat(32)}`;
    const forged = acme.key.slice(0, -4) + 'zzzz';
    for (const [method, path] of tenantRoutes) {
      for (const authorization of [undefined, 'Bearer', 'Basic YWNtZTpzZWNyZXQ=', 'Bearer nonsense', `Bearer ${unknownButWellFormed}`, `Bearer ${forged}`, `Bearer ${ADMIN_KEY}`]) {
        await expectUnauthorized(method, path(), authorization);
      }
    }
  });

  it('every admin route answers 401 without a key, with a bad key and with a tenant key', async () => {
    for (const [method, path] of adminRoutes) {
      for (const authorization of [undefined, 'Bearer wrong-admin-key-0123456789', `Bearer ${ADMIN_KEY}x`, `Bearer ${acme.key}`]) {
        await expectUnauthorized(method, path(), authorization);
      }
    }
    // Nothing was changed by any of those calls.
    const [tenant] = await sql<{ n: number }>(api, `SELECT count(*)::int AS n FROM tenants`);
    expect(tenant?.n).toBe(2);
    const [vm] = await sql<{ n: number }>(api, `SELECT count(*)::int AS n FROM vms WHERE unregistered_at IS NULL`);
    expect(vm?.n).toBe(3);
  });
});
