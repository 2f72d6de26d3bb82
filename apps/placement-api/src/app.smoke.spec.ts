/// <reference types="jest" />
import type { ApiUnderTest, TestEnvironment } from './testing/api-harness';
import { createTestEnvironment, startApi } from './testing/api-harness';
import { call, loadFleet, seedTenant } from '@mxs/test-kit';

describe('placement API, end to end in one process', () => {
  let env: TestEnvironment;
  let api: ApiUnderTest;

  beforeAll(async () => {
    env = await createTestEnvironment('smoke');
    api = await startApi(env.env());
  });

  afterAll(async () => {
    await api?.close();
    await env?.drop();
  });

  it('places an expansion and answers a repeat with the first answer', async () => {
    const { hostIds } = await loadFleet(api.url);
    const tenant = await seedTenant(api.url, 'acme', hostIds.slice(0, 1));
    const vmId = tenant.vmIds[0] ?? '';
    const first = await call(api.url, 'POST', `/v1/vms/${vmId}/expansions`, { key: tenant.key, body: { sizeGiB: 16, tier: 'any' }, headers: { 'idempotency-key': 'k1' } });
    expect(first.status).toBe(202);
    expect(first.headers.get('location')).toBe(`/v1/expansions/${first.body.id}`);
    expect(first.body).toMatchObject({ vmId, sizeGiB: 16, state: 'placed' });
    const again = await call(api.url, 'POST', `/v1/vms/${vmId}/expansions`, { key: tenant.key, body: { sizeGiB: 16, tier: 'any' }, headers: { 'idempotency-key': 'k1' } });
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
  });
});
