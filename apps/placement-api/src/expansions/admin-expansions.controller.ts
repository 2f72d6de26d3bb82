import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { AdminAuth, ApiZodResponse, Page, RequestId, ZodParam, ZodQuery } from '@mxs/service-kit';
import type { z } from 'zod';
import { ExpansionsService } from './expansions.service';
import { adminExpansionDetailSchema, adminExpansionListQuery, adminExpansionPageSchema, expansionIdParam, expansionSchema } from './expansion.schemas';
import { listExpansions } from './list-expansions';

/** Every tenant's expansions, for operators. */
@Controller('admin/v1/expansions')
@AdminAuth()
export class AdminExpansionsController {
  constructor(private readonly expansions: ExpansionsService) {}

  @Get()
  @ApiZodResponse(200, adminExpansionPageSchema)
  list(@ZodQuery(adminExpansionListQuery) query: z.output<typeof adminExpansionListQuery>): Promise<Page<unknown>> {
    return listExpansions(this.expansions, query, true);
  }

  @Get(':id')
  @ApiZodResponse(200, adminExpansionDetailSchema)
  get(@ZodParam('id', expansionIdParam) id: string): Promise<unknown> {
    return this.expansions.adminDetail(id);
  }

  @Post(':id/force-release')
  @HttpCode(202)
  @ApiZodResponse(202, expansionSchema, 'Forced hot-remove started: the VM loses the memory at once; capacity returns once the fabric has scrubbed it')
  forceRelease(@ZodParam('id', expansionIdParam) id: string, @RequestId() requestId: string): Promise<unknown> {
    return this.expansions.forceRelease(id, requestId);
  }
}
