import type {
  CallOptions,
  DeviceHealthInfo,
  DeviceStateView,
  ExpansionOnHost,
  ExtentRef,
  HostAgent,
  HostStateView,
  Progress,
  RegionBlocks,
  SwitchStateView,
  VmMemory,
} from './host-agent';
import type { HttpClientOptions } from './json-http';
import { JsonHttp } from './json-http';
import { deviceHealthSchema, deviceStateSchema, hostStateSchema, progressSchema, regionProgressSchema, switchStateSchema, vmProgressSchema } from './wire';

const seg = encodeURIComponent;

/**
 * The HostAgent over HTTP: host agents at `/hosts/{hostId}/…`, fabric managers at
 * `/fabric/devices/{deviceId}/…`, as the simulator (and a real agent's gateway) serves them.
 */
export class HttpHostAgent implements HostAgent {
  private readonly http: JsonHttp;

  constructor(options: HttpClientOptions) {
    this.http = new JsonHttp(options);
  }

  /** One call per device holding extents (usually one); each is idempotent on its own. */
  async offerExtents(req: ExpansionOnHost & { readonly extents: readonly ExtentRef[] }, opts?: CallOptions): Promise<void> {
    const byDevice = new Map<string, { offsetGiB: number; sizeGiB: number }[]>();
    for (const { deviceId, offsetGiB, sizeGiB } of req.extents) {
      const list = byDevice.get(deviceId);
      if (list === undefined) byDevice.set(deviceId, [{ offsetGiB, sizeGiB }]);
      else list.push({ offsetGiB, sizeGiB });
    }
    for (const [deviceId, extents] of byDevice) {
      await this.http.call('POST', `/fabric/devices/${seg(deviceId)}/extents`, { expansionId: req.expansionId, hostId: req.hostId, extents }, undefined, opts);
    }
  }

  releaseExtents(req: ExpansionOnHost & { readonly force?: boolean }, opts?: CallOptions): Promise<Progress> {
    const body = { hostId: req.hostId, force: req.force ?? false };
    return this.http.call('POST', `/fabric/expansions/${seg(req.expansionId)}/release`, body, progressSchema, opts) as Promise<Progress>;
  }

  acceptExtents(req: ExpansionOnHost, opts?: CallOptions): Promise<void> {
    return this.http.call('POST', `/hosts/${seg(req.hostId)}/expansions/${seg(req.expansionId)}/accept`, undefined, undefined, opts);
  }

  onlineRegion(req: ExpansionOnHost & { readonly sizeGiB: number }, opts?: CallOptions): Promise<Progress<RegionBlocks>> {
    const path = `/hosts/${seg(req.hostId)}/regions/${seg(req.expansionId)}/online`;
    return this.http.call('POST', path, { sizeGiB: req.sizeGiB }, regionProgressSchema, opts) as Promise<Progress<RegionBlocks>>;
  }

  offlineRegion(req: ExpansionOnHost, opts?: CallOptions): Promise<Progress<RegionBlocks>> {
    const path = `/hosts/${seg(req.hostId)}/regions/${seg(req.expansionId)}/offline`;
    return this.http.call('POST', path, undefined, regionProgressSchema, opts) as Promise<Progress<RegionBlocks>>;
  }

  destroyRegion(req: ExpansionOnHost, opts?: CallOptions): Promise<void> {
    return this.http.call('DELETE', `/hosts/${seg(req.hostId)}/regions/${seg(req.expansionId)}`, undefined, undefined, opts);
  }

  plugVmMemory(req: ExpansionOnHost & { readonly vmId: string; readonly sizeGiB: number }, opts?: CallOptions): Promise<Progress<VmMemory>> {
    const path = `/hosts/${seg(req.hostId)}/vms/${seg(req.vmId)}/plug`;
    return this.http.call('POST', path, { expansionId: req.expansionId, sizeGiB: req.sizeGiB }, vmProgressSchema, opts) as Promise<Progress<VmMemory>>;
  }

  unplugVmMemory(req: ExpansionOnHost & { readonly vmId: string }, opts?: CallOptions): Promise<Progress<VmMemory>> {
    const path = `/hosts/${seg(req.hostId)}/vms/${seg(req.vmId)}/unplug`;
    return this.http.call('POST', path, { expansionId: req.expansionId }, vmProgressSchema, opts) as Promise<Progress<VmMemory>>;
  }

  hostState(hostId: string, opts?: CallOptions): Promise<HostStateView> {
    return this.http.call('GET', `/hosts/${seg(hostId)}`, undefined, hostStateSchema, { signal: opts?.signal });
  }

  deviceState(deviceId: string, opts?: CallOptions): Promise<DeviceStateView> {
    return this.http.call('GET', `/fabric/devices/${seg(deviceId)}`, undefined, deviceStateSchema, { signal: opts?.signal });
  }

  deviceHealth(deviceId: string, opts?: CallOptions): Promise<DeviceHealthInfo> {
    return this.http.call('GET', `/fabric/devices/${seg(deviceId)}/health`, undefined, deviceHealthSchema, { signal: opts?.signal });
  }

  switchState(switchId: string, opts?: CallOptions): Promise<SwitchStateView> {
    return this.http.call('GET', `/fabric/switches/${seg(switchId)}`, undefined, switchStateSchema, { signal: opts?.signal });
  }

  /** Closes idle connections. */
  close(): void {
    this.http.close();
  }
}
