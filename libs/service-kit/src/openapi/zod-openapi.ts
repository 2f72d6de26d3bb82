import type { ReferenceObject, SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';

type JsonSchema = Record<string, unknown>;
export type SchemaIo = 'input' | 'output';

// Decorators convert schemas when classes are defined, before any document exists, so named
// schemas (zod `.meta({ id })`) wait here until setupOpenApi copies the ones a document uses.
const components = new Map<string, JsonSchema>();

const COMPONENT_REF = '#/components/schemas/';

function convert(schema: z.ZodType, io: SchemaIo): { root: JsonSchema; defs: Record<string, JsonSchema> } {
  const root = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  const defs = (root.$defs ?? {}) as Record<string, JsonSchema>;
  // The document's `openapi: 3.1.0` already fixes the dialect; the definitions move to components.
  delete root.$schema;
  delete root.$defs;
  return { root, defs };
}

/**
 * The OpenAPI 3.1 schema of a zod schema (JSON Schema draft 2020-12). Requests use the input
 * side (defaults optional), responses the output side. Schemas with a meta `id` become
 * `#/components/schemas/<id>` references; when an id's input side differs from its output
 * side (defaults, transforms), the input side is `<id>Input`, whichever is converted first.
 */
export function zodToOpenApi(schema: z.ZodType, io: SchemaIo = 'input'): SchemaObject | ReferenceObject {
  const wanted = convert(schema, io);
  const other = convert(schema, io === 'input' ? 'output' : 'input').defs;
  const names = new Map<string, string>();
  for (const [id, def] of Object.entries(wanted.defs)) {
    const differs = JSON.stringify(def) !== JSON.stringify(other[id]);
    names.set(id, io === 'input' && differs ? `${id}Input` : id);
  }
  for (const [id, def] of Object.entries(wanted.defs)) {
    const name = names.get(id) ?? id;
    const component = rewriteRefs(def, names) as JsonSchema;
    const existing = components.get(name);
    if (existing && JSON.stringify(existing) !== JSON.stringify(component)) {
      throw new Error(`Two different zod schemas share the OpenAPI id "${id}"; give each its own .meta({ id })`);
    }
    components.set(name, component);
  }
  return rewriteRefs(wanted.root, names) as SchemaObject;
}

function rewriteRefs(value: unknown, names: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, names));
  if (typeof value !== 'object' || value === null) return value;
  const out: JsonSchema = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === '$ref' && typeof item === 'string' && item.startsWith('#/$defs/')) {
      const id = item.slice('#/$defs/'.length);
      out[key] = COMPONENT_REF + (names.get(id) ?? id);
    } else {
      out[key] = rewriteRefs(item, names);
    }
  }
  return out;
}

/** The named schemas `value` refers to, transitively, ready for `components.schemas`. */
export function referencedComponents(value: unknown): Record<string, SchemaObject> {
  const found: Record<string, SchemaObject> = {};
  const pending = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (Array.isArray(next)) pending.push(...(next as unknown[]));
    else if (typeof next === 'object' && next !== null) {
      for (const [key, item] of Object.entries(next)) {
        if (key === '$ref' && typeof item === 'string' && item.startsWith(COMPONENT_REF)) {
          const name = item.slice(COMPONENT_REF.length);
          const component = components.get(name);
          if (component && !(name in found)) {
            found[name] = component as SchemaObject;
            pending.push(component);
          }
        } else pending.push(item);
      }
    }
  }
  return found;
}
