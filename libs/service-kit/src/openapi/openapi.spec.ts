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
    // Its input side (`tier` may be left out) differs from its output side, hence `…Input`.
    expect(create?.requestBody?.content['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/TestCreateExpansionInput',
    });
    expect(doc.components.schemas.TestCreateExpansionInput).toEqual({
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

  it('shows responses from the output side of their zod schemas', () => {
    const accepted = doc.paths['/v1/vms/{vmId}/expansions']?.post?.responses['202'] as {
      description: string;
      content: Record<string, { schema: unknown }>;
    };
    expect(accepted.description).toBe('Accepted');
    expect(accepted.content['application/json']?.schema).toEqual({ $ref: '#/components/schemas/TestAccepted' });
    // The body's `tier` has a default: always present in output, so the response side requires it.
    expect(doc.components.schemas.TestAccepted?.properties).toMatchObject({
      body: { $ref: '#/components/schemas/TestCreateExpansion' },
    });
    expect(doc.components.schemas.TestCreateExpansion?.required).toEqual(['sizeGiB', 'tier']);
    // Same on both sides: one component.
    expect(doc.components.schemas.TestExtentInput).toBeUndefined();
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
  it('names the request side of an id differently when it differs from the response side, in any order', () => {
    const thing = z.object({ state: z.enum(['a', 'b']).default('a') }).meta({ id: 'SpecThing' });
    expect(zodToOpenApi(thing, 'input')).toEqual({ $ref: '#/components/schemas/SpecThingInput' });
    expect(zodToOpenApi(thing, 'output')).toEqual({ $ref: '#/components/schemas/SpecThing' });
    // A strict object with no defaults reads the same both ways (a loose one strips keys on output).
    const same = z.strictObject({ n: z.number() }).meta({ id: 'SpecSame' });
    expect(zodToOpenApi(same, 'input')).toEqual({ $ref: '#/components/schemas/SpecSame' });
  });

  it('refuses two different schemas with one id', () => {
    zodToOpenApi(z.object({ a: z.string() }).meta({ id: 'SpecClash' }));
    expect(() => zodToOpenApi(z.object({ b: z.string() }).meta({ id: 'SpecClash' }))).toThrow(/share the OpenAPI id "SpecClash"/);
  });

  it('inlines schemas without an id', () => {
    expect(zodToOpenApi(z.string().uuid())).toMatchObject({ type: 'string', format: 'uuid' });
  });
});
