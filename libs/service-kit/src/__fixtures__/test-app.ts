import { ConflictException, Controller, Get, HttpCode, Logger, Module, Post } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { DestinationStream } from 'pino';
import request from 'supertest';
import { z } from 'zod';
import { createHttpApp } from '../app/create-http-app';
import { ServiceKitModule } from '../app/service-kit.module';
import { apiKeyMatches, generateApiKey } from '../auth/api-key';
import { AdminAuth, TenantAuth } from '../auth/auth-decorators';
import type { TenantKeyVerifier } from '../auth/tenant-key.guard';
import { CurrentTenant, TENANT_KEY_VERIFIER } from '../auth/tenant-key.guard';
import { baseConfigSchema } from '../config/base-config';
import { loadConfig } from '../config/load-config';
import type { HealthCheck } from '../health/health-checks';
import { HealthModule } from '../health/health.module';
import type { AuthenticatedTenant } from '../http/http-types';
import { RequestId } from '../logging/logging.module';
import { ApiZodResponse } from '../openapi/api-zod-response';
import { setupOpenApi } from '../openapi/setup-openapi';
import { ProblemError, unavailableProblem } from '../problems/problem-error';
import { registerProblemClassifier, registerProblemMapping } from '../problems/problem-mappings';
import { ZodBody, ZodHeader, ZodParam, ZodQuery } from '../validation/zod-params';

// A small service shaped like the placement API, so each spec exercises the kit as apps use it.

export const ADMIN_KEY = 'test-admin-key-0123456789';

export const extentSchema = z
  .strictObject({ deviceId: z.string().min(1), offsetGiB: z.number().int().min(0) })
  .meta({ id: 'TestExtent' });
export const createExpansionSchema = z
  .strictObject({
    sizeGiB: z.number().int().min(1).max(2048),
    tier: z.enum(['direct', 'pooled', 'any']).default('any'),
    extents: z.array(extentSchema).optional(),
  })
  .meta({ id: 'TestCreateExpansion' });
type CreateExpansion = z.output<typeof createExpansionSchema>;
const acceptedSchema = z
  .object({ vmId: z.string(), body: createExpansionSchema, idempotencyKey: z.string(), requestId: z.string() })
  .meta({ id: 'TestAccepted' });
const vmIdSchema = z.string().regex(/^vm-[a-z0-9]+$/, 'expected vm-<lowercase letters and digits>');
const idempotencyKeySchema = z.string().min(8).max(64);
const listQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  state: z.enum(['active', 'released']).optional(),
});

export class CapacityError extends Error {
  constructor(readonly reason: 'no-capacity' | 'host-window-exceeded') {
    super(`refused: ${reason}`);
  }
}
registerProblemMapping(CapacityError, (error) => ({
  status: 422,
  slug: 'placement-refused',
  title: 'No placement possible',
  detail: error.message,
  extra: { reason: error.reason },
}));

/** A plain Error with a socket code, as a driver hands it over: no class of its own to map. */
const refused = (error: unknown): boolean => (error as { code?: unknown }).code === 'ECONNREFUSED' || (error instanceof AggregateError && error.errors.every(refused));
registerProblemClassifier('fixture-database-away', (error) => (refused(error) ? unavailableProblem('the fixture database cannot be reached', 2) : undefined));


@Controller('v1/vms')
class ExpansionsController {
  @Post(':vmId/expansions')
  @HttpCode(202)
  @ApiZodResponse(202, acceptedSchema, 'Accepted')
  create(
    @ZodParam('vmId', vmIdSchema) vmId: string,
    @ZodBody(createExpansionSchema) body: CreateExpansion,
    @ZodHeader('Idempotency-Key', idempotencyKeySchema) idempotencyKey: string,
    @RequestId() requestId: string,
  ): object {
    return { vmId, body, idempotencyKey, requestId };
  }

  @Get()
  list(@ZodQuery(listQuerySchema) query: z.output<typeof listQuerySchema>): object {
    return query;
  }
}

@Controller('fail')
class FailuresController {
  private readonly logger = new Logger(FailuresController.name);

  @Get('log')
  log(): object {
    this.logger.log('inside the handler');
    return {};
  }

  @Get('unknown')
  unknown(): never {
    throw new Error('password=hunter2 at db.internal:5432');
  }

  @Get('mapped')
  mapped(): never {
    throw new CapacityError('no-capacity');
  }

  @Get('http-exception')
  httpException(): never {
    throw new ConflictException('already there');
  }

  @Get('unavailable')
  unavailable(): never {
    throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });
  }

  @Get('unavailable-everywhere')
  unavailableEverywhere(): never {
    // What net.connect rejects with when every address of a name refuses: no message of its own.
    throw new AggregateError(['::1', '127.0.0.1'].map((host) => Object.assign(new Error(`connect ECONNREFUSED ${host}:5432`), { code: 'ECONNREFUSED' })));
  }

  @Get('problem')
  problem(): never {
    throw new ProblemError({ status: 409, slug: 'idempotency-conflict', title: 'Key reused', extra: { key: 'k1' } });
  }
}

@Controller('admin')
@AdminAuth()
class AdminController {
  @Get('whoami')
  whoami(): object {
    return { admin: true };
  }
}

@Controller('tenant')
@TenantAuth()
class TenantController {
  @Get('whoami')
  whoami(@CurrentTenant() tenant: AuthenticatedTenant): object {
    return tenant;
  }
}

/** A real verifier over an in-memory table: prefix lookup, then a constant-time hash compare. */
export class InMemoryTenantKeys implements TenantKeyVerifier {
  private readonly byPrefix = new Map<string, { tenantId: string; hash: string }>();

  issue(tenantId: string): string {
    const { key, prefix, hash } = generateApiKey();
    this.byPrefix.set(prefix, { tenantId, hash });
    return key;
  }

  async verify(apiKey: string): Promise<AuthenticatedTenant | null> {
    const row = this.byPrefix.get(apiKey.slice(4, 16));
    return row && apiKeyMatches(apiKey, row.hash) ? { tenantId: row.tenantId } : null;
  }
}

export interface TestAppOptions {
  env?: Record<string, string>;
  keyPrefix?: string;
  checks?: HealthCheck[];
  checkTimeoutMs?: number;
  logDestination?: DestinationStream;
  requestContext?: boolean;
  /** Build through NestFactory with a dynamic module instead of Test.createTestingModule. */
  viaFactory?: boolean;
}

export interface TestApp {
  app: NestExpressApplication;
  http: ReturnType<typeof request>;
  tenantKeys: InMemoryTenantKeys;
  close(): Promise<void>;
}

/** Starts the app on an ephemeral loopback port; supertest talks to it over real HTTP. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = loadConfig(baseConfigSchema, {
    MXS_ADMIN_KEY: ADMIN_KEY,
    LOG_LEVEL: 'silent',
    MXS_RATE_LIMIT_PER_MINUTE: '0',
    ...options.env,
  });
  const tenantKeys = new InMemoryTenantKeys();
  const root: DynamicModule = {
    module: TestAppModule,
    imports: [
      ServiceKitModule.forRoot({
        config,
        rateLimit: { keyPrefix: options.keyPrefix ?? 'mxs-test:' },
        logDestination: options.logDestination,
        requestContext: options.requestContext,
        defaultMetrics: false,
      }),
      HealthModule.forRoot(options.checks ?? [], { timeoutMs: options.checkTimeoutMs }),
    ],
    controllers: [ExpansionsController, FailuresController, AdminController, TenantController],
    providers: [{ provide: TENANT_KEY_VERIFIER, useValue: tenantKeys }],
  };
  const app = options.viaFactory
    ? await createHttpApp(root)
    : await createHttpApp(await Test.createTestingModule({ imports: [root] }).compile());
  setupOpenApi(app, { title: 'kit test', version: '1.0.0' });
  await app.listen(0, '127.0.0.1');
  return { app, http: request(app.getHttpServer()), tenantKeys, close: () => app.close() };
}

@Module({})
class TestAppModule {}
