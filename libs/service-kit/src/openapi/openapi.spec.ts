/// <reference types="jest" />
import { z } from 'zod';
import type { TestApp } from '../__fixtures__/test-app';
import { startTestApp } from '../__fixtures__/test-app';
import { zodToOpenApi } from './zod-openapi';

interface Operation {
  parameters?: { name: string; in: string; required?: boolean; schema: Record<string, unknown> }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: unknown }> };
  responses: Record<string, unknown>;
  security?: Record<string, string[]>[];
}

describe('the OpenAPI document', () => {
  let t: TestApp;
  let doc: {
    openapi: string;
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, Record<string, unknown>>; securitySchemes: Record<string, unknown> };
  };
  beforeAll(async () => {
    t = await startTestApp({ viaFactory: true });
    const res = await t.http.get('/docs/openapi.json');
    expect(res.status).toBe(200);
    doc = res.body as typeof doc;
  });
  afterAll(async () => {
    await t.close();
  });

  it('is OpenAPI 3.1 with the tenant and admin bearer schemes', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes).toMatchObject({
      tenantKey: { type: 'http', scheme: 'bearer' },
      adminKey: { type: 'http', scheme: 'bearer' },
    });
    expect(doc.paths['/admin/whoami']?.get?.security).toEqual([{ adminKey: [] }]);
    expect(doc.paths['/tenant/whoami']?.get?.security).toEqual([{ tenantKey: [] }]);
  });

  it('shows the request body as the zod schema itself, named components included', () => {
    const create = doc.paths['/v1/vms/{vmId}/expansions']?.post;
    expect(create?.requestBody?.required).toBe(true);
    expect(create?.requestBody?.content['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/TestCreateExpansion',
    });
    expect(doc.components.schemas.TestCreateExpansion).toEqual({
      type: 'object',
      properties: {
        sizeGiB: { type: 'integer', minimum: 1, maximum: 2048 },
        tier: { type: 'string', enum: ['direct', 'pooled', 'any'], default: 'any' },
        extents: { type: 'array', items: { $ref: '#/components/schemas/TestExtent' } },
      },
      required: ['sizeGiB'],
      additionalProperties: false,
    });
    expect(doc.components.schemas.TestExtent).toMatchObject({ required: ['deviceId', 'offsetGiB'], additionalProperties: false });
  });

  it('documents path parameters, headers and each query field from their schemas', () => {
    const create = doc.paths['/v1/vms/{vmId}/expansions']?.post;
    const byName = Object.fromEntries((create?.parameters ?? []).map((p) => [p.name, p]));
    expect(byName.vmId).toMatchObject({ in: 'path', required: true, schema: { type: 'string', pattern: '^vm-[a-z0-9]+$' } });
    expect(byName['Idempotency-Key']).toMatchObject({ in: 'header', required: true, schema: { minLength: 8, maxLength: 64 } });
    const list = doc.paths['/v1/vms']?.get;
    const query = Object.fromEntries((list?.parameters ?? []).map((p) => [p.name, p]));
    expect(query.limit).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100 } });
    expect(query.state).toMatchObject({ in: 'query', required: false, schema: { enum: ['active', 'released'] } });
  });

  it('says every operation may answer with a problem, and leaves /metrics out', () => {
    expect(doc.components.schemas.Problem).toBeDefined();
    expect(doc.paths['/v1/vms']?.get?.responses.default).toEqual({
      description: 'A problem (RFC 9457)',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    });
    expect(doc.paths['/metrics']).toBeUndefined();
    expect(doc.paths['/health']).toBeDefined();
  });

  it('serves the UI at /docs', async () => {
    const res = await t.http.get('/docs').redirects(1);
    expect(res.status).toBe(200);
    expect(res.text).toContain('swagger-ui');
  });
});

describe('zodToOpenApi', () => {
  it('names the request side of an id differently when it differs from the response side', () => {
    const thing = z.object({ state: z.enum(['a', 'b']).default('a') }).meta({ id: 'SpecThing' });
    expect(zodToOpenApi(thing, 'output')).toEqual({ $ref: '#/components/schemas/SpecThing' });
    expect(zodToOpenApi(thing, 'input')).toEqual({ $ref: '#/components/schemas/SpecThingInput' });
  });

  it('inlines schemas without an id', () => {
    expect(zodToOpenApi(z.string().uuid())).toMatchObject({ type: 'string', format: 'uuid' });
  });
});
