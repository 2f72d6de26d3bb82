import { Controller, Get } from '@nestjs/common';
import { AdminAuth, ApiZodResponse, Page, ZodParam, ZodQuery } from '@mxs/service-kit';
import type { z } from 'zod';
import { ExpansionsService } from './expansions.service';
import { adminExpansionListQuery, adminExpansionPageSchema, expansionIdParam, expansionWithTimelineSchema } from './expansion.schemas';
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
  @ApiZodResponse(200, expansionWithTimelineSchema)
  get(@ZodParam('id', expansionIdParam) id: string): Promise<unknown> {
    return this.expansions.get(id);
  }
}
