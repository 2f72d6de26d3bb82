/// <reference types="jest" />
import { createHash } from 'node:crypto';
import type { ApiUnderTest, TestEnvironment } from './testing/api-harness';
import { createTestEnvironment, startApi } from './testing/api-harness';
import { admin, call } from '@mxs/test-kit';
import { errorPaths, expectProblem, sql } from './testing/expectations';

const API_KEY = /^mxs_([0-9a-f]{12})_[0-9A-Za-z]{32}$/;

// The admin API for tenants: creation with a key shown once, changes, lists, key rotation.
describe('/admin/v1/tenants', () => {
  let env: TestEnvironment;
  let api: ApiUnderTest;

  beforeAll(async () => {
    env = await createTestEnvironment('tenants');
    api = await startApi(env.env());
  });

  afterAll(async () => {
    await api?.close();
    await env?.drop();
  });

  const vmsWith = (key: string): ReturnType<typeof call> => call(api.url, 'GET', '/v1/vms', { key });

  it('creates a tenant (201) with its API key, of which the database keeps only the hash', async () => {
    const created = await admin(api.url, 'POST', '/admin/v1/tenants', { id: 'acme', name: 'Acme Corp', quotaGiB: 512 });
    expect(created.status).toBe(201);
    const { tenant, apiKey } = created.body as { tenant: Record<string, unknown>; apiKey: string };
    const prefix = API_KEY.exec(apiKey)?.[1];
    expect(prefix).toBeDefined();
    expect(tenant).toEqual({
      id: 'acme',
      name: 'Acme Corp',
      quotaGiB: 512,
      usedGiB: 0,
      plan: 'standard',
      apiKeyPrefix: prefix,
      createdAt: expect.stringMatching(/Z$/),
      updatedAt: expect.stringMatching(/Z$/),
    });
    const rows = await sql(api, `SELECT * FROM tenants WHERE id = 'acme'`);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.['api_key_hash']).toBe(createHash('sha256').update(apiKey).digest('hex'));
    expect(rows[0]?.['api_key_prefix']).toBe(prefix);
    const secret = apiKey.split('_')[2] ?? '';
    expect(JSON.stringify(rows)).not.toContain(secret);
    // The key works, and is never shown again.
    expect((await vmsWith(apiKey)).status).toBe(200);
    const again = await admin(api.url, 'GET', '/admin/v1/tenants/acme');
    expect(again.status).toBe(200);
    expect(again.body).toEqual(tenant);
    expect(JSON.stringify(again.body)).not.toContain(secret);
  });

  it('refuses a second tenant with the same id (409) and keeps the first key', async () => {
    const duplicate = await admin(api.url, 'POST', '/admin/v1/tenants', { id: 'acme', name: 'Impostor', quotaGiB: 1 });
    expectProblem(duplicate, 409, 'tenant-exists');
    const [row] = await sql<{ name: string; quota_gib: number }>(api, `SELECT name, quota_gib FROM tenants WHERE id = 'acme'`);
    expect(row).toEqual({ name: 'Acme Corp', quota_gib: 512 });
  });

  it('refuses bad tenant bodies with every offending field', async () => {
    const reply = await admin(api.url, 'POST', '/admin/v1/tenants', { id: 'bad id!', name: '', quotaGiB: -1, plan: 'Gold Plan', owner: 'x' });
    const problem = expectProblem(reply, 400, 'validation-failed');
    expect(errorPaths(problem)).toEqual(['body.id', 'body.name', 'body.owner', 'body.plan', 'body.quotaGiB']);
    expectProblem(await admin(api.url, 'POST', '/admin/v1/tenants', { id: 'x', name: 'X', quotaGiB: '10' }), 400, 'validation-failed');
    expectProblem(await admin(api.url, 'POST', '/admin/v1/tenants', { id: 'x', name: 'X', quotaGiB: 1.5 }), 400, 'validation-failed');
    expect(await sql(api, `SELECT id FROM tenants WHERE id IN ('x', 'bad id!')`)).toHaveLength(0);
  });

  it('PATCH changes quota, plan and name, and only those given', async () => {
    const quota = await admin(api.url, 'PATCH', '/admin/v1/tenants/acme', { quotaGiB: 2048 });
    expect(quota.status).toBe(200);
    expect(quota.body).toMatchObject({ id: 'acme', name: 'Acme Corp', quotaGiB: 2048, plan: 'standard' });
    const plan = await admin(api.url, 'PATCH', '/admin/v1/tenants/acme', { plan: 'premium', name: 'Acme Inc' });
    expect(plan.body).toMatchObject({ name: 'Acme Inc', quotaGiB: 2048, plan: 'premium' });
    const [row] = await sql<{ quota_gib: number; plan: string; name: string }>(api, `SELECT quota_gib, plan, name FROM tenants WHERE id = 'acme'`);
    expect(row).toEqual({ quota_gib: 2048, plan: 'premium', name: 'Acme Inc' });
    expectProblem(await admin(api.url, 'PATCH', '/admin/v1/tenants/acme', {}), 400, 'validation-failed');
    expect(errorPaths(expectProblem(await admin(api.url, 'PATCH', '/admin/v1/tenants/acme', { quotaGiB: -5, usedGiB: 0 }), 400, 'validation-failed'))).toEqual([
      'body.quotaGiB',
      'body.usedGiB',
    ]);
    expectProblem(await admin(api.url, 'PATCH', '/admin/v1/tenants/nobody', { quotaGiB: 1 }), 404, 'tenant-not-found');
    expectProblem(await admin(api.url, 'GET', '/admin/v1/tenants/nobody'), 404, 'tenant-not-found');
  });

  it('lists tenants by id across pages, each once, and refuses a foreign cursor', async () => {
    const ids = ['t-01', 't-02', 't-03', 't-04', 't-05', 't-06', 't-07'];
    for (const id of [...ids].reverse()) {
      expect((await admin(api.url, 'POST', '/admin/v1/tenants', { id, name: id, quotaGiB: 10, plan: 'trial' })).status).toBe(201);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await admin(api.url, 'GET', `/admin/v1/tenants?limit=3${cursor === null ? '' : `&cursor=${cursor}`}`);
      expect(page.status).toBe(200);
      const body = page.body as { items: { id: string; apiKeyPrefix: string }[]; nextCursor: string | null };
      expect(body.items.length).toBeLessThanOrEqual(3);
      expect(JSON.stringify(body)).not.toMatch(/mxs_[0-9a-f]{12}_/);
      seen.push(...body.items.map((t) => t.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(seen).toEqual(['acme', ...ids]);
    expect(pages).toBe(3);
    expectProblem(await admin(api.url, 'GET', '/admin/v1/tenants?cursor=%%%'), 400, 'invalid-cursor');
    expectProblem(await admin(api.url, 'GET', '/admin/v1/tenants?limit=0'), 400, 'validation-failed');
  });

  it('rotating the key hands out a new one; the old one stops working at once, even if just used', async () => {
    const created = await admin(api.url, 'POST', '/admin/v1/tenants', { id: 'rotor', name: 'Rotor', quotaGiB: 10 });
    const oldKey = (created.body as { apiKey: string }).apiKey;
    expect((await vmsWith(oldKey)).status).toBe(200); // verified, so in this process's key cache
    const rotated = await admin(api.url, 'POST', '/admin/v1/tenants/rotor/api-key');
    expect(rotated.status).toBe(200);
    const { tenant, apiKey } = rotated.body as { tenant: { id: string; apiKeyPrefix: string }; apiKey: string };
    expect(apiKey).toMatch(API_KEY);
    expect(apiKey).not.toBe(oldKey);
    expect(tenant).toMatchObject({ id: 'rotor', apiKeyPrefix: API_KEY.exec(apiKey)?.[1] });
    expectProblem(await vmsWith(oldKey), 401, 'unauthorized');
    expect((await vmsWith(apiKey)).status).toBe(200);
    const [row] = await sql<{ api_key_hash: string }>(api, `SELECT api_key_hash FROM tenants WHERE id = 'rotor'`);
    expect(row?.api_key_hash).toBe(createHash('sha256').update(apiKey).digest('hex'));
  });

  it('a key never used before the rotation is refused too, and other tenants keep theirs', async () => {
    const bystander = await admin(api.url, 'POST', '/admin/v1/tenants', { id: 'bystander', name: 'B', quotaGiB: 10 });
    const bystanderKey = (bystander.body as { apiKey: string }).apiKey;
    const created = await admin(api.url, 'POST', '/admin/v1/tenants', { id: 'fresh', name: 'Fresh', quotaGiB: 10 });
    const neverUsed = (created.body as { apiKey: string }).apiKey;
    expect((await admin(api.url, 'POST', '/admin/v1/tenants/fresh/api-key')).status).toBe(200);
    expectProblem(await vmsWith(neverUsed), 401, 'unauthorized');
    expect((await vmsWith(bystanderKey)).status).toBe(200);
    expectProblem(await admin(api.url, 'POST', '/admin/v1/tenants/nobody/api-key'), 404, 'tenant-not-found');
  });
});
