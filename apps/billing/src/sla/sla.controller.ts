import { Controller, Get } from '@nestjs/common';
import type { AuthenticatedTenant } from '@mxs/service-kit';
import { AdminAuth, ApiZodResponse, CurrentTenant, TenantAuth } from '@mxs/service-kit';
import { z } from 'zod';
import type { FleetSlaReport, TenantSlaReport } from './sla.service';
import { SlaService } from './sla.service';

const latency = z
  .object({ count: z.int(), minMs: z.number(), maxMs: z.number(), meanMs: z.number(), p50Ms: z.number(), p95Ms: z.number(), p99Ms: z.number(), p999Ms: z.number() })
  .meta({ id: 'LatencySummary' });
const uptime = z
  .object({ windowSeconds: z.number(), downtimeSeconds: z.number(), uptimePct: z.string().describe('Truncated to 4 decimals; "100" with no usage') })
  .meta({ id: 'UptimeSummary' });

const tenantSlaSchema = z
  .object({
    tenantId: z.string(),
    period: z.string(),
    timeToReady: latency,
    hotRemove: latency,
    uptime,
    creditsMinor: z.int().nullable().describe('SLA credits earned so far this month (≤ 0), null without a plan'),
    currency: z.string().nullable(),
  })
  .meta({ id: 'TenantSla' });

const burnAlert = z.object({ name: z.string(), factor: z.number(), longBurn: z.number(), shortBurn: z.number(), firing: z.boolean() }).meta({ id: 'BurnAlertStatus' });
const fleetSlaSchema = z
  .object({
    period: z.string(),
    fleet: z.object({ timeToReady: latency, hotRemove: latency, uptime }),
    slos: z.array(
      z.object({
        name: z.enum(['time-to-ready', 'hot-remove']),
        objective: z.number(),
        thresholdMs: z.int(),
        good: z.int(),
        bad: z.int(),
        errorBudget: z.object({ allowedBad: z.number(), consumedFraction: z.number(), remainingFraction: z.number() }),
        burnAlerts: z.array(burnAlert),
      }),
    ),
    capacity: z
      .object({
        capacityGiB: z.number(),
        placeableCapacityGiB: z.number(),
        usedGiB: z.number(),
        freeGiB: z.number(),
        utilization: z.number(),
        strandedGiB: z.number(),
        fragmentation: z.number(),
      })
      .nullable(),
    tenants: z.array(z.object({ tenantId: z.string(), timeToReady: latency, hotRemove: latency, uptime })),
  })
  .meta({ id: 'FleetSla' });

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
  @ApiZodResponse(200, fleetSlaSchema, 'Fleet-wide and per tenant; SLO budgets and burn rates over 30 days; utilization and stranded GiB')
  report(): Promise<FleetSlaReport> {
    return this.sla.fleetReport();
  }
}
