import type { ReferenceObject, SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';

type JsonSchema = Record<string, unknown>;
export type SchemaIo = 'input' | 'output';

interface Component {
  /** As zod produced it (refs still `#/$defs/…`): how we tell two uses of one id apart. */
  raw: string;
  schema: JsonSchema;
}

// Decorators convert schemas when classes are defined, before any document exists, so named
// schemas (zod `.meta({ id })`) wait here until setupOpenApi copies the ones a document uses.
const components = new Map<string, Component>();

const COMPONENT_REF = '#/components/schemas/';

/**
 * The OpenAPI 3.1 schema of a zod schema (JSON Schema draft 2020-12). Requests use the input
 * side (defaults optional), responses the output side. Schemas with a meta `id` become
 * `#/components/schemas/<id>` references.
 */
export function zodToOpenApi(schema: z.ZodType, io: SchemaIo = 'input'): SchemaObject | ReferenceObject {
  const root = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  const $defs = root.$defs;
  // The document's `openapi: 3.1.0` already fixes the dialect; the definitions move to components.
  delete root.$schema;
  delete root.$defs;
  const names = new Map<string, string>();
  for (const [id, def] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) {
    names.set(id, componentName(id, def, io));
  }
  for (const [id, def] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) {
    const name = names.get(id) ?? id;
    components.set(name, { raw: JSON.stringify(def), schema: rewriteRefs(def, names) as JsonSchema });
  }
  return rewriteRefs(root, names) as SchemaObject;
}

/** The same id used for a request and a response may differ (defaults): the request side gets `…Input`. */
function componentName(id: string, def: JsonSchema, io: SchemaIo): string {
  const raw = JSON.stringify(def);
  const existing = components.get(id);
  if (!existing || existing.raw === raw) return id;
  const inputName = `${id}Input`;
  const existingInput = components.get(inputName);
  if (io === 'input' && (!existingInput || existingInput.raw === raw)) return inputName;
  throw new Error(`Two different zod schemas share the OpenAPI id "${id}"; give each its own .meta({ id })`);
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
            found[name] = component.schema as SchemaObject;
            pending.push(component.schema);
          }
        } else pending.push(item);
      }
    }
  }
  return found;
}
