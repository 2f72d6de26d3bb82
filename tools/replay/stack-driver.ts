import type { TraceEvent, TraceExpansion, TraceVm } from '@mxs/replay';
import { HostLedger, VM_UNPLACED } from '@mxs/replay';
import type { Reply } from '@mxs/test-kit';
import type { FleetSpec } from '@mxs/topology';
import type { StackClient } from './stack-client';
import { problemReason, sleep, slugOf } from './stack-client';
import { ReplayStackError } from './stack-error';

/** What the driver needs of a stack: tenants with keys. */
export interface TenantSource {
  tenantKey(tenantId: string): Promise<string>;
}

/** An expansion the API accepted, as the replay follows it. */
export interface AcceptedExpansion {
  readonly traceId: string;
  readonly apiId: string;
  readonly vmId: string;
  /** Its tenant's API key. */
  readonly key: string;
  lastState: string;
}

export interface DriverTally {
  requests: number;
  accepted: number;
  rejected: number;
  readonly rejectionsByReason: Record<string, number>;
  readonly vms: { arrived: number; placed: number; unplaced: number };
}

/** Hot-add still under way: a release waits for it to end (the trace released an expansion it had). */
const ADDING = new Set(['requested', 'placed', 'attaching']);
const HELD = new Set(['active', 'degraded']);
const TERMINAL = new Set(['released', 'failed', 'rejected']);
/** A placement-conflict 409 says "retry with the same key"; after this many it counts as a rejection. */
const CONFLICT_RETRIES = 3;

/**
 * Applies trace events to the stack through its HTTP APIs. Events of one VM run in trace order
 * on that VM's chain (its arrival before its requests, a release after its request was answered,
 * its departure after its expansions are released); different VMs' chains run side by side.
 */
export class TraceDriver {
  private readonly ledger: HostLedger;
  private readonly chains = new Map<string, Promise<void>>();
  private readonly unplaced = new Set<string>();
  private readonly byTraceId = new Map<string, AcceptedExpansion>();
  private readonly byVm = new Map<string, AcceptedExpansion[]>();
  private readonly tenantOf: ReadonlyMap<string, string>;
  readonly accepted: AcceptedExpansion[] = [];
  readonly failures: string[] = [];
  readonly tally: DriverTally = { requests: 0, accepted: 0, rejected: 0, rejectionsByReason: {}, vms: { arrived: 0, placed: 0, unplaced: 0 } };
  pending = 0;
  done = 0;
  private wakeDispatcher: (() => void) | null = null;

  constructor(
    fleet: FleetSpec,
    vms: readonly TraceVm[],
    private readonly client: StackClient,
    private readonly tenants: TenantSource,
    /** Makes this run's Idempotency-Keys its own, so a second replay on one stack is not answered from the first. */
    private readonly runKey: string,
    private readonly waitTimeoutMs: number,
  ) {
    this.ledger = new HostLedger(fleet.hosts);
    this.tenantOf = new Map(vms.map((vm) => [vm.vmId, vm.tenantId]));
  }

  /** Starts the event: placement of a VM on a host happens now (in trace order); its HTTP calls follow on the VM's chain. */
  apply(event: TraceEvent): void {
    switch (event.kind) {
      case 'arrive': {
        this.tally.vms.arrived++;
        const hostId = this.ledger.place(event.vm.vmId, event.vm.dramGiB);
        if (hostId === undefined) {
          this.tally.vms.unplaced++;
          this.unplaced.add(event.vm.vmId);
          this.done++;
          return;
        }
        this.tally.vms.placed++;
        this.chain(event.vm.vmId, () => this.register(event.vm, hostId));
        return;
      }
      case 'request':
        this.tally.requests++;
        if (this.unplaced.has(event.expansion.vmId)) {
          this.reject(VM_UNPLACED);
          this.done++;
          return;
        }
        this.chain(event.expansion.vmId, () => this.request(event.expansion));
        return;
      case 'release':
        this.chain(event.expansion.vmId, () => this.release(event.expansion.id));
        return;
      case 'depart':
        this.ledger.remove(event.vm.vmId);
        if (this.unplaced.delete(event.vm.vmId)) {
          this.done++;
          return;
        }
        this.chain(event.vm.vmId, () => this.unregister(event.vm));
        return;
    }
  }

  /** Resolves once fewer than `limit` events are under way. */
  async below(limit: number): Promise<void> {
    while (this.pending >= limit) await new Promise<void>((resolve) => (this.wakeDispatcher = resolve));
  }

  /** Every chain run to its end. */
  async settled(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  private chain(vmId: string, op: () => Promise<void>): void {
    this.pending++;
    const next = (this.chains.get(vmId) ?? Promise.resolve())
      .then(() => (this.failures.length > 0 ? undefined : op()))
      .catch((error: unknown) => {
        this.failures.push(`VM ${vmId}: ${(error as Error).message}`);
      })
      .finally(() => {
        this.pending--;
        this.done++;
        if (this.chains.get(vmId) === next) this.chains.delete(vmId);
        const wake = this.wakeDispatcher;
        this.wakeDispatcher = null;
        wake?.();
      });
    this.chains.set(vmId, next);
  }

  private async register(vm: TraceVm, hostId: string): Promise<void> {
    await this.tenants.tenantKey(vm.tenantId);
    const reply = await this.client.admin('POST', '/admin/v1/vms', { id: vm.vmId, tenantId: vm.tenantId, hostId, dramGiB: vm.dramGiB, name: `replay ${vm.vmId}` });
    if (reply.status !== 201 && reply.status !== 200) throw unexpected(`POST /admin/v1/vms ${vm.vmId}`, reply);
  }

  private async request(x: TraceExpansion): Promise<void> {
    const key = await this.tenantKeyOfVm(x.vmId);
    for (let attempt = 0; ; attempt++) {
      const reply = await this.client.call('POST', `/v1/vms/${encodeURIComponent(x.vmId)}/expansions`, {
        key,
        body: { sizeGiB: x.sizeGiB, tier: x.tier },
        headers: { 'idempotency-key': `${this.runKey}:${x.id}` },
      });
      if (reply.status === 202) {
        const body = reply.body as { id: string; state: string };
        const accepted: AcceptedExpansion = { traceId: x.id, apiId: body.id, vmId: x.vmId, key, lastState: body.state };
        this.accepted.push(accepted);
        this.byTraceId.set(x.id, accepted);
        this.byVm.set(x.vmId, [...(this.byVm.get(x.vmId) ?? []), accepted]);
        this.tally.accepted++;
        return;
      }
      if (reply.status === 409 && slugOf(reply) === 'placement-conflict' && attempt < CONFLICT_RETRIES) {
        await sleep(20 * 2 ** attempt);
        continue;
      }
      if (reply.status === 422 || reply.status === 409 || reply.status === 403) {
        this.reject(problemReason(reply));
        return;
      }
      throw unexpected(`POST /v1/vms/${x.vmId}/expansions`, reply);
    }
  }

  /** Waits for its hot-add to end, then removes it if the VM holds it. */
  private async release(traceId: string): Promise<void> {
    const a = this.byTraceId.get(traceId);
    if (a !== undefined) await this.remove(a);
  }

  private async remove(a: AcceptedExpansion): Promise<void> {
    const deadline = Date.now() + this.waitTimeoutMs;
    for (let pause = 10; ; pause = Math.min(500, pause * 2)) {
      const state = ADDING.has(a.lastState) || HELD.has(a.lastState) ? await this.state(a) : a.lastState;
      if (HELD.has(state)) {
        const reply = await this.client.call('DELETE', `/v1/expansions/${a.apiId}`, { key: a.key });
        if (reply.status === 202) {
          a.lastState = (reply.body as { state: string }).state;
          return;
        }
        // It moved on (failed, or a removal had started) between our look and the DELETE: look again.
        if (!(reply.status === 409 && slugOf(reply) === 'expansion-not-removable')) throw unexpected(`DELETE /v1/expansions/${a.apiId}`, reply);
      } else if (!ADDING.has(state)) {
        return; // detaching, released or failed: nothing of it to give back
      }
      if (Date.now() > deadline) throw new ReplayStackError('replay-unsettled', `expansion ${a.apiId} (trace ${a.traceId}) stayed ${state} for ${this.waitTimeoutMs} ms; its release could not be sent`);
      await sleep(pause);
    }
  }

  /** Unregisters the VM once its expansions are released; one that went back to active (a hot-remove gave up) is removed again. */
  private async unregister(vm: TraceVm): Promise<void> {
    const deadline = Date.now() + this.waitTimeoutMs;
    for (let pause = 10; ; pause = Math.min(500, pause * 2)) {
      const reply = await this.client.admin('DELETE', `/admin/v1/vms/${encodeURIComponent(vm.vmId)}`);
      if (reply.status === 204 || reply.status === 404) return;
      if (!(reply.status === 409 && slugOf(reply) === 'vm-has-expansions')) throw unexpected(`DELETE /admin/v1/vms/${vm.vmId}`, reply);
      for (const a of this.byVm.get(vm.vmId) ?? []) {
        if (TERMINAL.has(a.lastState)) continue;
        const state = await this.state(a);
        if (HELD.has(state) || ADDING.has(state)) await this.remove(a);
      }
      if (Date.now() > deadline) {
        const states = (this.byVm.get(vm.vmId) ?? []).map((a) => `${a.apiId} ${a.lastState}`).join(', ');
        throw new ReplayStackError('replay-unsettled', `VM ${vm.vmId} still had live expansions after ${this.waitTimeoutMs} ms (${states}); it could not be unregistered`);
      }
      await sleep(pause);
    }
  }

  private async state(a: AcceptedExpansion): Promise<string> {
    const reply = await this.client.call('GET', `/v1/expansions/${a.apiId}`, { key: a.key });
    if (reply.status !== 200) throw unexpected(`GET /v1/expansions/${a.apiId}`, reply);
    a.lastState = (reply.body as { state: string }).state;
    return a.lastState;
  }

  private async tenantKeyOfVm(vmId: string): Promise<string> {
    const tenantId = this.tenantOf.get(vmId);
    if (tenantId === undefined) throw new ReplayStackError('replay-failed', `VM ${vmId} asked for memory before it arrived`);
    return this.tenants.tenantKey(tenantId);
  }

  private reject(reason: string): void {
    this.tally.rejected++;
    this.tally.rejectionsByReason[reason] = (this.tally.rejectionsByReason[reason] ?? 0) + 1;
  }
}

function unexpected(what: string, reply: Reply): ReplayStackError {
  return new ReplayStackError('unexpected-answer', `${what} answered ${reply.status}: ${JSON.stringify(reply.body).slice(0, 500)}`);
}
