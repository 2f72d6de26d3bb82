/// <reference types="jest" />
import type { TestApp } from '../__fixtures__/test-app';
import { startTestApp } from '../__fixtures__/test-app';
import { PROBLEM_TYPE_BASE } from '../problems/problem-error';

describe('zod validation of body, query, path parameters and headers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (vmId: string, body: unknown, key: string | null = 'key-12345678') => {
    const req = t.http.post(`/v1/vms/${vmId}/expansions`);
    if (key !== null) void req.set('Idempotency-Key', key);
    return req.send(body as object);
  };

  it('passes parsed values, with defaults applied, to the handler', async () => {
    const res = await post('vm-1', { sizeGiB: 64, extents: [{ deviceId: 'd1', offsetGiB: 0 }] });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      vmId: 'vm-1',
      body: { sizeGiB: 64, tier: 'any', extents: [{ deviceId: 'd1', offsetGiB: 0 }] },
      idempotencyKey: 'key-12345678',
      requestId: res.headers['x-request-id'],
    });
  });

  it('lists every bad field of the body with its location-prefixed path', async () => {
    const res = await post('vm-1', { sizeGiB: 0, tier: 'gold', extents: [{ deviceId: '', offsetGiB: 1.5 }] });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body.type).toBe(`${PROBLEM_TYPE_BASE}validation-failed`);
    const paths = (res.body.errors as { path: string; message: string }[]).map((e) => e.path).sort();
    expect(paths).toEqual(['body.extents[0].deviceId', 'body.extents[0].offsetGiB', 'body.sizeGiB', 'body.tier']);
    for (const error of res.body.errors as { message: string }[]) expect(error.message).toEqual(expect.any(String));
  });

  it('rejects unknown fields of strict objects, one entry per field, nested too', async () => {
    const res = await post('vm-1', { sizeGiB: 4, colour: 'red', extents: [{ deviceId: 'd', offsetGiB: 0, x: 1 }] });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { path: 'body.colour', message: 'unknown field' },
        { path: 'body.extents[0].x', message: 'unknown field' },
      ]),
    );
  });

  it('rejects wrong JSON types (an array, a string, no body at all)', async () => {
    for (const body of [[1, 2], 'text']) {
      const res = await post('vm-1', JSON.stringify(body)).set('Content-Type', 'application/json');
      expect(res.status).toBe(400);
    }
    const empty = await t.http.post('/v1/vms/vm-1/expansions').set('Idempotency-Key', 'key-12345678');
    expect(empty.status).toBe(400);
    expect(empty.body.errors).toEqual([{ path: 'body', message: expect.any(String) }]);
  });

  it('names the path parameter and the header in their errors', async () => {
    const res = await post('VM_1', { sizeGiB: 4 }, 'short');
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { path: 'params.vmId', message: 'expected vm-<lowercase letters and digits>' },
        { path: 'headers.idempotency-key', message: expect.any(String) },
      ]),
    );
    const missing = await post('vm-1', { sizeGiB: 4 }, null);
    expect(missing.body.errors).toEqual([{ path: 'headers.idempotency-key', message: expect.any(String) }]);
  });

  it('coerces query strings and rejects unknown or repeated parameters', async () => {
    const ok = await t.http.get('/v1/vms?limit=5&state=active');
    expect(ok.body).toEqual({ limit: 5, state: 'active' });
    const defaults = await t.http.get('/v1/vms');
    expect(defaults.body).toEqual({ limit: 20 });
    const bad = await t.http.get('/v1/vms?limit=zero&sort=name&state=active&state=released');
    expect(bad.status).toBe(400);
    const paths = (bad.body.errors as { path: string }[]).map((e) => e.path).sort();
    expect(paths).toEqual(['query.limit', 'query.sort', 'query.state']);
  });
});
