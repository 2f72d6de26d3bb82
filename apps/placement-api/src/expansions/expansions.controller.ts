import { Controller, Delete, Get, HttpCode, Post, Res } from '@nestjs/common';
import type { ExpansionRequest } from '@mxs/contracts';
import type { AuthenticatedTenant } from '@mxs/service-kit';
import { ApiZodResponse, CurrentTenant, Page, RequestId, TenantAuth, ZodBody, ZodHeader, ZodParam, ZodQuery } from '@mxs/service-kit';
import type { z } from 'zod';
import { ExpansionsService } from './expansions.service';
import {
  createExpansionBody,
  expansionIdParam,
  expansionListQuery,
  expansionPageSchema,
  expansionSchema,
  expansionWithTimelineSchema,
  idempotencyKeyHeader,
  vmIdParam,
} from './expansion.schemas';
import { listExpansions } from './list-expansions';

interface LocationResponse {
  setHeader(name: string, value: string): void;
}

/** The tenant's expansions: only ever their own (another tenant's are 404, not 403). */
@Controller('v1')
@TenantAuth()
export class ExpansionsController {
  constructor(private readonly expansions: ExpansionsService) {}

  @Post('vms/:vmId/expansions')
  @HttpCode(202)
  @ApiZodResponse(202, expansionSchema, 'Placed; the hot-add runs next (follow Location)')
  async create(
    @ZodParam('vmId', vmIdParam) vmId: string,
    @ZodBody(createExpansionBody) body: ExpansionRequest,
    @ZodHeader('Idempotency-Key', idempotencyKeyHeader) idempotencyKey: string,
    @CurrentTenant() tenant: AuthenticatedTenant,
    @RequestId() requestId: string,
    @Res({ passthrough: true }) res: LocationResponse,
  ): Promise<unknown> {
    const accepted = await this.expansions.create({ tenantId: tenant.tenantId, vmId, request: body, idempotencyKey, requestId });
    res.setHeader('Location', `/v1/expansions/${accepted.body.id}`);
    if (accepted.replayed) res.setHeader('Idempotent-Replayed', 'true');
    return accepted.body;
  }

  @Get('expansions')
  @ApiZodResponse(200, expansionPageSchema)
  list(@ZodQuery(expansionListQuery) query: z.output<typeof expansionListQuery>, @CurrentTenant() tenant: AuthenticatedTenant): Promise<Page<unknown>> {
    return listExpansions(this.expansions, { ...query, tenantId: tenant.tenantId }, false);
  }

  @Get('expansions/:id')
  @ApiZodResponse(200, expansionWithTimelineSchema)
  get(@ZodParam('id', expansionIdParam) id: string, @CurrentTenant() tenant: AuthenticatedTenant): Promise<unknown> {
    return this.expansions.get(id, tenant.tenantId);
  }

  @Delete('expansions/:id')
  @HttpCode(202)
  @ApiZodResponse(202, expansionSchema, 'Hot-remove started; capacity returns once the fabric has released it')
  remove(@ZodParam('id', expansionIdParam) id: string, @CurrentTenant() tenant: AuthenticatedTenant, @RequestId() requestId: string): Promise<unknown> {
    return this.expansions.remove(id, tenant.tenantId, requestId);
  }
}
