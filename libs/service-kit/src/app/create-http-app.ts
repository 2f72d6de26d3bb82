import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import type { Logger as PinoInstance } from 'pino';
import type { Histogram } from 'prom-client';
import type { HttpKitConfig } from '../config/base-config';
import { SERVICE_CONFIG } from '../config/base-config';
import { useJsonBody } from '../http/json-body';
import { ROOT_LOGGER, createHttpLogger } from '../logging/logging.module';
import { httpMetricsMiddleware } from '../metrics/http-metrics';
import { HTTP_REQUEST_DURATION } from '../metrics/metrics.module';

type EntryModule = Parameters<typeof NestFactory.create>[0];

/** A compiled `Test.createTestingModule(...)`: tests override providers and still get the real pipeline. */
export interface TestingModuleLike {
  createNestApplication<T extends INestApplication>(options?: NestApplicationOptions): T;
}

export interface HttpAppOptions {
  /** Largest JSON body accepted; larger ones get 413 `payload-too-large`. */
  bodyLimit?: string;
}

/**
 * Creates the express app with the kit's request pipeline in a fixed order: request id and
 * access log, latency metrics, JSON body parsing (errors → 4xx problems), then Nest. The root
 * module must import ServiceKitModule.forRoot({ config }).
 */
export async function createHttpApp(
  entry: EntryModule | TestingModuleLike,
  options: HttpAppOptions = {},
): Promise<NestExpressApplication> {
  // Our own body parser (below) replaces Nest's, which would run before the request logger.
  const appOptions: NestApplicationOptions = { bufferLogs: true, bodyParser: false, abortOnError: false };
  const app = isTestingModule(entry)
    ? entry.createNestApplication<NestExpressApplication>(appOptions)
    : await NestFactory.create<NestExpressApplication>(entry, appOptions);
  const config = kitConfigOf(app);
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  // API answers are not cached by clients; hashing every body for an ETag costs CPU on each request.
  app.set('etag', false);
  app.set('trust proxy', config.MXS_TRUST_PROXY);
  app.use(createHttpLogger(app.get<symbol, PinoInstance>(ROOT_LOGGER)));
  app.use(httpMetricsMiddleware(app.get<symbol, Histogram<'method' | 'route' | 'status'>>(HTTP_REQUEST_DURATION)));
  useJsonBody(app, options.bodyLimit ?? '1mb');
  return app;
}

function isTestingModule(entry: EntryModule | TestingModuleLike): entry is TestingModuleLike {
  return typeof (entry as Partial<TestingModuleLike>).createNestApplication === 'function';
}

function kitConfigOf(app: INestApplication): HttpKitConfig {
  try {
    return app.get<symbol, HttpKitConfig>(SERVICE_CONFIG, { strict: false });
  } catch (cause) {
    throw new Error('createHttpApp: the root module must import ServiceKitModule.forRoot({ config })', { cause });
  }
}
