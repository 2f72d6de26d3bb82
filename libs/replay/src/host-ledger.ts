/** A host as the VM allocator sees it: its DRAM and whether it takes new VMs. */
export interface LedgerHost {
  readonly id: string;
  readonly dramGiB: number;
  readonly state: string;
}

/** Share of a host's DRAM that VMs may take; the rest is the hypervisor's. */
export const VM_DRAM_SHARE = 0.9;

/**
 * Where arriving VMs run: the compute allocator a replay stands in for. Best fit on DRAM (the
 * healthy host with the least room that still fits, lowest index on a tie), the way cloud
 * allocators pack to keep whole hosts free. The same trace on the same hosts always lands the
 * same way, whatever the CXL arrangement behind them, so arrangements compare fairly.
 */
export class HostLedger {
  private readonly free: number[];
  private readonly hostOfVm = new Map<string, { index: number; dramGiB: number }>();

  constructor(private readonly hosts: readonly LedgerHost[]) {
    this.free = hosts.map((h) => (h.state === 'healthy' ? Math.floor(h.dramGiB * VM_DRAM_SHARE) : 0));
  }

  /** The host the VM now runs on, or `undefined` when none has the DRAM. */
  place(vmId: string, dramGiB: number): string | undefined {
    if (this.hostOfVm.has(vmId)) throw new Error(`vm ${vmId} is already placed`);
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const room = this.free[i] as number;
      if (room >= dramGiB && (best < 0 || room < (this.free[best] as number))) best = i;
    }
    if (best < 0) return undefined;
    this.free[best] = (this.free[best] as number) - dramGiB;
    this.hostOfVm.set(vmId, { index: best, dramGiB });
    return (this.hosts[best] as LedgerHost).id;
  }

  hostOf(vmId: string): string | undefined {
    const at = this.hostOfVm.get(vmId);
    return at === undefined ? undefined : (this.hosts[at.index] as LedgerHost).id;
  }

  /** The VM left: its DRAM is free again. Unknown VMs (never placed) are ignored. */
  remove(vmId: string): void {
    const at = this.hostOfVm.get(vmId);
    if (at === undefined) return;
    this.free[at.index] = (this.free[at.index] as number) + at.dramGiB;
    this.hostOfVm.delete(vmId);
  }
}
