import type { DynamicModule, ExecutionContext } from '@nestjs/common';
import { Module, createParamDecorator } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DestinationStream, Logger } from 'pino';
import { pino, stdSerializers } from 'pino';
// pino-http's augmentation of IncomingMessage types `req.id` and `req.log` (nestjs-pino reads them).
import type {} from 'pino-http';
import type { LogLevel } from '../config/base-config';
import type { KitRequest } from '../http/http-types';
import { headerValue, requestPath } from '../http/http-types';

/** Injection token of the process's root pino logger. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

export const REQUEST_ID_HEADER = 'X-Request-Id';
// Ids from clients end up in logs and job payloads: keep them short and inert.
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

// Probes and scrapes every few seconds would drown the access log.
const QUIET_PATHS = new Set(['/health', '/metrics']);

export interface LoggingOptions {
  level: LogLevel;
  /** Where JSON lines go; stdout when absent. */
  destination?: DestinationStream;
  /**
   * Whether logs written while a request runs carry its request id (true when absent). It costs
   * an AsyncLocalStorage, and once one runs, Node calls a hook for every promise the process
   * makes: 10–20% more CPU per database or Redis round trip in a loop of them. A process whose
   * HTTP routes are probes and scrapes, or whose handlers log nothing of their own, turns it off;
   * its access lines keep the id either way.
   */
  requestContext?: boolean;
}

/** JSON logs without credentials: the one logger configuration of every mxs process. */
export function createRootLogger(options: LoggingOptions): Logger {
  return pino(
    {
      level: options.level,
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'],
        censor: '[redacted]',
      },
    },
    options.destination,
  );
}

/** The client's X-Request-Id when it is safe, a new uuid otherwise; echoed back on the response. */
export function requestIdFor(req: IncomingMessage, res: ServerResponse): string {
  const fromClient = headerValue(req, REQUEST_ID_HEADER);
  const id = fromClient !== undefined && CLIENT_REQUEST_ID.test(fromClient) ? fromClient : randomUUID();
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

export type AccessLogMiddleware = (req: KitRequest, res: ServerResponse, next: () => void) => void;

/**
 * The access-log middleware; it also gives every request `req.id` and `req.log`. createHttpApp
 * mounts it first, before body parsing, so even a malformed body is logged with its id.
 *
 * It does what pino-http did for us, minus a child logger built for every request: `req.log`
 * builds its child (the request id bound) when something first logs through it, and the access
 * line is only shaped when its level is on. Most requests log nothing else, and a child logger
 * was a tenth of the API's CPU per placement.
 */
export function createHttpLogger(logger: Logger): AccessLogMiddleware {
  return (req, res, next) => {
    const startedAt = Date.now();
    const requestId = requestIdFor(req, res);
    let child: Logger | undefined;
    const forRequest = (): Logger => (child ??= logger.child({ requestId }));
    req.id = requestId;
    req.log = lazyLogger(forRequest);
    if (!QUIET_PATHS.has(requestPath(req))) res.once('close', () => logCompletion(logger, forRequest, req, res, Date.now() - startedAt));
    next();
  };
}

/**
 * One access line per request: info, error for a 5xx, but warn for a 503, which mxs answers on
 * purpose (a dependency away, a part not configured) and whose cause, if any, is logged beside it.
 */
function logCompletion(root: Logger, forRequest: () => Logger, req: KitRequest, res: ServerResponse, responseTime: number): void {
  const unavailable = res.statusCode === 503;
  const failed = res.statusCode >= 500 && !unavailable;
  const level = failed ? 'error' : unavailable ? 'warn' : 'info';
  if (!root.isLevelEnabled(level)) return;
  const line = { req: stdSerializers.req(req), res: stdSerializers.res(res), responseTime };
  if (failed) forRequest().error({ ...line, err: new Error(`failed with status code ${res.statusCode}`) }, 'request errored');
  else if (unavailable) forRequest().warn(line, 'request unavailable');
  else forRequest().info(line, res.writableFinished ? 'request completed' : 'request aborted');
}

/** A logger that is built when first used: most requests never log through theirs. */
function lazyLogger(make: () => Logger): Logger {
  return new Proxy({} as Logger, {
    get: (_target, key) => {
      const real = make();
      const value: unknown = Reflect.get(real, key, real);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(real) : value;
    },
    set: (_target, key, value) => Reflect.set(make(), key, value),
    has: (_target, key) => Reflect.has(make(), key),
  });
}

/**
 * nestjs-pino on top of the root logger: Nest's own logs and injected PinoLoggers write JSON and
 * carry the request id (unless `requestContext` is off). It reuses the request logger
 * createHttpApp mounts (`useExisting`) rather than mounting a second one after the body parser.
 */
@Module({})
export class LoggingModule {
  static forRoot(options: LoggingOptions): DynamicModule {
    const logger = createRootLogger(options);
    return {
      module: LoggingModule,
      // With no routes, nestjs-pino mounts no middleware and its loggers log through the root one.
      imports: [LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true, ...(options.requestContext === false ? { forRoutes: [] } : {}) })],
      providers: [{ provide: ROOT_LOGGER, useValue: logger }],
      exports: [ROOT_LOGGER, LoggerModule],
    };
  }
}

/** The request id (from X-Request-Id or generated) of the current request. */
export const RequestId = createParamDecorator((_data: unknown, ctx: ExecutionContext): string => {
  const id = ctx.switchToHttp().getRequest<KitRequest>().id;
  return typeof id === 'string' ? id : String(id);
});
