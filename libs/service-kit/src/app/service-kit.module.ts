import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { DestinationStream } from 'pino';
import type { HttpKitConfig, KitConfig } from '../config/base-config';
import { SERVICE_CONFIG } from '../config/base-config';
import { LoggingModule } from '../logging/logging.module';
import { MetricsModule } from '../metrics/metrics.module';
import { ProblemFilter } from '../problems/problem.filter';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import type { RateLimitOptions } from '../rate-limit/rate-limiter';
import { RATE_LIMIT_OPTIONS, RateLimiter } from '../rate-limit/rate-limiter';
import { Closer } from '../shutdown/closer';

export interface ServiceKitOptions {
  /** A KitConfig, or an HttpKitConfig for an app without Redis (rate limiting is then off). */
  config: KitConfig | HttpKitConfig;
  rateLimit?: Partial<Pick<RateLimitOptions, 'keyPrefix' | 'windowMs' | 'commandTimeoutMs'>>;
  /** Where JSON logs go; stdout when absent (tests pass a stream to read them). */
  logDestination?: DestinationStream;
  /** See LoggingOptions.requestContext: on unless an app turns it off. */
  requestContext?: boolean;
  defaultMetrics?: boolean;
}

/**
 * What every HTTP service shares, in one global import: the config (SERVICE_CONFIG), JSON logs,
 * /metrics, the problem+json filter, the rate-limit guard on every route, and the Closer.
 */
@Module({})
export class ServiceKitModule {
  static forRoot(options: ServiceKitOptions): DynamicModule {
    const { config } = options;
    const rateLimit: RateLimitOptions = {
      limit: config.REDIS_URL === undefined ? 0 : (config.MXS_RATE_LIMIT_PER_MINUTE ?? 0),
      redisUrl: config.REDIS_URL ?? '',
      keyPrefix: options.rateLimit?.keyPrefix ?? 'mxs:',
      windowMs: options.rateLimit?.windowMs ?? 60_000,
      commandTimeoutMs: options.rateLimit?.commandTimeoutMs ?? 200,
    };
    return {
      module: ServiceKitModule,
      global: true,
      imports: [
        LoggingModule.forRoot({ level: config.LOG_LEVEL, destination: options.logDestination, requestContext: options.requestContext }),
        MetricsModule.forRoot({ defaultMetrics: options.defaultMetrics }),
      ],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: RATE_LIMIT_OPTIONS, useValue: rateLimit },
        RateLimiter,
        Closer,
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
      exports: [SERVICE_CONFIG, RateLimiter, Closer, LoggingModule, MetricsModule],
    };
  }
}
