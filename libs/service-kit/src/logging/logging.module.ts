import type { DynamicModule, ExecutionContext } from '@nestjs/common';
import { Module, createParamDecorator } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DestinationStream, Logger } from 'pino';
import { pino } from 'pino';
import type { HttpLogger } from 'pino-http';
import { pinoHttp } from 'pino-http';
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

/**
 * The access-log middleware; it also gives every request `req.id` and `req.log`. createHttpApp
 * mounts it first, before body parsing, so even a malformed body is logged with its id.
 */
export function createHttpLogger(logger: Logger): HttpLogger {
  return pinoHttp({
    logger,
    genReqId: requestIdFor,
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'requestId' },
    autoLogging: { ignore: (req) => QUIET_PATHS.has(requestPath(req as KitRequest)) },
    customLogLevel: (_req, res, error) => (error !== undefined || res.statusCode >= 500 ? 'error' : 'info'),
  });
}

/**
 * nestjs-pino on top of the root logger: Nest's own logs and injected PinoLoggers write JSON and
 * carry the request id. It reuses the request logger createHttpApp mounts (`useExisting`) rather
 * than mounting a second one after the body parser.
 */
@Module({})
export class LoggingModule {
  static forRoot(options: LoggingOptions): DynamicModule {
    const logger = createRootLogger(options);
    return {
      module: LoggingModule,
      imports: [LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true })],
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
