/// <reference types="jest" />
import { EXPANSION_STATES } from '@mxs/contracts';
import type { ApiUnderTest, TestEnvironment } from './testing/api-harness';
import { createTestEnvironment, startApi } from './testing/api-harness';
import type { Reply, SeededTenant } from '@mxs/test-kit';
import { call, loadFleet, seedTenant } from '@mxs/test-kit';
import { requestExpansion } from './testing/expectations';
import type { OpenApiDocument } from './testing/openapi-schemas';
import { operationOf, requestBodyValidator, responseValidator, validatorOf } from './testing/openapi-schemas';

interface ExpressRouter {
  stack: { route?: { path: string; methods: Record<string, boolean> } }[];
}

// What operators and client generators read: the OpenAPI document, /health and /metrics.
describe('/docs, /health and /metrics', () => {
  let env: TestEnvironment;
  let api: ApiUnderTest;
  let doc: OpenApiDocument;
  let acme: SeededTenant;
  /** Every answer the tests got, with the route template it came from, for the schema check. */
  const answers: { method: string; path: string; reply: Reply }[] = [];

  async function recorded(method: string, path: string, template: string, options: { key?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
    const reply = await call(api.url, method, path, options);
    answers.push({ method, path: template, reply });
    return reply;
  }

  beforeAll(async () => {
    env = await createTestEnvironment('docs');
    api = await startApi(env.env());
    const { hostIds } = await loadFleet(api.url);
    acme = await seedTenant(api.url, 'acme', hostIds.slice(0, 1));
    doc = (await call<OpenApiDocument>(api.url, 'GET', '/docs/openapi.json')).body;
  });

  afterAll(async () => {
    await api?.close();
    await env?.drop();
  });

  it('serves an OpenAPI 3.1 document with exactly the routes the app answers', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const router = (api.app.getHttpAdapter().getInstance() as { router: ExpressRouter }).router;
    const served = router.stack
      .flatMap((layer) => (layer.route === undefined ? [] : Object.keys(layer.route.methods).map((m) => `${m.toUpperCase()} ${layer.route?.path ?? ''}`)))
      .filter((route) => !route.includes('/docs') && !route.includes('*'))
      .map((route) => route.replace(/:(\w+)/g, '{$1}'));
    const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
    // /metrics is for Prometheus, not for API clients; everything else is documented.
    expect([...documented].sort()).toEqual(served.filter((route) => route !== 'GET /metrics').sort());
    expect(served).toContain('GET /metrics');
    expect(documented).toHaveLength(26);
    for (const route of documented.filter((r) => r.includes('/v1/'))) {
      const [method = '', path = ''] = route.split(' ');
      const scheme = path.startsWith('/admin/') ? 'adminKey' : 'tenantKey';
      expect({ route, security: operationOf(doc, method, path).security }).toEqual({ route, security: [{ [scheme]: [] }] });
    }
  });

  it('documents the request schemas the routes enforce', async () => {
    const create = operationOf(doc, 'POST', '/v1/vms/{vmId}/expansions');
    expect(create.parameters?.find((p) => p.in === 'header')).toMatchObject({ name: 'Idempotency-Key', required: true });
    const list = operationOf(doc, 'GET', '/v1/expansions');
    expect(list.parameters?.find((p) => p.name === 'state')?.schema).toMatchObject({ enum: [...EXPANSION_STATES] });
    expect(list.parameters?.map((p) => p.name).sort()).toEqual(['cursor', 'limit', 'state', 'vmId']);
    expect(operationOf(doc, 'GET', '/admin/v1/expansions').parameters?.map((p) => p.name).sort()).toEqual(['cursor', 'limit', 'state', 'tenantId', 'vmId']);
    // Each body schema accepts what the route accepts and refuses what it refuses: an unknown field, a wrong type.
    const bodies: [string, string, Record<string, unknown>, string][] = [
      ['POST', '/v1/vms/{vmId}/expansions', { sizeGiB: 8, tier: 'any', layout: 'interleave', interleaveWays: 2, maxAddedLatencyNs: 900 }, 'sizeGiB'],
      ['POST', '/admin/v1/tenants', { id: 'initech', name: 'Initech', quotaGiB: 64 }, 'quotaGiB'],
      ['PATCH', '/admin/v1/tenants/{id}', { quotaGiB: 128, plan: 'gold' }, 'quotaGiB'],
      ['POST', '/admin/v1/vms', { id: 'vm-x', tenantId: 'acme', hostId: 'host-001-01', dramGiB: 64, name: 'x' }, 'dramGiB'],
      ['PUT', '/admin/v1/fleet', { preset: 'small', seed: 3 }, 'seed'],
      ['PATCH', '/admin/v1/fleet/devices/{id}', { health: 'draining', reason: 'test' }, 'health'],
      ['PATCH', '/admin/v1/fleet/hosts/{id}', { state: 'maintenance' }, 'state'],
      ['PATCH', '/admin/v1/fleet/switches/{id}', { state: 'down' }, 'state'],
      ['POST', '/admin/v1/faults', { kind: 'device-fail', deviceId: 'pool-001-1' }, 'deviceId'],
    ];
    for (const [method, path, valid, field] of bodies) {
      const schema = requestBodyValidator(doc, method, path);
      expect({ route: `${method} ${path}`, ok: schema.safeParse(valid).success }).toEqual({ route: `${method} ${path}`, ok: true });
      expect({ route: `${method} ${path}`, ok: schema.safeParse({ ...valid, [field]: 'a string' }).success }).toEqual({ route: `${method} ${path}`, ok: false });
      if (path !== '/admin/v1/fleet') expect(schema.safeParse({ ...valid, surprise: 1 }).success).toBe(false);
    }
    const expansion = requestBodyValidator(doc, 'POST', '/v1/vms/{vmId}/expansions');
    expect(expansion.safeParse({ sizeGiB: 2049, tier: 'any' }).success).toBe(false);
    expect(expansion.safeParse({ sizeGiB: 8, tier: 'dram' }).success).toBe(false);
  });

  it('gives answers, successes and problems alike, that the document’s response schemas accept', async () => {
    const vmId = acme.vmIds[0] ?? '';
    const placed = await recorded('POST', `/v1/vms/${vmId}/expansions`, '/v1/vms/{vmId}/expansions', { key: acme.key, body: { sizeGiB: 8, tier: 'any' }, headers: { 'idempotency-key': 'd1' } });
    const id = (placed.body as { id: string }).id;
    await recorded('POST', `/v1/vms/${vmId}/expansions`, '/v1/vms/{vmId}/expansions', { key: acme.key, body: { sizeGiB: 600, tier: 'direct' }, headers: { 'idempotency-key': 'd2' } });
    await recorded('POST', `/v1/vms/${vmId}/expansions`, '/v1/vms/{vmId}/expansions', { key: acme.key, body: { sizeGiB: 'x', tier: 'any' } });
    await recorded('GET', '/v1/vms', '/v1/vms', { key: acme.key });
    await recorded('GET', '/v1/expansions?limit=1', '/v1/expansions', { key: acme.key });
    await recorded('GET', `/v1/expansions/${id}`, '/v1/expansions/{id}', { key: acme.key });
    await recorded('DELETE', `/v1/expansions/${id}`, '/v1/expansions/{id}', { key: acme.key });
    await recorded('GET', '/v1/expansions', '/v1/expansions', {});
    const adminKey = { key: api.config.MXS_ADMIN_KEY };
    await recorded('GET', '/admin/v1/expansions', '/admin/v1/expansions', adminKey);
    await recorded('GET', `/admin/v1/expansions/${id}`, '/admin/v1/expansions/{id}', adminKey);
    await recorded('POST', `/admin/v1/expansions/${id}/force-release`, '/admin/v1/expansions/{id}/force-release', adminKey);
    await recorded('POST', '/admin/v1/tenants', '/admin/v1/tenants', { ...adminKey, body: { id: 'initech', name: 'Initech', quotaGiB: 64 } });
    await recorded('GET', '/admin/v1/tenants', '/admin/v1/tenants', adminKey);
    await recorded('GET', '/admin/v1/tenants/initech', '/admin/v1/tenants/{id}', adminKey);
    await recorded('PATCH', '/admin/v1/tenants/initech', '/admin/v1/tenants/{id}', { ...adminKey, body: { plan: 'gold' } });
    await recorded('POST', '/admin/v1/tenants/initech/api-key', '/admin/v1/tenants/{id}/api-key', adminKey);
    await recorded('POST', '/admin/v1/vms', '/admin/v1/vms', { ...adminKey, body: { id: 'vm-x', tenantId: 'initech', hostId: 'host-001-02', dramGiB: 64, name: 'x' } });
    await recorded('POST', '/admin/v1/vms', '/admin/v1/vms', { ...adminKey, body: { id: 'vm-x', tenantId: 'initech', hostId: 'host-001-02', dramGiB: 64, name: 'x' } });
    await recorded('GET', '/admin/v1/vms?tenantId=initech', '/admin/v1/vms', adminKey);
    await recorded('GET', '/admin/v1/fleet', '/admin/v1/fleet', adminKey);
    await recorded('PUT', '/admin/v1/fleet', '/admin/v1/fleet', { ...adminKey, body: { preset: 'small' } });
    await recorded('PATCH', '/admin/v1/fleet/devices/pool-001-1', '/admin/v1/fleet/devices/{id}', { ...adminKey, body: { health: 'healthy' } });
    await recorded('GET', '/admin/v1/fleet/devices/pool-001-1', '/admin/v1/fleet/devices/{id}', adminKey);
    await recorded('PATCH', '/admin/v1/fleet/hosts/host-001-01', '/admin/v1/fleet/hosts/{id}', { ...adminKey, body: { state: 'healthy' } });
    await recorded('PATCH', '/admin/v1/fleet/switches/sw-001', '/admin/v1/fleet/switches/{id}', { ...adminKey, body: { state: 'up' } });
    await recorded('GET', '/health', '/health');
    expect(answers.map((a) => a.reply.status)).toEqual([202, 422, 400, 200, 200, 200, 202, 401, 200, 200, 409, 201, 200, 200, 200, 200, 201, 200, 200, 200, 409, 200, 200, 200, 200, 200]);
    for (const { method, path, reply } of answers) {
      const validator = responseValidator(doc, method, path, reply.status, reply.headers.get('content-type') ?? '');
      const result = validator.safeParse(reply.body);
      expect({ route: `${reply.status} ${method} ${path}`, issues: result.error?.issues ?? [] }).toEqual({ route: `${reply.status} ${method} ${path}`, issues: [] });
    }
    // The check can fail: an answer with a field the schema does not have is refused.
    const expansionSchema = responseValidator(doc, 'POST', '/v1/vms/{vmId}/expansions', 202, 'application/json');
    expect(expansionSchema.safeParse({ ...(placed.body as object), secret: 1 }).success).toBe(false);
    expect(validatorOf(doc, { $ref: '#/components/schemas/Problem' }).safeParse({ type: 'x' }).success).toBe(false);
  });

  it('/health answers 200 with PostgreSQL and Redis up', async () => {
    const health = await call(api.url, 'GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({
      status: 'ok',
      checks: { postgres: { status: 'up', latencyMs: expect.any(Number) }, redis: { status: 'up', latencyMs: expect.any(Number) } },
    });
  });

  it('/health answers 503 naming Redis when it does not answer', async () => {
    const blind = await startApi(env.env({ REDIS_URL: 'redis://127.0.0.1:1', MXS_OUTBOX_RELAY: 'false', MXS_AUTOMATION_CONCURRENCY: '0' }));
    try {
      const health = await call(blind.url, 'GET', '/health');
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ status: 'down', checks: { postgres: { status: 'up' }, redis: { status: 'down', error: expect.any(String) } } });
      expect(responseValidator(doc, 'GET', '/health', 503, health.headers.get('content-type') ?? '').safeParse(health.body).success).toBe(true);
    } finally {
      await blind.close();
    }
  });

  it('/metrics exposes placements, rejections by reason, outbox lag and request latency by route', async () => {
    await requestExpansion(api, acme, acme.vmIds[0] ?? '', { sizeGiB: 4, tier: 'direct' });
    await requestExpansion(api, acme, acme.vmIds[0] ?? '', { sizeGiB: 8, tier: 'any', maxAddedLatencyNs: 1 });
    const metrics = await call<string>(api.url, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = metrics.body;
    const value = (series: string): number => Number(new RegExp(`^${series.replace(/[{}"().]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('mxs_placements_total{tier="direct"}')).toBeGreaterThanOrEqual(1);
    expect(value('mxs_placement_rejections_total{reason="no-capacity"}')).toBe(1);
    expect(value('mxs_placement_rejections_total{reason="latency-bound"}')).toBe(1);
    expect(value('mxs_outbox_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(/^# TYPE http_request_duration_seconds histogram$/m);
    expect(value('http_request_duration_seconds_count{method="POST",route="/v1/vms/:vmId/expansions",status="202"}')).toBeGreaterThanOrEqual(2);
    expect(value('http_request_duration_seconds_count{method="POST",route="/v1/vms/:vmId/expansions",status="422"}')).toBe(2);
    // Route patterns, never raw URLs: no VM or expansion id in any label.
    expect(text).not.toContain(acme.vmIds[0] ?? '-');
  });
});
