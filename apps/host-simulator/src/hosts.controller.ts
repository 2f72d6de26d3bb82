import { Controller, Delete, Get, HttpCode, Post, Req } from '@nestjs/common';
import { idSchema } from '@mxs/topology';
import type { HostStateView, Progress, RegionBlocks, VmMemory } from '@mxs/host-agent';
import { onlineRegionBodySchema, plugVmBodySchema, unplugVmBodySchema, waitQuerySchema } from '@mxs/host-agent';
import type { KitRequest } from '@mxs/service-kit';
import { ZodBody, ZodParam, ZodQuery } from '@mxs/service-kit';
import type { z } from 'zod';
import { SimulatorService } from './simulator.service';
import { hostView } from './model/views';

type Wait = z.output<typeof waitQuerySchema>;

/** A request whose client went away: a long-poll for it stops early. */
export const gone = (req: KitRequest) => () => req.socket.destroyed;

/** The host agent of every simulated host, addressed by `/hosts/{hostId}`. */
@Controller('hosts/:hostId')
export class HostsController {
  constructor(private readonly service: SimulatorService) {}

  @Get()
  state(@ZodParam('hostId', idSchema) hostId: string): HostStateView {
    return hostView(this.service.sim, this.service.sim.host(hostId));
  }

  @Post('expansions/:expansionId/accept')
  @HttpCode(204)
  async accept(@ZodParam('hostId', idSchema) hostId: string, @ZodParam('expansionId', idSchema) expansionId: string, @ZodQuery(waitQuerySchema) _q: Wait): Promise<void> {
    await this.service.instant('accept-extents', (sim) => sim.acceptExtents({ hostId, expansionId }));
  }

  @Post('regions/:expansionId/online')
  @HttpCode(200)
  online(
    @ZodParam('hostId', idSchema) hostId: string,
    @ZodParam('expansionId', idSchema) expansionId: string,
    @ZodBody(onlineRegionBodySchema) body: z.output<typeof onlineRegionBodySchema>,
    @ZodQuery(waitQuerySchema) query: Wait,
    @Req() req: KitRequest,
  ): Promise<Progress<RegionBlocks>> {
    const r = { hostId, expansionId, sizeGiB: body.sizeGiB };
    return this.service.step('online-region', query.waitMs, (sim) => sim.onlineRegion(r), (sim) => sim.onlineProgress(r), gone(req));
  }

  @Post('regions/:expansionId/offline')
  @HttpCode(200)
  offline(
    @ZodParam('hostId', idSchema) hostId: string,
    @ZodParam('expansionId', idSchema) expansionId: string,
    @ZodQuery(waitQuerySchema) query: Wait,
    @Req() req: KitRequest,
  ): Promise<Progress<RegionBlocks>> {
    const r = { hostId, expansionId };
    return this.service.step('offline-region', query.waitMs, (sim) => sim.offlineRegion(r), (sim) => sim.offlineProgress(r), gone(req));
  }

  @Delete('regions/:expansionId')
  @HttpCode(204)
  async destroy(@ZodParam('hostId', idSchema) hostId: string, @ZodParam('expansionId', idSchema) expansionId: string, @ZodQuery(waitQuerySchema) _q: Wait): Promise<void> {
    await this.service.instant('destroy-region', (sim) => sim.destroyRegion({ hostId, expansionId }));
  }

  @Post('vms/:vmId/plug')
  @HttpCode(200)
  plug(
    @ZodParam('hostId', idSchema) hostId: string,
    @ZodParam('vmId', idSchema) vmId: string,
    @ZodBody(plugVmBodySchema) body: z.output<typeof plugVmBodySchema>,
    @ZodQuery(waitQuerySchema) query: Wait,
    @Req() req: KitRequest,
  ): Promise<Progress<VmMemory>> {
    const r = { hostId, vmId, ...body };
    return this.service.step('plug-vm-memory', query.waitMs, (sim) => sim.plugVmMemory(r), (sim) => sim.vmProgress(r), gone(req));
  }

  @Post('vms/:vmId/unplug')
  @HttpCode(200)
  unplug(
    @ZodParam('hostId', idSchema) hostId: string,
    @ZodParam('vmId', idSchema) vmId: string,
    @ZodBody(unplugVmBodySchema) body: z.output<typeof unplugVmBodySchema>,
    @ZodQuery(waitQuerySchema) query: Wait,
    @Req() req: KitRequest,
  ): Promise<Progress<VmMemory>> {
    const r = { hostId, vmId, ...body };
    return this.service.step('unplug-vm-memory', query.waitMs, (sim) => sim.unplugVmMemory(r), (sim) => sim.vmProgress(r), gone(req));
  }
}
