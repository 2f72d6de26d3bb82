import type { Allocation, FleetSpec, Host } from '@mxs/topology';
import { Fleet } from '@mxs/topology';
import type { TraceEvent } from './events';
import { HostLedger } from './host-ledger';
import type { ReplayPolicy } from './policies';
import type { Trace, TraceExpansion } from './trace';

/** Why a request of a VM that never got a host counts as rejected. */
export const VM_UNPLACED = 'vm-unplaced';

/** What applying one event did. */
export type EventOutcome =
  | { readonly kind: 'arrive'; readonly placed: boolean }
  | { readonly kind: 'depart' }
  | { readonly kind: 'accepted'; readonly expansion: TraceExpansion; readonly allocation: Allocation }
  | { readonly kind: 'rejected'; readonly expansion: TraceExpansion; readonly code: string }
  /** `allocation` is undefined when the request had been rejected. */
  | { readonly kind: 'released'; readonly expansion: TraceExpansion; readonly allocation: Allocation | undefined; readonly placedAtSec: number };

/**
 * The in-process stand-in for the whole system: a `Fleet` without VMs or allocations, the
 * `HostLedger` for VM placement, and a policy for expansions. Events are applied one at a time
 * in `traceEvents` order; the caller measures what it needs between them.
 */
export class ReplaySimulation {
  readonly fleet: Fleet;
  private readonly ledger: HostLedger;
  // Fleet ids are stricter than trace ids (first character), so the fleet gets its own.
  private readonly fleetVmId = new Map<string, string>();
  private readonly fleetTenantId = new Map<string, string>();
  private readonly live = new Map<string, { readonly allocationId: string; readonly placedAtSec: number }>();
  private allocationSeq = 0;

  constructor(trace: Trace, fleetSpec: FleetSpec, private readonly policy: ReplayPolicy) {
    this.fleet = Fleet.fromSpec({ ...fleetSpec, vms: [], allocations: [] });
    this.ledger = new HostLedger(this.fleet.hosts.map((h) => ({ id: h.id, dramGiB: h.spec.dramGiB, state: h.state })));
    trace.vms.forEach((vm, i) => this.fleetVmId.set(vm.vmId, `v${i}`));
  }

  /** The host a VM of the trace runs on, when it was placed and has not left. */
  hostOf(vmId: string): Host | undefined {
    const id = this.fleetVmId.get(vmId);
    const vm = id === undefined ? undefined : this.fleet.findVm(id);
    return vm?.host;
  }

  /** Expansions placed and not yet released, with when each was placed. */
  *held(): IterableIterator<{ readonly expansion: string; readonly allocation: Allocation; readonly placedAtSec: number }> {
    for (const [expansion, { allocationId, placedAtSec }] of this.live) {
      yield { expansion, allocation: this.fleet.allocation(allocationId), placedAtSec };
    }
  }

  apply(event: TraceEvent): EventOutcome {
    switch (event.kind) {
      case 'arrive': {
        const { vm } = event;
        const id = this.idOf(vm.vmId);
        const hostId = this.ledger.place(id, vm.dramGiB);
        if (hostId !== undefined) this.fleet.addVm({ id, tenantId: this.tenantOf(vm.tenantId), hostId, dramGiB: vm.dramGiB });
        return { kind: 'arrive', placed: hostId !== undefined };
      }
      case 'depart': {
        const id = this.idOf(event.vm.vmId);
        // Its expansions were released just before (releases come first at equal times).
        if (this.fleet.findVm(id) !== undefined) this.fleet.removeVm(id);
        this.ledger.remove(id);
        return { kind: 'depart' };
      }
      case 'request':
        return this.request(event.expansion);
      case 'release': {
        const { expansion } = event;
        const held = this.live.get(expansion.id);
        if (held === undefined) return { kind: 'released', expansion, allocation: undefined, placedAtSec: event.atSec };
        this.live.delete(expansion.id);
        return { kind: 'released', expansion, allocation: this.fleet.release(held.allocationId), placedAtSec: held.placedAtSec };
      }
    }
  }

  private request(expansion: TraceExpansion): EventOutcome {
    const vmId = this.idOf(expansion.vmId);
    if (this.fleet.findVm(vmId) === undefined) return { kind: 'rejected', expansion, code: VM_UNPLACED };
    const decision = this.policy.place(this.fleet, { vmId, sizeGiB: expansion.sizeGiB, tier: expansion.tier });
    if (decision.outcome === 'rejected') return { kind: 'rejected', expansion, code: decision.reason.code };
    const allocationId = `a${++this.allocationSeq}`;
    const allocation = this.fleet.allocate(allocationId, vmId, decision.extents);
    this.live.set(expansion.id, { allocationId, placedAtSec: expansion.atSec });
    return { kind: 'accepted', expansion, allocation };
  }

  private idOf(vmId: string): string {
    const id = this.fleetVmId.get(vmId);
    if (id === undefined) throw new Error(`vm ${vmId} is not in the trace`);
    return id;
  }

  private tenantOf(tenantId: string): string {
    let id = this.fleetTenantId.get(tenantId);
    if (id === undefined) {
      id = `t${this.fleetTenantId.size}`;
      this.fleetTenantId.set(tenantId, id);
    }
    return id;
  }
}
