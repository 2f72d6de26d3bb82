import type { DynamicModule } from '@nestjs/common';
import { Controller, Get, Inject, Module, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import type { Histogram } from 'prom-client';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { SkipRateLimit } from '../rate-limit/rate-limit.guard';
import { createRequestDurationHistogram } from './http-metrics';

/** Injection token of the request-duration histogram createHttpApp feeds. */
export const HTTP_REQUEST_DURATION = Symbol('HTTP_REQUEST_DURATION');

@ApiExcludeController()
@SkipRateLimit()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(Registry) private readonly registry: Registry) {}

  @Get()
  async scrape(@Res() res: ServerResponse): Promise<void> {
    const body = await this.registry.metrics();
    res.setHeader('Content-Type', this.registry.contentType);
    res.end(body);
  }
}

/**
 * One prom-client Registry per app (inject it by its class, `Registry`, to add counters and
 * gauges), default process metrics, and `GET /metrics`.
 */
@Module({})
export class MetricsModule {
  static forRoot(options: { defaultMetrics?: boolean } = {}): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [MetricsController],
      providers: [
        {
          provide: Registry,
          useFactory: (): Registry => {
            const registry = new Registry();
            if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
            return registry;
          },
        },
        {
          provide: HTTP_REQUEST_DURATION,
          inject: [Registry],
          useFactory: (registry: Registry): Histogram => createRequestDurationHistogram(registry),
        },
      ],
      exports: [Registry, HTTP_REQUEST_DURATION],
    };
  }
}
