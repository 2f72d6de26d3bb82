import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { json } from 'body-parser';
import type { RequestListener, Server, ServerResponse } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import type { Logger as PinoInstance } from 'pino';
import type { Histogram } from 'prom-client';
import type { z } from 'zod';
import { ROOT_LOGGER, createHttpLogger } from '../logging/logging.module';
import { httpMetricsMiddleware } from '../metrics/http-metrics';
import { HTTP_REQUEST_DURATION } from '../metrics/metrics.module';
import { methodNotAllowedProblem } from '../problems/method-not-allowed';
import { ProblemError } from '../problems/problem-error';
import { replyWithProblem } from '../problems/problem.filter';
import type { FieldError } from '../validation/field-errors';
import { fieldErrors, validationProblem } from '../validation/field-errors';
import type { KitRequest } from './http-types';
import { requestPath } from './http-types';
import { JSON_MEDIA_TYPES, bodyError, refuseNonJsonBody } from './json-body';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A route as it is written: its parts validated with zod, as ZodParam, ZodQuery and ZodBody do. */
export interface DirectRouteSpec<P extends z.ZodType, Q extends z.ZodType | undefined, B extends z.ZodType | undefined> {
  readonly method: Method;
  /** express-style, `/hosts/:hostId/regions/:expansionId`. */
  readonly path: string;
  /** The path parameters, as one object. */
  readonly params: P;
  /** The query string, as one object; not read when absent. */
  readonly query?: Q;
  /** The JSON body; not read when absent. */
  readonly body?: B;
  /** 200 with the handler's value as JSON (the default), or 204 with nothing. */
  readonly status?: 200 | 204;
  readonly handle: (input: { params: z.output<P>; query: OutputOf<Q>; body: OutputOf<B>; req: KitRequest }) => unknown;
}

type OutputOf<S> = S extends z.ZodType ? z.output<S> : undefined;

/** A route ready to serve; build one with directRoute. */
export interface DirectRoute {
  readonly method: Method;
  readonly path: string;
  readonly status: 200 | 204;
  readonly parts: { readonly params: z.ZodType; readonly query?: z.ZodType; readonly body?: z.ZodType };
  readonly run: (input: { params: unknown; query: unknown; body: unknown; req: KitRequest }) => unknown;
}

export function directRoute<P extends z.ZodType, Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined>(
  spec: DirectRouteSpec<P, Q, B>,
): DirectRoute {
  return {
    method: spec.method,
    path: spec.path,
    status: spec.status ?? 200,
    parts: { params: spec.params, ...(spec.query === undefined ? {} : { query: spec.query }), ...(spec.body === undefined ? {} : { body: spec.body }) },
    run: (input) => spec.handle(input as Parameters<typeof spec.handle>[0]),
  };
}

export interface DirectRoutesOptions {
  /** Runs before anything else of a route; throws (a ProblemError) to refuse the request. */
  readonly authorize?: (req: KitRequest) => void;
  /** Largest JSON body, as body-parser takes it (default `1mb`); larger ones get 413. */
  readonly bodyLimit?: string;
}

/**
 * Serves `routes` straight from node's HTTP server, ahead of express and Nest, for a process
 * whose hot path is many small internal JSON calls: the host simulator answers four per saga,
 * and express's router with Nest's guards, pipes and filter were more than half of its CPU per
 * call. A request keeps what the kit gives every request: the access log and its request
 * id, the latency histogram (labelled with the route's pattern), validation errors naming every
 * field at fault, the JSON body parser with its limit and its 4xx problems, problem+json for
 * anything thrown. It has no rate limit and no OpenAPI entry: these routes are for internal APIs.
 * A path served here is served only here (another method gets 405); every other request goes on
 * to express. Call it once, right after createHttpApp: it takes over the server's one request
 * listener (express's), as socket.io attaches to a server.
 */
export function serveDirectRoutes(app: INestApplication, routes: readonly DirectRoute[], options: DirectRoutesOptions = {}): void {
  const server = app.getHttpServer() as Server;
  const logAccess = createHttpLogger(app.get<symbol, PinoInstance>(ROOT_LOGGER));
  const timeRequest = httpMetricsMiddleware(app.get<symbol, Histogram<'method' | 'route' | 'status'>>(HTTP_REQUEST_DURATION));
  const fallbackLogger = new Logger('DirectRoutes');
  const parseJson = json({ limit: options.bodyLimit ?? '1mb', type: JSON_MEDIA_TYPES });
  const table = routes.map((route) => ({ route, segments: route.path.split('/') }));
  const listeners = server.listeners('request') as RequestListener[];
  const express = listeners[0];
  if (listeners.length !== 1 || express === undefined) {
    throw new Error(`serveDirectRoutes: expected the server's one request listener (express), found ${listeners.length}`);
  }
  server.removeListener('request', express);
  server.on('request', (req: KitRequest, res: ServerResponse) => {
    const path = requestPath(req);
    const found = match(table, req.method ?? '', path);
    if (found === null) return express.call(server, req, res);
    logAccess(req, res, noop);
    timeRequest(req, res, noop);
    const reply = (error: unknown): void => replyWithProblem(error, req, res, fallbackLogger);
    if (found.route === null) return reply(new ProblemError(methodNotAllowedProblem(req.method ?? '', path, found.allow)));
    const route = found.route;
    // What express sets and the access line and the metrics read.
    req.route = { path: route.path };
    req.params = found.params;
    req.query = queryOf(req);
    const answer = async (): Promise<void> => {
      options.authorize?.(req);
      if (route.parts.body !== undefined) await readJsonBody(req, res, parseJson);
      await serve(route, req, res);
    };
    answer().catch(reply);
  });
}

const noop = (): void => undefined;

type Found = { route: DirectRoute; params: Record<string, string>; allow?: never } | { route: null; params?: never; allow: string[] };

/** The route for the method and path, or the methods the path has when none is for this method; null when the path is not here. */
function match(table: readonly { route: DirectRoute; segments: string[] }[], method: string, path: string): Found | null {
  const pathSegments = (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path).split('/');
  const allow = new Set<string>();
  for (const { route, segments } of table) {
    if (segments.length !== pathSegments.length) continue;
    const params = paramsOf(segments, pathSegments);
    if (params === null) continue;
    if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { route, params };
    allow.add(route.method);
    if (route.method === 'GET') allow.add('HEAD');
  }
  return allow.size === 0 ? null : { route: null, allow: [...allow].sort() };
}

function paramsOf(segments: readonly string[], parts: readonly string[]): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    const part = parts[i] as string;
    if (segment.startsWith(':')) {
      if (part === '') return null;
      params[segment.slice(1)] = part;
    } else if (segment.toLowerCase() !== part.toLowerCase()) {
      return null;
    }
  }
  return params;
}

/** Validates the request's parts (its body already parsed), runs the handler and sends its answer. */
async function serve(route: DirectRoute, req: KitRequest, res: ServerResponse): Promise<void> {
  const { parts } = route;
  const errors: FieldError[] = [];
  // Decoded, as express leaves them for the access line.
  req.params = decodeParams(req.params ?? {}, errors);
  const params = validated('params', parts.params, req.params, errors);
  const query = parts.query === undefined ? undefined : validated('query', parts.query, req.query, errors);
  const body = parts.body === undefined ? undefined : validated('body', parts.body, req.body, errors);
  // Every part's errors at once, so a client fixes everything in one go.
  if (errors.length > 0) throw validationProblem(errors);
  const value = await route.run({ params, query, body, req });
  if (route.status === 204) {
    res.statusCode = 204;
    res.end();
    return;
  }
  const text = JSON.stringify(value) ?? '';
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

function validated(root: 'params' | 'query' | 'body', schema: z.ZodType, value: unknown, errors: FieldError[]): unknown {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  errors.push(...fieldErrors(root, result.error.issues));
  return undefined;
}

function decodeParams(raw: Record<string, string | undefined>, errors: FieldError[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value = ''] of Object.entries(raw)) {
    try {
      params[name] = decodeURIComponent(value);
    } catch {
      errors.push({ path: `params.${name}`, message: 'not valid percent-encoding' });
    }
  }
  return params;
}

/** The query string as express's default parser reads it (a repeated key becomes an array). */
function queryOf(req: KitRequest): Record<string, unknown> {
  const url = req.url ?? '';
  const at = url.indexOf('?');
  return at === -1 ? {} : { ...parseQueryString(url.slice(at + 1)) };
}

/** Parses a JSON body into `req.body` with the kit's parser and its problems, as ZodBody sees it. */
function readJsonBody(req: KitRequest, res: ServerResponse, parseJson: ReturnType<typeof json>): Promise<void> {
  refuseNonJsonBody(req);
  return new Promise((resolve, reject) => {
    parseJson(req, res, (error?: unknown) => (error === undefined ? resolve() : reject(bodyError(error))));
  });
}
