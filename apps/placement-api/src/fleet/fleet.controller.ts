import { Controller, Get, Patch, Put } from '@nestjs/common';
import { EXPANSION_STATES, idSchema } from '@mxs/contracts';
import { AdminAuth, ApiZodResponse, storedText, ZodBody, ZodParam } from '@mxs/service-kit';
import { DEVICE_HEALTH, FLEET_FORMAT, FLEET_PRESETS, HOST_STATES, SWITCH_STATES } from '@mxs/topology';
import type { DeviceHealth, FleetPresetName, HostState, SwitchState } from '@mxs/topology';
import { z } from 'zod';
import { FleetAdminService } from './fleet-admin.service';
import type { FleetSummary } from './fleet-admin.service';
import { FleetReport } from './fleet-report';
import type { DeviceDetail, FleetDescription } from './fleet-report';

const presetNames = Object.keys(FLEET_PRESETS) as [FleetPresetName, ...FleetPresetName[]];
const presetBody = z.strictObject({ preset: z.enum(presetNames), seed: z.int().min(0).max(2 ** 31 - 1).optional() });
const documentBody = z
  .looseObject({ format: z.literal(FLEET_FORMAT) })
  .describe('An mxs-fleet/1 document (libs/topology/README.md), hardware only: vms and allocations empty');
const loadFleetBody = z.union([presetBody, documentBody]).meta({ id: 'FleetLoad' });

const fleetSummarySchema = z
  .object({ name: z.string(), version: z.int(), hosts: z.int(), switches: z.int(), devices: z.int(), capacityGiB: z.int() })
  .meta({ id: 'FleetSummary' });
const deviceSchema = z
  .object({
    id: z.string(),
    rackId: z.string(),
    tier: z.enum(['direct', 'pooled']),
    attachment: z.object({ kind: z.enum(['direct', 'switch', 'multi-headed']) }).loose(),
    capacityGiB: z.int(),
    usedGiB: z.int(),
    freeGiB: z.int(),
    strandedGiB: z.int().describe('Free GiB no host with room to grow can reach; 0 on a device that takes no new memory'),
    largestFreeRunGiB: z.int(),
    fragmentation: z.number().describe('1 − largest free run / free space'),
    liveExtents: z.int(),
    health: z.enum(DEVICE_HEALTH),
    healthReason: z.string().nullable(),
    baseLatencyNs: z.int(),
    extentBlockGiB: z.int(),
  })
  .meta({ id: 'Device' });
const deviceDetailSchema = deviceSchema
  .extend({
    hostIds: z.array(z.string()).describe('Hosts with a path to the device'),
    telemetry: z.record(z.string(), z.unknown()).nullable().describe("The device's last health info as the worker polled it"),
    telemetryAt: z.iso.datetime().nullable(),
    extents: z.array(
      z.object({ offsetGiB: z.int(), sizeGiB: z.int(), expansionId: z.uuid(), tenantId: z.string(), tenantName: z.string(), vmId: z.string(), state: z.enum(EXPANSION_STATES) }),
    ),
  })
  .meta({ id: 'DeviceDetail' });
const fleetSchema = z
  .object({
    name: z.string(),
    version: z.int(),
    loadedAt: z.iso.datetime(),
    totals: z.object({ capacityGiB: z.int(), usedGiB: z.int(), freeGiB: z.int(), utilization: z.number(), strandedGiB: z.int(), fragmentation: z.number() }),
    racks: z.array(z.object({ id: z.string(), regionId: z.string() })),
    hosts: z.array(z.object({ id: z.string(), rackId: z.string(), state: z.enum(HOST_STATES), dramGiB: z.int(), cfmwsWindowGiB: z.int(), mappedGiB: z.int(), switchIds: z.array(z.string()) })),
    switches: z.array(z.object({ id: z.string(), rackId: z.string(), state: z.enum(SWITCH_STATES) })),
    devices: z.array(deviceSchema),
  })
  .meta({ id: 'Fleet' });

const deviceHealthBody = z
  .strictObject({ health: z.enum(DEVICE_HEALTH), reason: storedText(500).optional() })
  .meta({ id: 'DeviceHealthChange', description: '`draining` takes no new extents; `healthy` puts a device back' });
const hostStateBody = z.strictObject({ state: z.enum(HOST_STATES) }).meta({ id: 'HostStateChange' });
const switchStateBody = z.strictObject({ state: z.enum(SWITCH_STATES) }).meta({ id: 'SwitchStateChange' });
const deviceHealthSchema = z.object({ id: z.string(), health: z.enum(DEVICE_HEALTH), healthReason: z.string().nullable() }).meta({ id: 'DeviceHealth' });
const hostStateSchema = z.object({ id: z.string(), state: z.enum(HOST_STATES) }).meta({ id: 'HostState' });
const switchStateSchema = z.object({ id: z.string(), state: z.enum(SWITCH_STATES) }).meta({ id: 'SwitchState' });

/** The fleet, for operators: load it, look at it, drain and restore its parts. */
@Controller('admin/v1/fleet')
@AdminAuth()
export class FleetController {
  constructor(
    private readonly fleet: FleetAdminService,
    private readonly report: FleetReport,
  ) {}

  @Put()
  @ApiZodResponse(200, fleetSummarySchema, 'Loaded')
  load(@ZodBody(loadFleetBody) body: z.output<typeof loadFleetBody>): Promise<FleetSummary> {
    const preset = presetBody.safeParse(body);
    if (!preset.success) return this.fleet.load({ spec: body });
    return this.fleet.load({ preset: preset.data.preset, ...(preset.data.seed === undefined ? {} : { seed: preset.data.seed }) });
  }

  @Get()
  @ApiZodResponse(200, fleetSchema)
  describe(): Promise<FleetDescription> {
    return this.report.describe();
  }

  @Get('devices/:id')
  @ApiZodResponse(200, deviceDetailSchema)
  device(@ZodParam('id', idSchema) id: string): Promise<DeviceDetail> {
    return this.report.device(id);
  }

  @Patch('devices/:id')
  @ApiZodResponse(200, deviceHealthSchema)
  patchDevice(@ZodParam('id', idSchema) id: string, @ZodBody(deviceHealthBody) body: { health: DeviceHealth; reason?: string | undefined }): Promise<unknown> {
    return this.fleet.setDeviceHealth(id, body.health, body.reason ?? null);
  }

  @Patch('hosts/:id')
  @ApiZodResponse(200, hostStateSchema)
  patchHost(@ZodParam('id', idSchema) id: string, @ZodBody(hostStateBody) body: { state: HostState }): Promise<unknown> {
    return this.fleet.setHostState(id, body.state);
  }

  @Patch('switches/:id')
  @ApiZodResponse(200, switchStateSchema)
  patchSwitch(@ZodParam('id', idSchema) id: string, @ZodBody(switchStateBody) body: { state: SwitchState }): Promise<unknown> {
    return this.fleet.setSwitchState(id, body.state);
  }
}
