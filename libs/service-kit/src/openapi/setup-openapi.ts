import type { INestApplication } from '@nestjs/common';
import type { OpenAPIObject, SchemaObject } from '@nestjs/swagger';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ADMIN_KEY_SCHEME, TENANT_KEY_SCHEME } from '../auth/auth-decorators';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE } from '../problems/problem-error';
import { referencedComponents } from './zod-openapi';

export interface OpenApiOptions {
  title: string;
  version: string;
  description?: string;
  /** UI here, the JSON document at `<path>/openapi.json`. */
  path?: string;
}

const PROBLEM_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'RFC 9457 problem details; every error response has this shape.',
  required: ['type', 'title', 'status', 'instance'],
  properties: {
    type: { type: 'string', format: 'uri', example: `${PROBLEM_TYPE_BASE}validation-failed` },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string', description: 'The request path' },
    requestId: { type: 'string', description: 'Also in the X-Request-Id response header and the logs' },
    errors: {
      type: 'array',
      description: 'For validation-failed: one entry per offending field',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string', example: 'body.sizeGiB' }, message: { type: 'string' } },
      },
    },
  },
};

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * Builds the OpenAPI 3.1 document from the routes and their zod schemas and serves it: the UI at
 * `/docs`, JSON at `/docs/openapi.json`. Call it before `app.listen()`.
 */
export function setupOpenApi(app: INestApplication, options: OpenApiOptions): OpenAPIObject {
  const path = (options.path ?? '/docs').replace(/\/+$/, '');
  const builder = new DocumentBuilder()
    .setTitle(options.title)
    .setVersion(options.version)
    .setOpenAPIVersion('3.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A tenant API key, mxs_<prefix>_<secret>' }, TENANT_KEY_SCHEME)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'The operator key, MXS_ADMIN_KEY' }, ADMIN_KEY_SCHEME);
  if (options.description !== undefined) builder.setDescription(options.description);
  const document = SwaggerModule.createDocument(app, builder.build());
  addProblemResponses(document);
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...referencedComponents(document), Problem: PROBLEM_SCHEMA },
  };
  SwaggerModule.setup(path, app, document, {
    jsonDocumentUrl: `${path}/openapi.json`,
    raw: ['json'],
    customSiteTitle: options.title,
  });
  return document;
}

/** Every operation can answer with a problem; say so once per operation rather than per status. */
function addProblemResponses(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation || 'default' in operation.responses) continue;
      operation.responses.default = {
        description: 'A problem (RFC 9457)',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
      };
    }
  }
}
