import { Controller, Get } from '@nestjs/common';
import type { AuthenticatedTenant } from '@mxs/service-kit';
import { AdminAuth, ApiZodResponse, CurrentTenant, TenantAuth, ZodQuery } from '@mxs/service-kit';
import type { z } from 'zod';
import { fleetSlaSchema, slaHistoryQuery, slaHistorySchema, tenantSlaSchema } from './sla.schemas';
import type { FleetSlaReport, SlaHistory, TenantSlaReport } from './sla.service';
import { SlaService } from './sla.service';

@Controller('v1/sla')
@TenantAuth()
export class SlaController {
  constructor(private readonly sla: SlaService) {}

  @Get()
  @ApiZodResponse(200, tenantSlaSchema, 'This month: hot-add and hot-remove percentiles, uptime, credits earned')
  report(@CurrentTenant() tenant: AuthenticatedTenant): Promise<TenantSlaReport> {
    return this.sla.tenantReport(tenant.tenantId);
  }
}

@Controller('admin/v1/sla')
@AdminAuth()
export class AdminSlaController {
  constructor(private readonly sla: SlaService) {}

  @Get()
  @ApiZodResponse(200, fleetSlaSchema, 'Fleet-wide and per tenant (with credits earned); SLO budgets and burn rates over 30 days; utilization and stranded GiB')
  report(): Promise<FleetSlaReport> {
    return this.sla.fleetReport();
  }

  @Get('history')
  @ApiZodResponse(200, slaHistorySchema, 'Fleet-wide time-to-ready and hot-remove percentiles per bucket over the last hours')
  history(@ZodQuery(slaHistoryQuery) q: z.output<typeof slaHistoryQuery>): Promise<SlaHistory> {
    return this.sla.history(q.hours, q.bucketMinutes);
  }
}
