/// <reference types="jest" />
import type { TestApp } from '../__fixtures__/test-app';
import { ADMIN_KEY, startTestApp } from '../__fixtures__/test-app';
import { PROBLEM_TYPE_BASE } from '../problems/problem-error';
import { generateApiKey } from './api-key';

describe('admin and tenant keys', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  function expectUnauthorized(res: { status: number; headers: Record<string, string>; body: { type?: unknown } }, realm: string): void {
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.headers['www-authenticate']).toBe(`Bearer realm="${realm}"`);
    expect(res.body.type).toBe(`${PROBLEM_TYPE_BASE}unauthorized`);
  }

  it('lets the admin key through and refuses anything else with 401 and WWW-Authenticate', async () => {
    expect((await t.http.get('/admin/whoami').set('Authorization', `Bearer ${ADMIN_KEY}`)).body).toEqual({ admin: true });
    expectUnauthorized(await t.http.get('/admin/whoami'), 'admin');
    expectUnauthorized(await t.http.get('/admin/whoami').set('Authorization', `Bearer ${ADMIN_KEY}x`), 'admin');
    expectUnauthorized(await t.http.get('/admin/whoami').set('Authorization', `Basic ${ADMIN_KEY}`), 'admin');
  });

  it('puts the verified tenant on the request and refuses unknown, malformed or admin keys', async () => {
    const key = t.tenantKeys.issue('tenant-a');
    const ok = await t.http.get('/tenant/whoami').set('Authorization', `Bearer ${key}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ tenantId: 'tenant-a' });

    expectUnauthorized(await t.http.get('/tenant/whoami'), 'tenant');
    expectUnauthorized(await t.http.get('/tenant/whoami').set('Authorization', `Bearer ${generateApiKey().key}`), 'tenant');
    expectUnauthorized(await t.http.get('/tenant/whoami').set('Authorization', 'Bearer not-a-key'), 'tenant');
    expectUnauthorized(await t.http.get('/tenant/whoami').set('Authorization', `Bearer ${ADMIN_KEY}`), 'tenant');
    // Right prefix, wrong secret: the hash comparison refuses it.
    const forged = `${key.slice(0, 17)}${'A'.repeat(32)}`;
    expectUnauthorized(await t.http.get('/tenant/whoami').set('Authorization', `Bearer ${forged}`), 'tenant');
  });
});
