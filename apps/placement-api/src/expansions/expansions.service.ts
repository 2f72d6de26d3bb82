import { Injectable, Logger } from '@nestjs/common';
import type { ExpansionRequest, ExpansionView, TransitionView } from '@mxs/contracts';
import { FORCE_RELEASABLE_STATES, REMOVABLE_STATES } from '@mxs/contracts';
import type { PlacedDecision, PlacementDecision } from '@mxs/policy';
import { PlacementEngine, PolicyError, explainDecision } from '@mxs/policy';
import type { Fleet } from '@mxs/topology';
import { createHash, randomUUID } from 'node:crypto';
import { PG_ERRORS, isExclusionViolation, isUniqueViolation, pgErrorOf } from '@mxs/persistence';
import { ApiError } from '../errors';
import { FleetView } from '../fleet/fleet-view';
import type { StoredAnswer } from '../fleet/fleet-snapshot';
import { PlacementMetrics } from '../metrics/placement-metrics';
import type { ExpansionFilter } from './expansion-store';
import type { OperationView } from './operation-view';
import { ExpansionStore } from './expansion-store';

/** A refused commit is re-planned on fresh data this many times before the caller gets 409. */
export const MAX_PLACEMENT_ATTEMPTS = 5;

export interface PlacementCall {
  readonly tenantId: string;
  readonly vmId: string;
  readonly request: ExpansionRequest;
  readonly idempotencyKey: string;
  readonly requestId: string | null;
}

export interface Accepted {
  readonly status: 202;
  readonly body: ExpansionView;
  /** True when this is the stored answer to an earlier identical request. */
  readonly replayed: boolean;
}

/**
 * Creates, reads and removes expansions. The HTTP API and the `placement-requests` queue both
 * come here, so automation gets exactly the API's behaviour.
 */
@Injectable()
export class ExpansionsService {
  private readonly log = new Logger(ExpansionsService.name);
  private readonly engine = new PlacementEngine();

  constructor(
    private readonly view: FleetView,
    private readonly store: ExpansionStore,
    private readonly metrics: PlacementMetrics,
  ) {}

  async create(call: PlacementCall): Promise<Accepted> {
    const requestHash = hashRequest(call.vmId, call.request);
    for (let attempt = 1; attempt <= MAX_PLACEMENT_ATTEMPTS; attempt++) {
      const ctx = await this.view.prepare(call.vmId, call.tenantId, call.idempotencyKey);
      const earlier = ctx.hood?.idempotency ?? null;
      if (earlier !== null) return replay(earlier, requestHash, call.idempotencyKey);
      if (ctx.vm === null || ctx.vm.tenantId !== call.tenantId) {
        throw new ApiError('vm-not-found', `VM ${call.vmId} is not registered to your account`);
      }
      const { fleet, hood } = ctx;
      const decision = this.decide(fleet, call, hood.tenant);
      if (decision.outcome === 'rejected') {
        this.metrics.rejected(decision.reason.code);
        const extra = { reason: decision.reason.code, explanation: explainDecision(decision) };
        if (decision.reason.code === 'over-quota') throw new ApiError('over-quota', decision.reason.message, extra);
        throw new ApiError('no-capacity', decision.reason.message, extra);
      }
      const committed = await this.commit(fleet, call, decision, requestHash, hood.layoutVersion ?? 0);
      if (committed !== 'retry') return committed;
      this.metrics.conflict();
      // Refused twice on fresh neighbourhood data: something outside the neighbourhood is
      // stale (a host window, a slot). Rebuild the whole view before the next attempt.
      if (attempt >= 2) this.view.invalidate();
    }
    throw new ApiError('placement-conflict', `the fleet changed under ${MAX_PLACEMENT_ATTEMPTS} placements in a row; retry with the same Idempotency-Key`);
  }

  async get(id: string, tenantId?: string): Promise<ExpansionView & { timeline: TransitionView[] }> {
    const found = await this.store.find(id, tenantId);
    if (found === null) throw new ApiError('expansion-not-found', `expansion ${id} does not exist`);
    return { ...found, timeline: await this.store.timeline(id) };
  }

  /** For operators: the expansion with its owner and every saga run for it, step by step. */
  async adminDetail(id: string): Promise<ExpansionView & { tenantId: string; timeline: TransitionView[]; operations: OperationView[] }> {
    const tenantId = await this.store.tenantOf(id);
    if (tenantId === null) throw new ApiError('expansion-not-found', `expansion ${id} does not exist`);
    const [found, operations] = await Promise.all([this.get(id), this.store.operations(id)]);
    return { ...found, tenantId, operations };
  }

  list(filter: ExpansionFilter): ReturnType<ExpansionStore['list']> {
    return this.store.list(filter);
  }

  /** Starts a hot-remove; a second call while it runs answers the same. */
  async remove(id: string, tenantId: string | undefined, requestId: string | null): Promise<ExpansionView> {
    const detach = await this.store.requestDetach(id, tenantId, randomUUID(), requestId, REMOVABLE_STATES);
    if (detach === null) throw new ApiError('expansion-not-found', `expansion ${id} does not exist`);
    const { before, view } = detach;
    if (before !== 'detaching' && !REMOVABLE_STATES.includes(before)) {
      throw new ApiError('expansion-not-removable', `expansion ${id} is ${before}; only ${REMOVABLE_STATES.join(', ')} expansions can be removed`, { state: before });
    }
    return view;
  }

  /**
   * An operator takes the memory back at once, without the guest's part (the VM loses it): for a
   * guest that will not give it back. A second call while that removal runs answers the same.
   */
  async forceRelease(id: string, requestId: string | null): Promise<ExpansionView> {
    const detach = await this.store.requestDetach(id, undefined, randomUUID(), requestId, FORCE_RELEASABLE_STATES, true);
    if (detach === null) throw new ApiError('expansion-not-found', `expansion ${id} does not exist`);
    const { before, view } = detach;
    if (before === 'detaching' && !(await this.store.forcedRemovalRunning(id))) {
      throw new ApiError('expansion-not-removable', `expansion ${id} is already being removed; if that removal gives up, the expansion returns to active and can be forced then`, { state: before });
    }
    if (before !== 'detaching' && !FORCE_RELEASABLE_STATES.includes(before)) {
      throw new ApiError('expansion-not-removable', `expansion ${id} is ${before}; only ${FORCE_RELEASABLE_STATES.join(', ')} expansions can be force-released`, { state: before });
    }
    return view;
  }

  private decide(fleet: Fleet, call: PlacementCall, tenant: { quotaGiB: number; usedGiB: number } | null): PlacementDecision {
    try {
      return this.engine.place(fleet, {
        vmId: call.vmId,
        sizeGiB: call.request.sizeGiB,
        tier: call.request.tier,
        layout: call.request.layout ?? 'pack',
        ...(call.request.maxAddedLatencyNs === undefined ? {} : { maxAddedLatencyNs: call.request.maxAddedLatencyNs }),
        ...(call.request.interleaveWays === undefined ? {} : { interleaveWays: call.request.interleaveWays }),
        ...(tenant === null ? {} : { tenantQuotaGiB: tenant.quotaGiB, tenantUsedGiB: tenant.usedGiB }),
      });
    } catch (error) {
      // The engine checks more than the schema does (a size that splits into the interleave
      // ways, a latency bound above 0): its verdict on the request is the client's 400, not a 500.
      if (error instanceof PolicyError && error.code === 'invalid-request') {
        throw new ApiError('validation-failed', error.message, { errors: [{ path: 'body', message: error.message }] });
      }
      throw error;
    }
  }

  private async commit(fleet: Fleet, call: PlacementCall, decision: PlacedDecision, requestHash: string, layoutVersion: number): Promise<Accepted | 'retry'> {
    const id = randomUUID();
    const extents = decision.extents.map((e) => ({ deviceId: e.deviceId, offsetGiB: e.offsetGiB, sizeGiB: e.sizeGiB }));
    const vm = fleet.vm(call.vmId);
    try {
      this.view.reserve(fleet, id, call.vmId, extents);
    } catch (error) {
      // The engine and the model disagree only when the view is stale: reload and re-plan.
      this.log.warn(`decision for VM ${call.vmId} refused by the fleet model: ${(error as Error).message}`);
      this.view.invalidate();
      return 'retry';
    }
    const now = new Date().toISOString();
    const tiers = new Set(decision.extents.map((e) => fleet.device(e.deviceId).tier));
    const body: ExpansionView = {
      id,
      vmId: call.vmId,
      hostId: vm.host.id,
      sizeGiB: call.request.sizeGiB,
      tier: call.request.tier,
      placedTier: tiers.has('pooled') ? 'pooled' : 'direct',
      layout: call.request.layout ?? 'pack',
      interleaveWays: call.request.layout === 'interleave' ? (call.request.interleaveWays ?? 2) : null,
      maxAddedLatencyNs: call.request.maxAddedLatencyNs ?? null,
      state: 'placed',
      reason: null,
      extents,
      createdAt: now,
      updatedAt: now,
    };
    let committed = false;
    try {
      const outcome = await this.store.commitPlaced({
        view: body,
        tenantId: call.tenantId,
        operationId: randomUUID(),
        requestId: call.requestId,
        idempotencyKey: call.idempotencyKey,
        requestHash,
        decision: explainDecision(decision),
        layoutVersion,
      });
      if (outcome === 'over-quota') {
        this.metrics.rejected('over-quota');
        throw new ApiError('over-quota', `${call.request.sizeGiB} GiB more would pass your quota`);
      }
      if (outcome === 'host-window') return 'retry';
      if (outcome === 'stale') {
        // Another fleet was loaded, or the VM was unregistered or moved, since the view read it.
        this.view.invalidate();
        return 'retry';
      }
      committed = true;
    } catch (error) {
      if (isExclusionViolation(error)) return 'retry';
      // Two commits inserting overlapping extents at once can each wait on the other's index
      // entry; PostgreSQL aborts one as a deadlock. That is the same conflict: re-plan.
      if (pgErrorOf(error)?.code === PG_ERRORS.deadlockDetected) return 'retry';
      // A concurrent request with the same key won: the next attempt reads its answer.
      if (isUniqueViolation(error)) return 'retry';
      throw error;
    } finally {
      this.view.settle(fleet, id, committed);
    }
    this.metrics.placed(body.placedTier ?? 'direct', body.sizeGiB);
    return { status: 202, body, replayed: false };
  }
}

function replay(earlier: StoredAnswer, requestHash: string, key: string): Accepted {
  if (earlier.requestHash !== requestHash) {
    throw new ApiError('idempotency-key-reused', `Idempotency-Key "${key}" was used for a different request`);
  }
  return { status: 202, body: earlier.body as ExpansionView, replayed: true };
}

/** The request as the idempotency check sees it: defaults filled in, keys in a fixed order. */
export function hashRequest(vmId: string, r: ExpansionRequest): string {
  const canonical = [vmId, r.sizeGiB, r.tier, r.layout ?? 'pack', r.interleaveWays ?? null, r.maxAddedLatencyNs ?? null];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

