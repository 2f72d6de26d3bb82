/// <reference types="jest" />
import { Counter, Registry } from 'prom-client';
import type { TestApp } from '../__fixtures__/test-app';
import { startTestApp } from '../__fixtures__/test-app';

describe('GET /metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('exposes the request histogram labelled by route pattern, never the raw URL', async () => {
    await t.http.post('/v1/vms/vm-abc/expansions').set('Idempotency-Key', 'key-12345678').send({ sizeGiB: 4 });
    await t.http.post('/v1/vms/vm-def/expansions').set('Idempotency-Key', 'key-12345678').send({ sizeGiB: 0 });
    await t.http.get('/no/such/route/123');
    await t.http.post('/v1/vms/vm-ghi/expansions').set('Content-Type', 'application/json').send('{bad');

    const res = await t.http.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.text;
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(text).toMatch(/http_request_duration_seconds_count\{method="POST",route="\/v1\/vms\/:vmId\/expansions",status="202"\} 1/);
    expect(text).toMatch(/http_request_duration_seconds_count\{method="POST",route="\/v1\/vms\/:vmId\/expansions",status="400"\} 1/);
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\(unmatched\)",status="404"\} 1/);
    // A body refused before routing has no route yet: it is counted, unlabelled by its URL.
    expect(text).toMatch(/http_request_duration_seconds_count\{method="POST",route="\(unmatched\)",status="400"\} 1/);
    expect(text).not.toMatch(/vm-abc|vm-def|no\/such/);
  });

  it('shares its registry so apps add their own metrics', async () => {
    const counter = new Counter({ name: 'mxs_placements_total', help: 'placements', registers: [t.app.get(Registry)] });
    counter.inc(3);
    expect((await t.http.get('/metrics')).text).toContain('mxs_placements_total 3');
  });
});
