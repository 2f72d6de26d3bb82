import { Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import type { Fault, FleetSummary, SimEventView, VmStateView } from '@mxs/host-agent';
import { eventsQuerySchema, faultSchema, fleetPresetBodySchema } from '@mxs/host-agent';
import { ZodBody, ZodParam, ZodQuery, fieldErrors, validationProblem } from '@mxs/service-kit';
import type { FleetSpec } from '@mxs/topology';
import { generateFleetSpec, idSchema, parseFleetSpec } from '@mxs/topology';
import { z } from 'zod';
import { refuse } from './model/context';
import { injectFault } from './model/faults';
import type { SimState } from './model/snapshot';
import { saveState } from './model/snapshot';
import { vmView } from './model/views';
import { SimulatorService } from './simulator.service';

const anyObject = z.record(z.string(), z.unknown());

function summary(spec: FleetSpec): FleetSummary {
  return { name: spec.name, hosts: spec.hosts.length, devices: spec.devices.length, switches: spec.switches.length };
}

/** Control: fleet, faults, the event log, whole state. For tests and operators, never for the worker. */
@Controller('sim')
export class SimController {
  constructor(private readonly service: SimulatorService) {}

  /** A whole `mxs-fleet/1` spec, or `{ preset, seed }`: replaces every host's and device's state. */
  @Put('fleet')
  loadFleet(@ZodBody(anyObject) body: Record<string, unknown>): FleetSummary {
    let spec: FleetSpec;
    if ('preset' in body) {
      const parsed = fleetPresetBodySchema.safeParse(body);
      if (!parsed.success) throw validationProblem(fieldErrors('body', parsed.error.issues));
      spec = generateFleetSpec(parsed.data);
    } else {
      spec = parseFleetSpec(body);
    }
    this.service.loadFleet(spec);
    return summary(spec);
  }

  @Get('fleet')
  fleet(): FleetSpec {
    return this.service.sim.fleet ?? refuse('not-found', 'no fleet loaded: PUT /sim/fleet');
  }

  @Post('faults')
  @HttpCode(200)
  fault(@ZodBody(faultSchema) fault: Fault): { seq: number } {
    const seq = injectFault(this.service.sim, fault);
    this.service.countFault(fault.kind);
    return { seq };
  }

  @Get('events')
  events(@ZodQuery(eventsQuerySchema) query: z.output<typeof eventsQuerySchema>): { events: SimEventView[]; lastSeq: number } {
    const sim = this.service.sim;
    // Steps end lazily; bring the busy ones up to now so their end events are in the log.
    sim.advanceAll();
    return { events: sim.ctx.log.list(query) as SimEventView[], lastSeq: sim.ctx.log.lastSeq };
  }

  @Get('vms/:hostId/:vmId')
  vm(@ZodParam('hostId', idSchema) hostId: string, @ZodParam('vmId', idSchema) vmId: string): VmStateView {
    const sim = this.service.sim;
    return vmView(sim, sim.host(hostId), vmId) ?? refuse('not-found', `no VM ${vmId} on ${hostId} (VMs appear on their first plug)`);
  }

  @Get('state')
  state(): SimState {
    return saveState(this.service.sim);
  }

  @Put('state')
  putState(@ZodBody(anyObject) body: Record<string, unknown>): { loaded: true } {
    const parsed = z.looseObject({ format: z.literal('mxs-sim-state/1') }).safeParse(body);
    if (!parsed.success) throw validationProblem(fieldErrors('body', parsed.error.issues));
    this.service.replaceState(body);
    return { loaded: true };
  }

  @Post('state/save')
  @HttpCode(200)
  async save(): Promise<{ file: string }> {
    return { file: await this.service.saveStateFile() };
  }

  @Post('state/load')
  @HttpCode(200)
  async load(): Promise<{ file: string }> {
    return { file: await this.service.loadStateFile() };
  }
}
