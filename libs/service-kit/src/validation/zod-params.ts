import type { ExecutionContext } from '@nestjs/common';
import { createParamDecorator } from '@nestjs/common';
import type { SchemaObject } from '@nestjs/swagger';
import { ApiBody, ApiHeader, ApiParam, ApiQuery } from '@nestjs/swagger';
import type { z } from 'zod';
import type { KitRequest } from '../http/http-types';
import { headerValue } from '../http/http-types';
import { refuseNonJsonBody } from '../http/json-body';
import { zodToOpenApi } from '../openapi/zod-openapi';
import type { FieldError, RequestLocation } from './field-errors';
import { fieldErrors, formatPath, validationProblem } from './field-errors';

interface ZodPart {
  location: RequestLocation;
  /** A single path parameter or header (lower case); the whole body or query when absent. */
  name?: string;
  schema: z.ZodType;
  index: number;
}

// Every validated part of each handler, so one failure can report the errors of all of them:
// Nest stops at the first parameter that throws, and a client should fix everything in one go.
const partsByHandler = new WeakMap<object, ZodPart[]>();

function extract(part: ZodPart, req: KitRequest): unknown {
  switch (part.location) {
    case 'body':
      return req.body;
    case 'query':
      return req.query;
    case 'params':
      return part.name === undefined ? req.params : req.params?.[part.name];
    case 'headers':
      return part.name === undefined ? req.headers : headerValue(req, part.name);
  }
}

function errorsOf(part: ZodPart, req: KitRequest): FieldError[] {
  // Synchronous on purpose: it runs on every request; async refinements do not belong in request schemas.
  const result = part.schema.safeParse(extract(part, req));
  const root = part.name === undefined ? part.location : formatPath(part.location, [part.name]);
  return result.success ? [] : fieldErrors(root, result.error.issues);
}

const zodPart = createParamDecorator((part: ZodPart, ctx: ExecutionContext): unknown => {
  const req = ctx.switchToHttp().getRequest<KitRequest>();
  if (part.location === 'body') refuseNonJsonBody(req);
  const result = part.schema.safeParse(extract(part, req));
  if (result.success) return result.data;
  const parts = partsByHandler.get(ctx.getHandler()) ?? [part];
  throw validationProblem(parts.flatMap((each) => errorsOf(each, req)));
});

type RouteDecorator = (target: object, key: string | symbol, descriptor: PropertyDescriptor) => unknown;

/** Registers the part for its handler, binds it to the parameter and documents the route. */
function decorateParameter(part: Omit<ZodPart, 'index'>, document: () => RouteDecorator[]): ParameterDecorator {
  return (target, key, index) => {
    zodPart({ ...part, index })(target, key, index);
    if (key === undefined) return;
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    if (!descriptor || typeof descriptor.value !== 'function') return;
    const handler = descriptor.value as object;
    const parts = [...(partsByHandler.get(handler) ?? []), { ...part, index }].sort((a, b) => a.index - b.index);
    partsByHandler.set(handler, parts);
    // Parameter decorators cannot document a route themselves; apply swagger's method decorators.
    for (const decorate of document()) decorate(target, key, descriptor);
  };
}

/** The JSON body, parsed with `schema` (use z.strictObject to refuse unknown fields) and documented. */
export function ZodBody(schema: z.ZodType): ParameterDecorator {
  return decorateParameter({ location: 'body', schema }, () => [
    ApiBody({ schema: zodToOpenApi(schema, 'input'), required: true }),
  ]);
}

/** The query string as an object, parsed with `schema` (use z.coerce for numbers); each field is documented. */
export function ZodQuery(schema: z.ZodObject): ParameterDecorator {
  return decorateParameter({ location: 'query', schema }, () => {
    const json = zodToOpenApi(schema, 'input') as { properties?: Record<string, SchemaObject>; required?: string[] };
    return Object.entries(json.properties ?? {}).map(([name, property]) =>
      ApiQuery({ name, required: json.required?.includes(name) ?? false, schema: property }),
    );
  });
}

/** One path parameter, parsed with `schema`; its errors read `params.<name>`. */
export function ZodParam(name: string, schema: z.ZodType): ParameterDecorator {
  return decorateParameter({ location: 'params', name, schema }, () => [
    ApiParam({ name, required: true, schema: zodToOpenApi(schema, 'input') as SchemaObject }),
  ]);
}

/** One request header (case-insensitive), parsed with `schema`; optional when the schema accepts undefined. */
export function ZodHeader(name: string, schema: z.ZodType): ParameterDecorator {
  return decorateParameter({ location: 'headers', name: name.toLowerCase(), schema }, () => [
    ApiHeader({ name, required: !schema.safeParse(undefined).success, schema: zodToOpenApi(schema, 'input') }),
  ]);
}
