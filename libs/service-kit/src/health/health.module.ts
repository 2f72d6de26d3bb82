import type { DynamicModule, InjectionToken, ModuleMetadata, OptionalFactoryDependency } from '@nestjs/common';
import { Controller, Get, Inject, Module, Res } from '@nestjs/common';
import type { SchemaObject } from '@nestjs/swagger';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { SkipRateLimit } from '../rate-limit/rate-limit.guard';
import type { HealthCheck } from './health-checks';
import { DEFAULT_CHECK_TIMEOUT_MS, runHealthChecks } from './health-checks';

export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');
const HEALTH_TIMEOUT_MS = Symbol('HEALTH_TIMEOUT_MS');

const HEALTH_REPORT_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['status', 'checks'],
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: ['ok', 'down'] },
    checks: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['status', 'latencyMs'],
        additionalProperties: false,
        properties: { status: { type: 'string', enum: ['up', 'down'] }, latencyMs: { type: 'number' }, error: { type: 'string' } },
      },
    },
  },
};

@ApiTags('operations')
@SkipRateLimit()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[],
    @Inject(HEALTH_TIMEOUT_MS) private readonly timeoutMs: number,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Whether every dependency answers: 200 `ok`, or 503 `down` naming the failing ones' })
  @ApiResponse({ status: 200, description: 'Every dependency answers', schema: HEALTH_REPORT_SCHEMA })
  @ApiResponse({ status: 503, description: 'Some dependency does not answer', schema: HEALTH_REPORT_SCHEMA })
  async health(@Res() res: ServerResponse): Promise<void> {
    const report = await runHealthChecks(this.checks, this.timeoutMs);
    // Written by hand: Nest would reset the status code to its route default after we chose 503.
    res.statusCode = report.status === 'ok' ? 200 : 503;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.end(JSON.stringify(report));
  }
}

export interface HealthModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: (InjectionToken | OptionalFactoryDependency)[];
  useFactory: (...deps: never[]) => HealthCheck[] | Promise<HealthCheck[]>;
  timeoutMs?: number;
}

/** `GET /health`: each check bounded by a timeout (2 s unless told). */
@Module({})
export class HealthModule {
  static forRoot(checks: HealthCheck[], options: { timeoutMs?: number } = {}): DynamicModule {
    return HealthModule.forRootAsync({ useFactory: () => checks, timeoutMs: options.timeoutMs });
  }

  /** For checks that need injected clients, e.g. `inject: [DataSource], useFactory: (ds) => [postgresCheck(ds)]`. */
  static forRootAsync(options: HealthModuleAsyncOptions): DynamicModule {
    return {
      module: HealthModule,
      imports: options.imports ?? [],
      controllers: [HealthController],
      providers: [
        { provide: HEALTH_CHECKS, inject: options.inject ?? [], useFactory: options.useFactory },
        { provide: HEALTH_TIMEOUT_MS, useValue: options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS },
      ],
    };
  }
}
