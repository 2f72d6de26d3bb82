/// <reference types="jest" />
import { Client } from 'pg';
import { adminExpansionPageSchema, expansionWithTimelineSchema } from './expansions/expansion.schemas';
import type { ApiUnderTest, TestEnvironment } from './testing/api-harness';
import { createTestEnvironment, startApi } from './testing/api-harness';
import type { SeededTenant } from '@mxs/test-kit';
import { admin, call, loadFleet, seedTenant } from '@mxs/test-kit';
import { errorPaths, expectProblem, placeExpansion, requestExpansion, sql } from './testing/expectations';

// VMs as the compute service registers them, and the operators' view of every tenant's expansions.
describe('VMs and the admin view of expansions', () => {
  let env: TestEnvironment;
  let api: ApiUnderTest;
  let hostIds: string[];
  let acme: SeededTenant;
  let globex: SeededTenant;

  const registration = { id: 'web-1', tenantId: 'acme', hostId: 'host-001-03', dramGiB: 128, name: 'web 1' };

  beforeAll(async () => {
    env = await createTestEnvironment('vms');
    api = await startApi(env.env());
    ({ hostIds } = await loadFleet(api.url));
    acme = await seedTenant(api.url, 'acme', hostIds.slice(0, 2));
    globex = await seedTenant(api.url, 'globex', hostIds.slice(0, 1));
  });

  afterAll(async () => {
    await api?.close();
    await env?.drop();
  });

  it('registers a VM (201); the same registration again is a 200, a different one a 409', async () => {
    const created = await admin(api.url, 'POST', '/admin/v1/vms', registration);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ ...registration, expandedGiB: 0, createdAt: expect.stringMatching(/Z$/) });
    const again = await admin(api.url, 'POST', '/admin/v1/vms', registration);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(created.body);
    for (const change of [{ dramGiB: 256 }, { hostId: 'host-001-04' }, { tenantId: 'globex' }, { name: 'web one' }]) {
      expectProblem(await admin(api.url, 'POST', '/admin/v1/vms', { ...registration, ...change }), 409, 'vm-exists');
    }
    const [row] = await sql(api, `SELECT tenant_id, host_id, dram_gib, name FROM vms WHERE id = 'web-1'`);
    expect(row).toEqual({ tenant_id: 'acme', host_id: 'host-001-03', dram_gib: 128, name: 'web 1' });
  });

  it('answers 404 for an unknown tenant or host, 400 for a bad body, and registers nothing', async () => {
    expectProblem(await admin(api.url, 'POST', '/admin/v1/vms', { ...registration, id: 'web-2', tenantId: 'nobody' }), 404, 'tenant-not-found');
    expectProblem(await admin(api.url, 'POST', '/admin/v1/vms', { ...registration, id: 'web-2', hostId: 'host-999' }), 404, 'host-not-found');
    const bad = expectProblem(await admin(api.url, 'POST', '/admin/v1/vms', { id: 'web 2', tenantId: 'acme', hostId: 'host-001-03', dramGiB: 0, gpu: true }), 400, 'validation-failed');
    expect(errorPaths(bad)).toEqual(['body.dramGiB', 'body.gpu', 'body.id', 'body.name']);
    expect(await sql(api, `SELECT id FROM vms WHERE id IN ('web-2', 'web 2')`)).toHaveLength(0);
  });

  it('lists VMs for operators, filtered by tenant, across pages', async () => {
    const all = await admin(api.url, 'GET', '/admin/v1/vms?limit=2');
    expect(all.status).toBe(200);
    const first = all.body as { items: { id: string }[]; nextCursor: string };
    expect(first.items).toHaveLength(2);
    const rest = await admin(api.url, 'GET', `/admin/v1/vms?limit=2&cursor=${first.nextCursor}`);
    const second = rest.body as { items: { id: string }[]; nextCursor: string | null };
    expect([...first.items, ...second.items].map((v) => v.id)).toEqual(['acme-vm-1', 'acme-vm-2', 'globex-vm-1', 'web-1']);
    expect(second.nextCursor).toBeNull();
    const acmeOnly = await admin(api.url, 'GET', '/admin/v1/vms?tenantId=acme');
    expect((acmeOnly.body as { items: { id: string }[] }).items.map((v) => v.id)).toEqual(['acme-vm-1', 'acme-vm-2', 'web-1']);
    expectProblem(await admin(api.url, 'GET', '/admin/v1/vms?tenantId=acme&owner=me'), 400, 'validation-failed');
    expectProblem(await admin(api.url, 'GET', '/admin/v1/vms?cursor=abc'), 400, 'invalid-cursor');
  });

  it('a tenant pages through its own VMs, with the memory each holds', async () => {
    await placeExpansion(api, acme, 'web-1', { sizeGiB: 16, tier: 'any' });
    const page1 = await call(api.url, 'GET', '/v1/vms?limit=2', { key: acme.key });
    const body1 = page1.body as { items: { id: string; expandedGiB: number }[]; nextCursor: string };
    const page2 = await call(api.url, 'GET', `/v1/vms?limit=2&cursor=${body1.nextCursor}`, { key: acme.key });
    const body2 = page2.body as { items: { id: string; expandedGiB: number }[]; nextCursor: string | null };
    expect([...body1.items, ...body2.items].map((v) => [v.id, v.expandedGiB])).toEqual([
      ['acme-vm-1', 0],
      ['acme-vm-2', 0],
      ['web-1', 16],
    ]);
    expect(body2.nextCursor).toBeNull();
    expectProblem(await call(api.url, 'GET', '/v1/vms?limit=1000', { key: acme.key }), 400, 'validation-failed');
  });

  it('refuses to unregister a VM with live expansions (409); once they are released, 204', async () => {
    expectProblem(await admin(api.url, 'DELETE', '/admin/v1/vms/web-1'), 409, 'vm-has-expansions');
    await sql(api, `UPDATE expansions SET state = 'released' WHERE vm_id = 'web-1'`);
    const removed = await admin(api.url, 'DELETE', '/admin/v1/vms/web-1');
    expect(removed.status).toBe(204);
    expect(removed.body).toBeNull();
    // The row stays for the expansions that refer to it; the VM is gone from every view.
    expect(await sql(api, `SELECT id FROM vms WHERE id = 'web-1' AND unregistered_at IS NOT NULL`)).toHaveLength(1);
    const listed = await admin(api.url, 'GET', '/admin/v1/vms?tenantId=acme');
    expect((listed.body as { items: { id: string }[] }).items.map((v) => v.id)).not.toContain('web-1');
    expectProblem(await admin(api.url, 'DELETE', '/admin/v1/vms/web-1'), 404, 'vm-not-found');
    expectProblem(await admin(api.url, 'DELETE', '/admin/v1/vms/never-was'), 404, 'vm-not-found');
    // Registered again, it is a new VM.
    expect((await admin(api.url, 'POST', '/admin/v1/vms', { ...registration, dramGiB: 64 })).status).toBe(201);
  });

  it('an unregister racing a placement waits for it and then refuses (409), and a placement for an unregistered VM is refused', async () => {
    const vm = { id: 'race-1', tenantId: 'acme', hostId: hostIds[2] ?? '', dramGiB: 128, name: 'race' };
    expect((await admin(api.url, 'POST', '/admin/v1/vms', vm)).status).toBe(201);
    // A placement committing for the VM holds a share lock on its row until it commits.
    const placing = new Client({ connectionString: api.config.DATABASE_URL });
    await placing.connect();
    try {
      await placing.query('BEGIN');
      await placing.query(`SELECT id FROM vms WHERE id = $1 FOR SHARE`, [vm.id]);
      const unregister = admin(api.url, 'DELETE', `/admin/v1/vms/${vm.id}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await placing.query(
        `INSERT INTO expansions (id, tenant_id, vm_id, host_id, size_gib, tier, layout, state) VALUES (gen_random_uuid(), 'acme', $1, $2, 2, 'any', 'pack', 'placed')`,
        [vm.id, vm.hostId],
      );
      await placing.query('COMMIT');
      expectProblem(await unregister, 409, 'vm-has-expansions');
      // The row stood in for a placement; the other tests count expansions.
      await placing.query(`DELETE FROM expansions WHERE vm_id = $1`, [vm.id]);
    } finally {
      await placing.end();
    }
    // The other order: once unregistered, the commit finds no registered VM and places nothing.
    const lonely = { ...vm, id: 'race-2' };
    expect((await admin(api.url, 'POST', '/admin/v1/vms', lonely)).status).toBe(201);
    expect((await admin(api.url, 'DELETE', `/admin/v1/vms/${lonely.id}`)).status).toBe(204);
    expectProblem(await requestExpansion(api, acme, lonely.id, { sizeGiB: 2, tier: 'any' }), 404, 'vm-not-found');
    expect(await sql(api, `SELECT id FROM expansions WHERE vm_id = $1`, [lonely.id])).toEqual([]);
  });

  it('lists every tenant’s expansions for operators, with the tenant and the same filters', async () => {
    const a1 = (await placeExpansion(api, acme, 'acme-vm-1', { sizeGiB: 8, tier: 'any' })).body as { id: string };
    const a2 = (await placeExpansion(api, acme, 'acme-vm-2', { sizeGiB: 8, tier: 'any' })).body as { id: string };
    const g1 = (await placeExpansion(api, globex, 'globex-vm-1', { sizeGiB: 8, tier: 'any' })).body as { id: string };
    const all = adminExpansionPageSchema.parse((await admin(api.url, 'GET', '/admin/v1/expansions')).body);
    expect(all.items.map((e) => [e.id, e.tenantId])).toEqual(
      expect.arrayContaining([
        [a1.id, 'acme'],
        [a2.id, 'acme'],
        [g1.id, 'globex'],
      ]),
    );
    const globexOnly = adminExpansionPageSchema.parse((await admin(api.url, 'GET', '/admin/v1/expansions?tenantId=globex')).body);
    expect(globexOnly.items.map((e) => e.id)).toEqual([g1.id]);
    const byVm = adminExpansionPageSchema.parse((await admin(api.url, 'GET', '/admin/v1/expansions?vmId=acme-vm-2&state=placed')).body);
    expect(byVm.items.map((e) => e.id)).toEqual([a2.id]);
    const released = adminExpansionPageSchema.parse((await admin(api.url, 'GET', '/admin/v1/expansions?state=released')).body);
    expect(released.items.map((e) => e.vmId)).toEqual(['web-1']);
    const paged = adminExpansionPageSchema.parse((await admin(api.url, 'GET', '/admin/v1/expansions?limit=2')).body);
    const next = adminExpansionPageSchema.parse((await admin(api.url, 'GET', `/admin/v1/expansions?limit=2&cursor=${paged.nextCursor ?? ''}`)).body);
    expect([...paged.items, ...next.items].map((e) => e.id)).toEqual(all.items.map((e) => e.id));
    expectProblem(await admin(api.url, 'GET', '/admin/v1/expansions?tenantId=a%20b'), 400, 'validation-failed');
    expectProblem(await admin(api.url, 'GET', '/admin/v1/expansions?cursor=bad'), 400, 'invalid-cursor');
  });

  it('shows any tenant’s expansion with its timeline to operators', async () => {
    const placed = (await placeExpansion(api, globex, 'globex-vm-1', { sizeGiB: 4, tier: 'any' })).body as { id: string };
    const one = await admin(api.url, 'GET', `/admin/v1/expansions/${placed.id}`);
    expect(one.status).toBe(200);
    const body = expansionWithTimelineSchema.parse(one.body);
    expect(body).toMatchObject({ ...placed, timeline: [{ to: 'requested' }, { to: 'placed' }] });
    expectProblem(await admin(api.url, 'GET', '/admin/v1/expansions/0b5a4c3e-8d1f-4a6b-9c2d-7e8f9a0b1c2d'), 404, 'expansion-not-found');
    expectProblem(await admin(api.url, 'GET', '/admin/v1/expansions/zzz'), 400, 'validation-failed');
  });
});
