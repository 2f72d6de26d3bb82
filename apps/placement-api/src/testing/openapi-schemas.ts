import { z } from 'zod';

type Json = Record<string, unknown>;

export interface OpenApiOperation {
  readonly parameters?: readonly { name: string; in: string; required?: boolean; schema: Json }[];
  readonly requestBody?: { content: Record<string, { schema: Json }> };
  readonly responses: Record<string, { content?: Record<string, { schema: Json }> }>;
  readonly security?: readonly Record<string, unknown>[];
}

export interface OpenApiDocument {
  readonly openapi: string;
  readonly paths: Record<string, Record<string, OpenApiOperation>>;
  readonly components: { schemas: Record<string, Json> };
}

const COMPONENT_REF = '#/components/schemas/';

function toDefsRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toDefsRefs);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      key === '$ref' && typeof item === 'string' && item.startsWith(COMPONENT_REF) ? `#/$defs/${item.slice(COMPONENT_REF.length)}` : toDefsRefs(item),
    ]),
  );
}

/** A schema of the document as a zod validator, its component references resolved. */
export function validatorOf(doc: OpenApiDocument, schema: Json): z.ZodType {
  const defs = toDefsRefs(doc.components.schemas) as Record<string, Json>;
  return z.fromJSONSchema({ ...(toDefsRefs(schema) as Json), $defs: defs } as Parameters<typeof z.fromJSONSchema>[0]);
}

export function operationOf(doc: OpenApiDocument, method: string, path: string): OpenApiOperation {
  const operation = doc.paths[path]?.[method.toLowerCase()];
  if (operation === undefined) throw new Error(`the document has no ${method} ${path}`);
  return operation;
}

/** The document's schema for a response: the status's own, else `default` (problems). */
export function responseValidator(doc: OpenApiDocument, method: string, path: string, status: number, contentType: string): z.ZodType {
  const responses = operationOf(doc, method, path).responses;
  const response = responses[String(status)] ?? responses['default'];
  const media = contentType.split(';')[0]?.trim() ?? '';
  const schema = response?.content?.[media]?.schema;
  if (schema === undefined) throw new Error(`${method} ${path} documents no ${media} body for ${status}`);
  return validatorOf(doc, schema);
}

export function requestBodyValidator(doc: OpenApiDocument, method: string, path: string): z.ZodType {
  const schema = operationOf(doc, method, path).requestBody?.content['application/json']?.schema;
  if (schema === undefined) throw new Error(`${method} ${path} documents no JSON request body`);
  return validatorOf(doc, schema);
}
