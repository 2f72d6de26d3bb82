import { Injectable, Logger } from '@nestjs/common';
import type { Allocation, ExtentRequest, Host, Vm } from '@mxs/topology';
import { Fleet, TopologyError } from '@mxs/topology';
import type { HostNeighbourhood, LiveExtentRow, VmRow } from './fleet-snapshot';
import { groupAllocations } from './fleet-snapshot';
import { currentLayoutSpec } from '@mxs/persistence';
import { ApiError } from '../errors';
import { FleetReader } from './fleet-reader';

/** How long an allocation seen released is remembered, so a read that began earlier cannot bring it back. */
const TOMBSTONE_MS = 30_000;

export interface PlacementContext {
  readonly fleet: Fleet;
  readonly vm: Vm;
  readonly hood: HostNeighbourhood;
}

/**
 * This replica's copy of the fleet, for the placement engine. PostgreSQL is the truth: before
 * each decision the view reads the neighbourhood of the VM's host in one query (the states
 * there, and the allocations placed or released on its devices since the view last read each
 * of them), so the engine decides on current data, and the database's constraints refuse what
 * another replica took meanwhile.
 *
 * Each device carries the snapshot it was last read at. Reads may finish out of order; applying
 * an older one after a newer is safe because an allocation only ever goes from live to gone:
 * one seen gone is remembered (a tombstone) and never adopted again, and a device's snapshot
 * moves only to that of a read begun later than the one that last moved it.
 */
@Injectable()
export class FleetView {
  private readonly log = new Logger(FleetView.name);
  private fleet: Fleet | null = null;
  private layoutVersion: number | null = null;
  private loading: Promise<void> | null = null;
  /** Allocation ids per device, so the allocations in the way of an adopted one are found at once. */
  private readonly byDevice = new Map<string, Set<string>>();
  /** Per device: the snapshot it was last read at, and the read (by local number) that read it. */
  private readonly since = new Map<string, { snapshot: string; read: number }>();
  /** The snapshot of the full load: what a device never read since is current to. */
  private loadedAt = '';
  private reads = 0;
  /** Allocations seen released, with when: ids are never reused, so gone is gone for good. */
  private readonly tombstones = new Map<string, number>();

  constructor(private readonly reader: FleetReader) {}

  /** The whole fleet, loaded if needed (admin views, metrics). */
  async current(): Promise<Fleet | null> {
    if (this.fleet === null) await this.reload();
    return this.fleet;
  }

  /** Forget everything; the next call reloads (after a fleet load or an unexplained conflict). */
  invalidate(): void {
    this.fleet = null;
    this.layoutVersion = null;
  }

  /**
   * Brings the VM's neighbourhood up to date and returns what the engine needs, or `vm: null`
   * when no such VM is registered.
   */
  async prepare(vmId: string, tenantId: string, idempotencyKey: string | null): Promise<PlacementContext | { vm: null; hood: HostNeighbourhood | null }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const fleet = await this.current();
      if (fleet === null) return { vm: null, hood: null };
      const known = fleet.findVm(vmId);
      const vmRow = known === undefined ? await this.reader.vm(vmId) : vmRowOf(known);
      if (vmRow === null) return { vm: null, hood: null };
      const host = findHost(fleet, vmRow.hostId);
      if (host === undefined) {
        this.invalidate();
        continue;
      }
      const read = ++this.reads;
      const deviceIds = host.paths.map((p) => p.device.id);
      const hood = await this.reader.neighbourhood({
        vmId,
        hostId: host.id,
        deviceIds,
        since: deviceIds.map((id) => this.since.get(id)?.snapshot ?? this.loadedAt),
        switchIds: [...new Set(host.paths.flatMap((p) => (p.viaSwitch === undefined ? [] : [p.viaSwitch.id])))],
        tenantId,
        idempotencyKey,
      });
      if (hood.layoutVersion !== this.layoutVersion || this.fleet !== fleet) {
        this.invalidate();
        continue;
      }
      if (hood.vm === null) {
        this.dropVm(fleet, vmId);
        return { vm: null, hood };
      }
      const vm = this.ensureVm(fleet, hood.vm);
      if (vm === null) continue;
      // Re-registered on another host since the view knew it: read that host's neighbourhood.
      if (vm.host.id !== host.id) continue;
      // Owners registered after this view loaded (placed through another replica) must be known
      // before their allocations can be adopted; otherwise the view never sees that space taken.
      if (!hood.owners.every((owner) => this.ensureVm(fleet, owner) !== null)) continue;
      this.applyStates(fleet, host, hood);
      // A device moves on to this read's snapshot only when all it said was taken in.
      if (this.applyAllocations(fleet, hood)) this.advance(deviceIds, hood.snapshot, read);
      return { fleet, vm, hood };
    }
    throw new ApiError('placement-conflict', `the fleet changed while VM ${vmId}'s placement was prepared; retry with the same Idempotency-Key`);
  }

  /** Records a decision in memory before its commit, so concurrent decisions here see it. */
  reserve(fleet: Fleet, id: string, vmId: string, extents: readonly ExtentRequest[]): Allocation {
    const allocation = fleet.allocate(id, vmId, extents);
    this.index(allocation, +1);
    return allocation;
  }

  /**
   * The commit's outcome: kept when it committed (the feed reports it later, as held already),
   * given back when it did not. A commit whose outcome was lost (it committed, then the answer
   * did not arrive) is given back here while the database holds it; the feed may have passed
   * it already, so the view would see that space free. The database refuses what overlaps it,
   * and two refusals in a row reload the whole view (ExpansionsService.create).
   */
  settle(fleet: Fleet, id: string, committed: boolean): void {
    if (!committed && fleet.hasAllocation(id)) this.index(fleet.release(id), -1);
  }

  private async reload(): Promise<void> {
    this.loading ??= this.load().finally(() => {
      this.loading = null;
    });
    await this.loading;
  }

  private async load(): Promise<void> {
    const state = await this.reader.everything();
    this.byDevice.clear();
    this.since.clear();
    this.tombstones.clear();
    this.loadedAt = state.snapshot;
    if (state.layout === null) {
      this.fleet = null;
      this.layoutVersion = null;
      return;
    }
    const spec = currentLayoutSpec(state);
    if (spec === null) return;
    const fleet = Fleet.fromSpec(spec);
    for (const owner of state.owners) this.ensureVm(fleet, owner);
    for (const [id, a] of groupAllocations(state.extents)) this.adopt(fleet, id, a.vmId, a.extents);
    this.fleet = fleet;
    this.layoutVersion = state.layout.version;
    this.log.log(`fleet "${fleet.name}" v${state.layout.version} loaded: ${fleet.hosts.length} hosts, ${fleet.devices.length} devices, ${state.extents.length} live extents`);
  }

  private applyStates(fleet: Fleet, host: Host, hood: HostNeighbourhood): void {
    if (hood.hostState !== null && host.state !== hood.hostState) fleet.setHostState(host.id, hood.hostState);
    for (const d of hood.devices) if (fleet.device(d.id).health !== d.health) fleet.setDeviceHealth(d.id, d.health);
    for (const s of hood.switches) if (fleet.switch(s.id).state !== s.state) fleet.setSwitchState(s.id, s.state);
  }

  /** Takes in what the read saw placed and released; false when an allocation could not be taken in. */
  private applyAllocations(fleet: Fleet, hood: HostNeighbourhood): boolean {
    const now = Date.now();
    for (const id of hood.gone) {
      // Moved to the end, so the map stays in time order for pruning.
      this.tombstones.delete(id);
      this.tombstones.set(id, now);
      if (fleet.hasAllocation(id)) this.index(fleet.release(id), -1);
    }
    this.pruneTombstones(now);
    let complete = true;
    for (const [id, a] of groupAllocations(hood.extents)) {
      if (fleet.hasAllocation(id) || this.tombstones.has(id)) continue;
      complete = this.adopt(fleet, id, a.vmId, a.extents) && complete;
    }
    return complete;
  }

  private advance(deviceIds: readonly string[], snapshot: string, read: number): void {
    for (const id of deviceIds) {
      const last = this.since.get(id);
      if (last === undefined || last.read < read) this.since.set(id, { snapshot, read });
    }
  }

  /**
   * Takes in an allocation the database holds; one the model refuses is logged, not fatal, and
   * reported (false) so the devices it is on are read from the same snapshot again.
   */
  private adopt(fleet: Fleet, id: string, vmId: string, extents: readonly LiveExtentRow[]): boolean {
    try {
      this.index(fleet.allocate(id, vmId, extents), +1);
      return true;
    } catch (error) {
      if (!(error instanceof TopologyError)) throw error;
      if (error.code !== 'extent-not-free' || this.dropOverlapping(fleet, extents) === 0) {
        this.log.warn(`allocation ${id} of VM ${vmId} could not be applied to the view: ${error.message}`);
        return false;
      }
    }
    return this.adopt(fleet, id, vmId, extents);
  }

  /**
   * PostgreSQL holds the allocation being adopted live and refuses live overlaps, so whatever
   * the view has in its way is not live there: released since (on a device outside the
   * neighbourhoods this replica has refreshed) or a local commit bound to fail. Kept, it would
   * hide the live one and every decision near it would be refused until 409.
   */
  private dropOverlapping(fleet: Fleet, extents: readonly LiveExtentRow[]): number {
    let dropped = 0;
    for (const e of extents) {
      for (const otherId of [...(this.byDevice.get(e.deviceId) ?? [])]) {
        if (!fleet.hasAllocation(otherId)) continue;
        const overlaps = fleet
          .allocation(otherId)
          .extents.some((x) => x.device.id === e.deviceId && x.offsetGiB < e.offsetGiB + e.sizeGiB && e.offsetGiB < x.offsetGiB + x.sizeGiB);
        if (!overlaps) continue;
        this.index(fleet.release(otherId), -1);
        dropped++;
      }
    }
    return dropped;
  }

  private ensureVm(fleet: Fleet, row: VmRow): Vm | null {
    const vm = fleet.findVm(row.id);
    if (vm !== undefined && vm.host.id === row.hostId && vm.tenantId === row.tenantId && vm.dramGiB === row.dramGiB) return vm;
    if (vm !== undefined && !this.dropVm(fleet, row.id)) return null;
    return fleet.addVm({ id: row.id, tenantId: row.tenantId, hostId: row.hostId, dramGiB: row.dramGiB });
  }

  /** Drops a VM the database no longer has (or has anew); a stale view reloads instead. */
  private dropVm(fleet: Fleet, vmId: string): boolean {
    const vm = fleet.findVm(vmId);
    if (vm === undefined) return true;
    if (vm.allocationCount > 0) {
      this.invalidate();
      return false;
    }
    fleet.removeVm(vmId);
    return true;
  }

  private index(allocation: Allocation, sign: 1 | -1): void {
    for (const e of allocation.extents) {
      const ids = this.byDevice.get(e.device.id) ?? new Set<string>();
      if (sign > 0) ids.add(allocation.id);
      else ids.delete(allocation.id);
      this.byDevice.set(e.device.id, ids);
    }
  }

  private pruneTombstones(now: number): void {
    const horizon = now - TOMBSTONE_MS;
    for (const [id, atMs] of this.tombstones) {
      if (atMs >= horizon) break; // insertion order is time order
      this.tombstones.delete(id);
    }
  }
}

function findHost(fleet: Fleet, id: string): Host | undefined {
  try {
    return fleet.host(id);
  } catch (error) {
    if (error instanceof TopologyError) return undefined;
    throw error;
  }
}

function vmRowOf(vm: Vm): VmRow {
  return { id: vm.id, tenantId: vm.tenantId, hostId: vm.host.id, dramGiB: vm.dramGiB };
}
