import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
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
import { headerValue, requestPath } from './http-types';
import { bodyProblem, hasBody, isJsonContentType, notJsonBodyProblem } from './json-body';

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
  /** Largest JSON body, in bytes (default 1 MiB); larger ones get 413. */
  readonly bodyLimitBytes?: number;
}

/**
 * Serves `routes` straight from node's HTTP server, ahead of express and Nest, for a process
 * whose hot path is many small internal JSON calls: the host simulator answers four per saga
 * step sequence, and express's router and body parser with Nest's guards, pipes and filter cost
 * about three times the CPU of the call itself. A request keeps what the kit gives every request:
 * the access log and its request id, the latency histogram (labelled with the route's pattern),
 * validation errors naming every field at fault, problem+json for anything thrown, a body limit.
 * It has no rate limit and no OpenAPI entry: these routes are for internal APIs. A path served
 * here is served only here (another method gets 405); every other request goes on to express.
 */
export function serveDirectRoutes(app: INestApplication, routes: readonly DirectRoute[], options: DirectRoutesOptions = {}): void {
  const server = app.getHttpServer() as Server;
  const logAccess = createHttpLogger(app.get<symbol, PinoInstance>(ROOT_LOGGER));
  const timeRequest = httpMetricsMiddleware(app.get<symbol, Histogram<'method' | 'route' | 'status'>>(HTTP_REQUEST_DURATION));
  const fallbackLogger = new Logger('DirectRoutes');
  const limitBytes = options.bodyLimitBytes ?? 1024 * 1024;
  const table = routes.map((route) => ({ route, segments: route.path.split('/') }));
  // As socket.io attaches to a server: take the request listeners (express), call them for the rest.
  const onward = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: KitRequest, res: ServerResponse) => {
    const path = requestPath(req);
    const found = match(table, req.method ?? '', path);
    if (found === null) {
      for (const listener of onward) listener.call(server, req, res);
      return;
    }
    logAccess(req, res, noop);
    timeRequest(req, res, noop);
    const reply = (error: unknown): void => replyWithProblem(error, req, res, fallbackLogger);
    if (found.route === null) return reply(new ProblemError(methodNotAllowedProblem(req.method ?? '', path, found.allow)));
    req.route = { path: found.route.path };
    serve(found.route, found.params, req, res, options, limitBytes).catch(reply);
  });
}

const noop = (): void => undefined;

type Found = { route: DirectRoute; params: Record<string, string>; allow?: never } | { route: null; params?: never; allow: string[] };

/** The route for the method and path, or the methods the path has when none is for this method; null when the path is not here. */
function match(table: readonly { route: DirectRoute; segments: string[] }[], method: string, path: string): Found | null {
  const parts = (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path).split('/');
  const allow = new Set<string>();
  for (const { route, segments } of table) {
    if (segments.length !== parts.length) continue;
    const params = paramsOf(segments, parts);
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

async function serve(route: DirectRoute, rawParams: Record<string, string>, req: KitRequest, res: ServerResponse, options: DirectRoutesOptions, limitBytes: number): Promise<void> {
  options.authorize?.(req);
  const { parts } = route;
  const errors: FieldError[] = [];
  const params = validated('params', parts.params, decodeParams(rawParams, errors), errors);
  const query = parts.query === undefined ? undefined : validated('query', parts.query, queryOf(req), errors);
  const body = parts.body === undefined ? undefined : validated('body', parts.body, await readJsonBody(req, limitBytes), errors);
  // Every part's errors at once, so a client fixes everything in one go.
  if (errors.length > 0) throw validationProblem(errors);
  const value = await route.run({ params, query, body, req });
  if (route.status === 204) {
    res.statusCode = 204;
    res.end();
    return;
  }
  const text = JSON.stringify(value);
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

function decodeParams(raw: Record<string, string>, errors: FieldError[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
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

/** The JSON body (an object or an array, UTF-8), or undefined when there is none; failures are the same 4xx problems as the kit's body parser's. */
function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  if (!hasBody(req)) return Promise.resolve(undefined);
  if (!isJsonContentType(req)) return Promise.reject(notJsonBodyProblem());
  const charset = /;\s*charset=([^;\s]+)/i.exec(headerValue(req, 'content-type') ?? '')?.[1]?.replace(/"/g, '').toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') return Promise.reject(new ProblemError(bodyProblem({ type: 'charset.unsupported' })));
  const encoding = (headerValue(req, 'content-encoding') ?? 'identity').toLowerCase();
  if (encoding !== 'identity') return Promise.reject(new ProblemError(bodyProblem({ type: 'encoding.unsupported' })));
  const tooLarge = (): ProblemError => new ProblemError(bodyProblem({ type: 'entity.too.large', limit: limitBytes }));
  if (Number(req.headers['content-length'] ?? 0) > limitBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limitBytes) return void chunks.push(chunk);
      // Stop keeping it; node discards the rest once the answer is sent.
      req.off('data', onData);
      reject(tooLarge());
    };
    req.on('data', onData);
    req.once('error', (error) => reject(new ProblemError(bodyProblem(error))));
    req.once('end', () => {
      if (size > limitBytes) return;
      const text = Buffer.concat(chunks).toString('utf8');
      const first = text.trimStart()[0];
      try {
        if (first !== '{' && first !== '[') throw new SyntaxError('not an object or an array');
        resolve(JSON.parse(text) as unknown);
      } catch {
        reject(new ProblemError(bodyProblem({ type: 'entity.parse.failed' })));
      }
    });
  });
}
