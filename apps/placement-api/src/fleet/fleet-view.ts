import { Injectable, Logger } from '@nestjs/common';
import type { Allocation, ExtentRequest, Host, Vm } from '@mxs/topology';
import { Fleet, TopologyError } from '@mxs/topology';
import type { HostNeighbourhood, LiveExtentRow, VmRow } from './fleet-snapshot';
import { groupAllocations } from './fleet-snapshot';
import { currentLayoutSpec } from '@mxs/persistence';
import { ApiError } from '../errors';
import { FleetReader } from './fleet-reader';

/** How long a locally committed allocation is trusted over a read that may predate it. */
const COMMIT_TRUST_MS = 30_000;

export interface PlacementContext {
  readonly fleet: Fleet;
  readonly vm: Vm;
  readonly hood: HostNeighbourhood;
}

/**
 * This replica's copy of the fleet, for the placement engine. PostgreSQL is the truth: before
 * each decision the view re-reads the neighbourhood of the VM's host (its devices' live
 * allocations and states) in one query, so the engine decides on current data, and the
 * database's constraints refuse what another replica took meanwhile.
 */
@Injectable()
export class FleetView {
  private readonly log = new Logger(FleetView.name);
  private fleet: Fleet | null = null;
  private layoutVersion: number | null = null;
  private loading: Promise<void> | null = null;
  /** Allocation ids per device, so a neighbourhood's in-memory allocations are found at once. */
  private readonly byDevice = new Map<string, Set<string>>();
  /** Allocations placed here whose commit is still running: a read must not undo them. */
  private readonly inFlight = new Set<string>();
  /** Allocations committed here recently, with the local sequence number of the commit. */
  private readonly recentCommits = new Map<string, { seq: number; atMs: number }>();
  private seq = 0;

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
      const startSeq = this.seq;
      const knownIds = this.heldAround(host);
      const hood = await this.reader.neighbourhood({
        vmId,
        hostId: host.id,
        deviceIds: host.paths.map((p) => p.device.id),
        switchIds: [...new Set(host.paths.flatMap((p) => (p.viaSwitch === undefined ? [] : [p.viaSwitch.id])))],
        tenantId,
        idempotencyKey,
        knownIds,
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
      this.applyAllocations(fleet, hood, startSeq);
      return { fleet, vm, hood };
    }
    throw new ApiError('placement-conflict', `the fleet changed while VM ${vmId}'s placement was prepared; retry with the same Idempotency-Key`);
  }

  /** Records a decision in memory before its commit, so concurrent decisions here see it. */
  reserve(fleet: Fleet, id: string, vmId: string, extents: readonly ExtentRequest[]): Allocation {
    const allocation = fleet.allocate(id, vmId, extents);
    this.index(allocation, +1);
    this.inFlight.add(id);
    return allocation;
  }

  /** The commit's outcome: kept when it committed, given back when it did not. */
  settle(fleet: Fleet, id: string, committed: boolean): void {
    this.inFlight.delete(id);
    if (!fleet.hasAllocation(id)) return;
    if (committed) {
      this.recentCommits.set(id, { seq: ++this.seq, atMs: Date.now() });
      this.pruneCommits();
    } else {
      this.index(fleet.release(id), -1);
    }
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
    this.inFlight.clear();
    this.recentCommits.clear();
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

  /**
   * The allocations the view holds on the devices `host` reaches. One spread over two of them
   * (interleaved) is listed twice, which the read does not mind: cheaper than a set of them all.
   */
  private heldAround(host: Host): string[] {
    const held: string[] = [];
    for (const path of host.paths) for (const id of this.byDevice.get(path.device.id) ?? []) held.push(id);
    return held;
  }

  private applyAllocations(fleet: Fleet, hood: HostNeighbourhood, startSeq: number): void {
    for (const id of hood.gone) {
      if (this.inFlight.has(id) || !fleet.hasAllocation(id)) continue;
      const commit = this.recentCommits.get(id);
      if (commit !== undefined && commit.seq > startSeq) continue; // committed after this read began
      this.index(fleet.release(id), -1);
    }
    for (const [id, a] of groupAllocations(hood.extents)) if (!fleet.hasAllocation(id)) this.adopt(fleet, id, a.vmId, a.extents);
  }

  /** Takes in an allocation the database holds; one the model refuses is logged, not fatal. */
  private adopt(fleet: Fleet, id: string, vmId: string, extents: readonly LiveExtentRow[]): void {
    try {
      this.index(fleet.allocate(id, vmId, extents), +1);
      return;
    } catch (error) {
      if (!(error instanceof TopologyError)) throw error;
      if (error.code !== 'extent-not-free' || this.dropOverlapping(fleet, extents) === 0) {
        this.log.warn(`allocation ${id} of VM ${vmId} could not be applied to the view: ${error.message}`);
        return;
      }
    }
    this.adopt(fleet, id, vmId, extents);
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
    if (sign < 0) this.recentCommits.delete(allocation.id);
  }

  private pruneCommits(): void {
    const horizon = Date.now() - COMMIT_TRUST_MS;
    for (const [id, commit] of this.recentCommits) {
      if (commit.atMs >= horizon) break; // insertion order is commit order
      this.recentCommits.delete(id);
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
