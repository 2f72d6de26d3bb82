import { Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import type { DeviceHealthInfo, DeviceStateView, Progress, SwitchStateView } from '@mxs/host-agent';
import { offerExtentsBodySchema, releaseDeviceExtentsBodySchema, releaseExpansionBodySchema, waitQuerySchema } from '@mxs/host-agent';
import type { KitRequest } from '@mxs/service-kit';
import { ZodBody, ZodParam, ZodQuery } from '@mxs/service-kit';
import { idSchema } from '@mxs/topology';
import type { z } from 'zod';
import { gone } from './hosts.controller';
import { deviceView } from './model/devices';
import { healthView, switchView } from './model/views';
import { SimulatorService } from './simulator.service';

type Wait = z.output<typeof waitQuerySchema>;

/** The fabric managers: one per device (`/fabric/devices/{deviceId}`) and per switch. */
@Controller('fabric')
export class FabricController {
  constructor(private readonly service: SimulatorService) {}

  @Post('devices/:deviceId/extents')
  @HttpCode(204)
  async offer(
    @ZodParam('deviceId', idSchema) deviceId: string,
    @ZodBody(offerExtentsBodySchema) body: z.output<typeof offerExtentsBodySchema>,
    @ZodQuery(waitQuerySchema) _q: Wait,
  ): Promise<void> {
    await this.service.instant('offer-extents', (sim) => sim.offerExtents(deviceId, body));
  }

  @Post('devices/:deviceId/extents/release')
  @HttpCode(200)
  releaseOnDevice(
    @ZodParam('deviceId', idSchema) deviceId: string,
    @ZodBody(releaseDeviceExtentsBodySchema) body: z.output<typeof releaseDeviceExtentsBodySchema>,
    @ZodQuery(waitQuerySchema) query: Wait,
    @Req() req: KitRequest,
  ): Promise<Progress> {
    const r = { ...body, deviceId };
    this.service.sim.device(deviceId);
    return this.service.step('release-extents', query.waitMs, (sim) => sim.releaseExtents(r), (sim) => sim.releaseProgress(r), gone(req));
  }

  /** Releases an expansion's extents on every device holding them: the client need not know which. */
  @Post('expansions/:expansionId/release')
  @HttpCode(200)
  releaseExpansion(
    @ZodParam('expansionId', idSchema) expansionId: string,
    @ZodBody(releaseExpansionBodySchema) body: z.output<typeof releaseExpansionBodySchema>,
    @ZodQuery(waitQuerySchema) query: Wait,
    @Req() req: KitRequest,
  ): Promise<Progress> {
    const r = { ...body, expansionId };
    this.service.sim.host(body.hostId);
    return this.service.step('release-extents', query.waitMs, (sim) => sim.releaseExtents(r), (sim) => sim.releaseProgress(r), gone(req));
  }

  @Get('devices/:deviceId')
  device(@ZodParam('deviceId', idSchema) deviceId: string): DeviceStateView {
    return deviceView(this.service.sim.device(deviceId));
  }

  @Get('devices/:deviceId/health')
  health(@ZodParam('deviceId', idSchema) deviceId: string): DeviceHealthInfo {
    return healthView(this.service.sim.device(deviceId));
  }

  @Get('switches/:switchId')
  switchState(@ZodParam('switchId', idSchema) switchId: string): SwitchStateView {
    return switchView(this.service.sim, switchId);
  }
}
