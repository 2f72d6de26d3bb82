import { Controller, Delete, Get, HttpCode, Patch, Post, Put } from '@nestjs/common';
import { idSchema } from '@mxs/contracts';
import { AdminAuth, ApiZodResponse, ZodBody, ZodParam } from '@mxs/service-kit';
import type { z } from 'zod';
import { assignPlanBody, planBody, planListSchema, planPatchBody, planSchema, tenantPlanSchema } from './plan.schemas';
import type { PlanBody } from './plan.schemas';
import type { PlanView } from './plans.service';
import { PlansService } from './plans.service';
import type { TenantPlanView } from './tenant-plans.service';
import { TenantPlansService } from './tenant-plans.service';

/** Plans, and which tenant is on which since when. */
@Controller('admin/v1')
@AdminAuth()
export class PlansController {
  constructor(
    private readonly plans: PlansService,
    private readonly tenantPlans: TenantPlansService,
  ) {}

  @Post('plans')
  @HttpCode(201)
  @ApiZodResponse(201, planSchema, 'Created')
  create(@ZodBody(planBody) body: PlanBody): Promise<PlanView> {
    return this.plans.create(body);
  }

  @Get('plans')
  @ApiZodResponse(200, planListSchema)
  async list(): Promise<{ items: PlanView[] }> {
    return { items: await this.plans.list() };
  }

  @Get('plans/:id')
  @ApiZodResponse(200, planSchema)
  get(@ZodParam('id', idSchema) id: string): Promise<PlanView> {
    return this.plans.get(id);
  }

  @Patch('plans/:id')
  @ApiZodResponse(200, planSchema)
  update(@ZodParam('id', idSchema) id: string, @ZodBody(planPatchBody) body: z.output<typeof planPatchBody>): Promise<PlanView> {
    return this.plans.update(id, body);
  }

  @Delete('plans/:id')
  @HttpCode(204)
  @ApiZodResponse(204, planSchema.optional(), 'Deleted (only a plan never assigned and not the default)')
  remove(@ZodParam('id', idSchema) id: string): Promise<void> {
    return this.plans.remove(id);
  }

  @Put('tenants/:id/plan')
  @ApiZodResponse(200, tenantPlanSchema, 'Assigned from `effectiveFrom` (default now); the month is prorated to the second')
  assign(@ZodParam('id', idSchema) tenantId: string, @ZodBody(assignPlanBody) body: z.output<typeof assignPlanBody>): Promise<TenantPlanView> {
    return this.tenantPlans.assign(tenantId, body.planId, body.effectiveFrom);
  }

  @Get('tenants/:id/plan')
  @ApiZodResponse(200, tenantPlanSchema)
  tenantPlan(@ZodParam('id', idSchema) tenantId: string): Promise<TenantPlanView> {
    return this.tenantPlans.get(tenantId);
  }
}
