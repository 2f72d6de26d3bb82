import type { FleetSpec } from '@mxs/topology';
import { z } from 'zod';
import type { DeviceHealthInfo, DeviceStateView, HostStateView } from './host-agent';
import type { HttpClientOptions } from './json-http';
import { JsonHttp } from './json-http';
import type { EventsQuery, Fault, FleetPresetBody, FleetSummary, SimEventView } from './simulator-wire';
import { eventPageSchema, faultResultSchema, fleetSummarySchema, healthSchema } from './simulator-wire';
import type { SwitchStateView } from './host-agent';
import type { VmStateView } from './wire';
import { deviceHealthSchema, deviceStateSchema, hostStateSchema, switchStateSchema, vmStateSchema } from './wire';

const seg = encodeURIComponent;
const anyJson = z.unknown();
const fleetSpecJson = z.custom<FleetSpec>((value) => typeof value === 'object' && value !== null);

/** Everything about the simulator that is not the HostAgent interface: for tests and operators. */
export class SimulatorControl {
  private readonly http: JsonHttp;

  constructor(options: HttpClientOptions) {
    this.http = new JsonHttp(options);
  }

  /** Replaces the whole simulated fleet (and every host's and device's state) with this one. */
  loadFleet(fleet: FleetSpec | FleetPresetBody): Promise<FleetSummary> {
    return this.http.call('PUT', '/sim/fleet', fleet, fleetSummarySchema);
  }

  fleet(): Promise<FleetSpec> {
    return this.http.call('GET', '/sim/fleet', undefined, fleetSpecJson);
  }

  /** Injects one fault; resolves the sequence number of the event that records it. */
  async injectFault(fault: Fault): Promise<number> {
    return (await this.http.call('POST', '/sim/faults', fault, faultResultSchema)).seq;
  }

  /** The host as the agent reports it, plus the simulator's extras (blocks, armed faults). */
  host(hostId: string): Promise<HostStateView & Record<string, unknown>> {
    return this.http.call('GET', `/hosts/${seg(hostId)}`, undefined, hostStateSchema);
  }

  device(deviceId: string): Promise<DeviceStateView & Record<string, unknown>> {
    return this.http.call('GET', `/fabric/devices/${seg(deviceId)}`, undefined, deviceStateSchema);
  }

  deviceHealth(deviceId: string): Promise<DeviceHealthInfo> {
    return this.http.call('GET', `/fabric/devices/${seg(deviceId)}/health`, undefined, deviceHealthSchema);
  }

  switchState(switchId: string): Promise<SwitchStateView> {
    return this.http.call('GET', `/fabric/switches/${seg(switchId)}`, undefined, switchStateSchema);
  }

  vm(hostId: string, vmId: string): Promise<VmStateView> {
    return this.http.call('GET', `/sim/vms/${seg(hostId)}/${seg(vmId)}`, undefined, vmStateSchema);
  }

  /** The event log, oldest first, filtered; `lastSeq` is the newest sequence number overall. */
  async events(query: EventsQuery = {}): Promise<{ events: SimEventView[]; lastSeq: number }> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
    const search = params.size > 0 ? `?${params.toString()}` : '';
    return this.http.call('GET', `/sim/events${search}`, undefined, eventPageSchema);
  }

  /** The whole state as JSON (opaque: feed it back to `putState`). */
  state(): Promise<unknown> {
    return this.http.call('GET', '/sim/state', undefined, anyJson);
  }

  async putState(state: unknown): Promise<void> {
    await this.http.call('PUT', '/sim/state', state, anyJson);
  }

  /** Writes the state to the simulator's MXS_SIM_STATE_FILE. */
  async saveState(): Promise<void> {
    await this.http.call('POST', '/sim/state/save', undefined, anyJson);
  }

  /** Replaces the state with the one in MXS_SIM_STATE_FILE. */
  async loadState(): Promise<void> {
    await this.http.call('POST', '/sim/state/load', undefined, anyJson);
  }

  health(): Promise<{ status: string }> {
    return this.http.call('GET', '/health', undefined, healthSchema);
  }

  close(): void {
    this.http.close();
  }
}
