import type { RegionBlocks, VmMemory } from '@mxs/host-agent';
import type { FleetSpec } from '@mxs/topology';
import type { Clock } from './clock';
import type { SimContext, Stepped } from './context';
import { refuse } from './context';
import { advanceDevice, assertDeviceUp, assertReachable, checkOffer, extentsOf, releaseProgress, startRelease } from './devices';
import { EventLog } from './event-log';
import type { SimOptions } from './options';
import { SimRandom } from './random';
import { advanceRegion, regionProgress, startOffline, startOnline } from './regions';
import type { Device, Host, Region, Switch, Vm } from './state';
import { advanceShare, shareProgress, startPlug, startUnplug } from './vms';

export interface ExpansionEntry {
  readonly hostId: string;
  /** Devices still holding any of its extents, in any state. */
  readonly deviceIds: Set<string>;
}

export interface ExpansionRequest {
  readonly hostId: string;
  readonly expansionId: string;
}

/**
 * Every simulated host agent and fabric manager in one object, driven by calls and an injected
 * clock. Steps advance lazily: each call brings the objects it touches up to the clock's now,
 * so a call costs O(extents and regions of its host or device), never O(fleet).
 */
export class Simulator {
  readonly ctx: SimContext;
  readonly hosts = new Map<string, Host>();
  readonly devices = new Map<string, Device>();
  readonly switches = new Map<string, Switch>();
  readonly expansions = new Map<string, ExpansionEntry>();
  fleet: FleetSpec | undefined;

  constructor(options: SimOptions, clock: Clock, log?: EventLog) {
    this.ctx = { clock, options, log: log ?? new EventLog(options.eventLogLimit), busyHosts: new Set(), busyDevices: new Set() };
  }

  get now(): number {
    return this.ctx.clock.nowMs();
  }

  /** Replaces everything with a fresh fleet: hosts up, devices empty, links as the spec says. */
  loadFleet(spec: FleetSpec, options: { recordEvent?: boolean } = {}): void {
    const seed = this.ctx.options.seed;
    this.hosts.clear();
    this.devices.clear();
    this.switches.clear();
    this.expansions.clear();
    this.ctx.busyHosts.clear();
    this.ctx.busyDevices.clear();
    for (const h of spec.hosts) {
      this.hosts.set(h.id, {
        id: h.id,
        memoryBlockSizeMiB: h.memoryBlockSizeMiB,
        cfmwsWindowGiB: h.cfmwsWindowGiB,
        dramGiB: h.dramGiB,
        switchIds: h.switchIds,
        up: h.state !== 'failed',
        regions: new Map(),
        vms: new Map(),
        expansionIds: new Set(),
        armed: { ebusy: 0, enomem: 0, unplugStopShort: 0 },
        random: SimRandom.forObject(seed, h.id),
      });
    }
    for (const d of spec.devices) {
      this.devices.set(d.id, {
        id: d.id,
        attachment: d.attachment,
        capacityGiB: d.capacityGiB,
        extentBlockGiB: d.extentBlockGiB,
        maxLogicalDevices: d.maxLogicalDevices,
        failed: d.health === 'failed',
        extents: [],
        releases: new Map(),
        telemetry: { lifeUsedPct: 0, temperatureC: 40, correctedVolatileErrors: 0, correctedPersistentErrors: 0, poison: [], records: [] },
        random: SimRandom.forObject(seed, d.id),
      });
    }
    for (const s of spec.switches) this.switches.set(s.id, { id: s.id, up: s.state === 'up', linkDownHostIds: new Set() });
    this.fleet = spec;
    if (options.recordEvent === false) return;
    this.ctx.log.append(this.now, 'fleet-loaded', {}, { name: spec.name, hosts: spec.hosts.length, devices: spec.devices.length, switches: spec.switches.length });
  }

  // ---- lookups that bring an object up to now ----

  host(hostId: string): Host {
    const host = this.hosts.get(hostId) ?? refuse('not-found', `no host ${hostId}${this.fleet === undefined ? ' (no fleet loaded)' : ''}`);
    if (this.ctx.busyHosts.has(host)) this.advanceHost(host);
    return host;
  }

  /** The host, refusing with `host-down` while it is crashed. */
  upHost(hostId: string): Host {
    const host = this.host(hostId);
    if (!host.up) refuse('host-down', `${hostId} is down`);
    return host;
  }

  device(deviceId: string): Device {
    const device = this.devices.get(deviceId) ?? refuse('not-found', `no device ${deviceId}`);
    if (this.ctx.busyDevices.has(device)) this.advanceDevice(device);
    return device;
  }

  switchOf(switchId: string): Switch {
    return this.switches.get(switchId) ?? refuse('not-found', `no switch ${switchId}`);
  }

  /** Brings every object with a step in flight up to now (before reading the whole event log). */
  advanceAll(): void {
    for (const host of [...this.ctx.busyHosts]) this.advanceHost(host);
    for (const device of [...this.ctx.busyDevices]) this.advanceDevice(device);
  }

  private advanceHost(host: Host): void {
    const now = this.now;
    let running = false;
    for (const region of host.regions.values()) if (advanceRegion(this.ctx, host, region, now)) running = true;
    for (const vm of host.vms.values()) for (const share of vm.shares.values()) if (advanceShare(this.ctx, host, vm, share, now)) running = true;
    if (!running) this.ctx.busyHosts.delete(host);
  }

  private advanceDevice(device: Device): void {
    const running = advanceDevice(this.ctx, device, this.now, (expansionId) => {
      const entry = this.expansions.get(expansionId);
      if (entry === undefined) return;
      entry.deviceIds.delete(device.id);
      if (entry.deviceIds.size > 0) return;
      this.expansions.delete(expansionId);
      this.hosts.get(entry.hostId)?.expansionIds.delete(expansionId);
    });
    if (!running) this.ctx.busyDevices.delete(device);
  }

  /** The expansion's devices, each checked up and reachable from the host. */
  private reachableDevicesOf(host: Host, entry: ExpansionEntry): Device[] {
    return [...entry.deviceIds].map((id) => {
      const device = this.device(id);
      assertDeviceUp(device);
      assertReachable(host, device, this.switches);
      return device;
    });
  }

  private entryOn(host: Host, expansionId: string): ExpansionEntry {
    const entry = this.expansions.get(expansionId);
    if (entry === undefined || entry.hostId !== host.id) refuse('not-found', `no extents of ${expansionId} were offered to ${host.id}`);
    return entry;
  }

  // ---- fabric manager ----

  /** Offers one device's extents of an expansion to a host; answers how long the fabric call takes (ms). */
  offerExtents(deviceId: string, req: ExpansionRequest & { readonly extents: readonly { offsetGiB: number; sizeGiB: number }[] }): number {
    const device = this.device(deviceId);
    const host = this.host(req.hostId);
    assertDeviceUp(device);
    const entry = this.expansions.get(req.expansionId);
    if (entry !== undefined && entry.hostId !== req.hostId) refuse('conflict', `${req.expansionId} already has extents offered to ${entry.hostId}`);
    const existing = extentsOf(device, req.expansionId);
    if (existing.length > 0) {
      const key = (list: readonly { offsetGiB: number; sizeGiB: number }[]) => list.map((e) => `${e.offsetGiB}+${e.sizeGiB}`).sort().join(',');
      if (key(existing) !== key(req.extents)) refuse('conflict', `${req.expansionId} already holds other extents on ${deviceId}`);
      if (existing.some((e) => e.state === 'releasing' || e.state === 'sanitizing')) refuse('conflict', `${req.expansionId}'s extents on ${deviceId} are being released`);
      return 0;
    }
    assertReachable(host, device, this.switches);
    checkOffer(device, req.hostId, req.extents);
    for (const { offsetGiB, sizeGiB } of req.extents) {
      device.extents.push({ offsetGiB, sizeGiB, hostId: req.hostId, expansionId: req.expansionId, state: 'offered' });
    }
    if (entry === undefined) this.expansions.set(req.expansionId, { hostId: req.hostId, deviceIds: new Set([deviceId]) });
    else entry.deviceIds.add(deviceId);
    host.expansionIds.add(req.expansionId);
    const sizeGiB = req.extents.reduce((sum, e) => sum + e.sizeGiB, 0);
    this.ctx.log.append(this.now, 'extents-offered', { hostId: req.hostId, deviceId, expansionId: req.expansionId }, { sizeGiB, extents: req.extents });
    return device.random.durationMs(this.ctx.options.durations.offerPerCall, 1, this.ctx.options.timeScale);
  }

  /** Releases the expansion's extents on one device (or every device when `deviceId` is absent). */
  releaseExtents(req: ExpansionRequest & { readonly force: boolean; readonly deviceId?: string }): Stepped<object> {
    const entry = this.expansions.get(req.expansionId);
    if (entry === undefined) return { progress: { done: true }, etaMs: 0 };
    if (entry.hostId !== req.hostId) refuse('conflict', `${req.expansionId}'s extents belong to ${entry.hostId}, not ${req.hostId}`);
    const deviceIds = req.deviceId === undefined ? [...entry.deviceIds] : entry.deviceIds.has(req.deviceId) ? [req.deviceId] : [];
    const devices = deviceIds.map((id) => this.device(id));
    const toStart = devices.filter((d) => !d.releases.has(req.expansionId) && extentsOf(d, req.expansionId).length > 0);
    const host = this.hosts.get(req.hostId);
    if (toStart.length > 0 && host !== undefined) {
      // Checks for every device first, so a refused release changes nothing.
      if (!req.force && host.regions.has(req.expansionId)) {
        refuse('conflict', `${req.hostId} still has a region over ${req.expansionId}: destroy it first, or force`);
      }
      if (!req.force) for (const d of toStart) assertDeviceUp(d);
      if (req.force) this.loseExpansion(host, req.expansionId);
    }
    for (const d of toStart) startRelease(this.ctx, d, req.hostId, req.expansionId, req.force, this.now);
    for (const d of toStart) this.advanceDevice(d);
    return this.releaseProgress(req);
  }

  releaseProgress(req: ExpansionRequest & { readonly deviceId?: string }): Stepped<object> {
    const entry = this.expansions.get(req.expansionId);
    if (entry === undefined || entry.hostId !== req.hostId) return { progress: { done: true }, etaMs: 0 };
    const ids = req.deviceId === undefined ? [...entry.deviceIds] : entry.deviceIds.has(req.deviceId) ? [req.deviceId] : [];
    let pending: Stepped<object> | undefined;
    for (const id of ids) {
      const device = this.device(id);
      const stepped = device.releases.has(req.expansionId)
        ? releaseProgress(device, req.expansionId, this.now)
        : extentsOf(device, req.expansionId).length > 0
          ? { progress: { done: false as const, detail: `${id}'s extents are not being released` }, etaMs: Infinity }
          : undefined;
      if (stepped !== undefined && !stepped.progress.done && (pending === undefined || stepped.etaMs > pending.etaMs)) pending = stepped;
    }
    return pending ?? { progress: { done: true }, etaMs: 0 };
  }

  /** A forced release: the region goes at once and the VM loses the share, whatever their state. */
  loseExpansion(host: Host, expansionId: string): void {
    const region = host.regions.get(expansionId);
    let vmId: string | undefined;
    let lostGiB = 0;
    for (const vm of host.vms.values()) {
      const share = vm.shares.get(expansionId);
      if (share === undefined) continue;
      vmId = vm.vmId;
      lostGiB = share.sizeGiB;
      vm.shares.delete(expansionId);
    }
    host.regions.delete(expansionId);
    if (region === undefined && vmId === undefined) return;
    this.ctx.log.append(this.now, 'expansion-lost', { hostId: host.id, expansionId }, {
      regionState: region?.state ?? null,
      vmId: vmId ?? null,
      lostGiB,
    });
  }

  // ---- host agent ----

  acceptExtents(req: ExpansionRequest): number {
    const host = this.upHost(req.hostId);
    const entry = this.entryOn(host, req.expansionId);
    const devices = this.reachableDevicesOf(host, entry);
    const mine = devices.flatMap((d) => extentsOf(d, req.expansionId));
    if (mine.some((e) => e.state === 'releasing' || e.state === 'sanitizing')) refuse('conflict', `${req.expansionId}'s extents are being released`);
    if (mine.every((e) => e.state === 'accepted')) return 0;
    for (const e of mine) e.state = 'accepted';
    const sizeGiB = mine.reduce((sum, e) => sum + e.sizeGiB, 0);
    this.ctx.log.append(this.now, 'extents-accepted', req, { sizeGiB, deviceIds: devices.map((d) => d.id) });
    return host.random.durationMs(this.ctx.options.durations.acceptPerCall, 1, this.ctx.options.timeScale);
  }

  onlineRegion(req: ExpansionRequest & { readonly sizeGiB: number }): Stepped<RegionBlocks> {
    const host = this.upHost(req.hostId);
    let region = host.regions.get(req.expansionId);
    if (region === undefined) {
      const devices = this.reachableDevicesOf(host, this.entryOn(host, req.expansionId));
      const mine = devices.flatMap((d) => extentsOf(d, req.expansionId));
      const notAccepted = mine.filter((e) => e.state !== 'accepted');
      if (notAccepted.length > 0) refuse('conflict', `${notAccepted.length} extent(s) of ${req.expansionId} are ${notAccepted[0]?.state}, not accepted`);
      const acceptedGiB = mine.reduce((sum, e) => sum + e.sizeGiB, 0);
      if (acceptedGiB !== req.sizeGiB) refuse('conflict', `${req.expansionId} has ${acceptedGiB} GiB accepted on ${host.id}, not ${req.sizeGiB}`);
      region = startOnline(this.ctx, host, req.expansionId, req.sizeGiB, this.now);
    }
    return this.onlineProgressOf(host, region, req.sizeGiB);
  }

  onlineProgress(req: ExpansionRequest & { readonly sizeGiB: number }): Stepped<RegionBlocks> {
    const host = this.upHost(req.hostId);
    return this.onlineProgressOf(host, host.regions.get(req.expansionId) ?? refuse('not-found', `no region ${req.expansionId} on ${host.id}`), req.sizeGiB);
  }

  private onlineProgressOf(host: Host, region: Region, sizeGiB: number): Stepped<RegionBlocks> {
    if (region.sizeGiB !== sizeGiB) refuse('conflict', `region ${region.expansionId} on ${host.id} is ${region.sizeGiB} GiB, not ${sizeGiB}`);
    if (region.failed === 'enomem') refuse('enomem', `no free memory on ${host.id} for the memory map of ${region.sizeGiB} GiB`);
    if (region.state === 'offlining' || region.state === 'offline') refuse('conflict', `region ${region.expansionId} on ${host.id} is ${region.state}`);
    return regionProgress(region, this.now);
  }

  offlineRegion(req: ExpansionRequest): Stepped<RegionBlocks> {
    const host = this.upHost(req.hostId);
    const region = host.regions.get(req.expansionId);
    if (region?.state === 'onlining') refuse('busy', `region ${req.expansionId} on ${host.id} is still onlining`);
    if (region?.state === 'online') {
      for (const vm of host.vms.values()) {
        if (vm.shares.has(req.expansionId)) refuse('conflict', `${vm.vmId} still has ${req.expansionId} plugged: unplug it first`);
      }
      startOffline(this.ctx, host, region, this.now);
    }
    return regionProgress(region, this.now);
  }

  offlineProgress(req: ExpansionRequest): Stepped<RegionBlocks> {
    return regionProgress(this.upHost(req.hostId).regions.get(req.expansionId), this.now);
  }

  destroyRegion(req: ExpansionRequest): number {
    const host = this.upHost(req.hostId);
    const region = host.regions.get(req.expansionId);
    if (region === undefined) return 0;
    if (region.state !== 'offline') refuse('conflict', `region ${req.expansionId} on ${host.id} is ${region.state}: offline it first`);
    host.regions.delete(req.expansionId);
    this.ctx.log.append(this.now, 'region-destroyed', req, { sizeGiB: region.sizeGiB });
    return host.random.durationMs(this.ctx.options.durations.destroyPerCall, 1, this.ctx.options.timeScale);
  }

  // ---- guest (virtio-mem) ----

  plugVmMemory(req: ExpansionRequest & { readonly vmId: string; readonly sizeGiB: number }): Stepped<VmMemory> {
    const host = this.upHost(req.hostId);
    let vm = host.vms.get(req.vmId);
    const share = vm?.shares.get(req.expansionId);
    if (share !== undefined) {
      if (share.direction === 'unplug') refuse('conflict', `${req.expansionId} is being unplugged from ${req.vmId}`);
      if (share.sizeGiB !== req.sizeGiB) refuse('conflict', `${req.expansionId} is plugged into ${req.vmId} with ${share.sizeGiB} GiB, not ${req.sizeGiB}`);
      return shareProgress(host, vm, share, this.now);
    }
    for (const other of host.vms.values()) {
      if (other.shares.has(req.expansionId)) refuse('conflict', `${req.expansionId} is plugged into ${other.vmId}`);
    }
    const region = host.regions.get(req.expansionId);
    if (region === undefined || region.state !== 'online') refuse('conflict', `region ${req.expansionId} on ${host.id} is ${region?.state ?? 'missing'}, not online`);
    if (region.sizeGiB !== req.sizeGiB) refuse('conflict', `region ${req.expansionId} is ${region.sizeGiB} GiB, not ${req.sizeGiB}`);
    if (vm === undefined) {
      // VMs come into being on their first plug: the simulator need not know the fleet's VMs.
      vm = { vmId: req.vmId, shares: new Map() } satisfies Vm;
      host.vms.set(req.vmId, vm);
    }
    const created = startPlug(this.ctx, host, vm, req.expansionId, req.sizeGiB, region.totalBlocks, this.now);
    return shareProgress(host, vm, vm.shares.get(req.expansionId) ?? created, this.now);
  }

  unplugVmMemory(req: ExpansionRequest & { readonly vmId: string }): Stepped<VmMemory> {
    const host = this.upHost(req.hostId);
    const vm = host.vms.get(req.vmId);
    const share = vm?.shares.get(req.expansionId);
    if (vm !== undefined && share !== undefined && (share.direction === 'plug' || share.stoppedShort)) {
      startUnplug(this.ctx, host, vm, share, this.now);
    }
    return shareProgress(host, vm, vm?.shares.get(req.expansionId), this.now);
  }

  vmProgress(req: ExpansionRequest & { readonly vmId: string }): Stepped<VmMemory> {
    const host = this.upHost(req.hostId);
    const vm = host.vms.get(req.vmId);
    return shareProgress(host, vm, vm?.shares.get(req.expansionId), this.now);
  }
}
