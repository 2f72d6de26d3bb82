import { Injectable } from '@nestjs/common';
import type { ExpansionState, ExpansionView, ExtentView, HotplugJob, TransitionView } from '@mxs/contracts';
import { QUEUES } from '@mxs/contracts';
import { isCheckViolation } from '@mxs/persistence';
import { DataSource } from 'typeorm';
import type { CommittedRow, Queued } from '@mxs/messaging';
import { Batcher, OutboxRelay, preparedStatement, relayAfterSql, runPrepared } from '@mxs/messaging';
import { COMMIT_BATCH } from './commit-batcher';
import type { OperationRow, OperationView } from './operation-view';
import { operationView } from './operation-view';

/** Placements committed in one statement at most; more wait for the next. */
const MAX_BATCH = 32;

export interface NewExpansion {
  readonly view: ExpansionView;
  readonly tenantId: string;
  readonly operationId: string;
  readonly requestId: string | null;
  readonly idempotencyKey: string;
  readonly requestHash: string;
  /** One line on the decision, kept on the `placed` transition. */
  readonly decision: readonly string[];
  /** The fleet layout the decision was made on; another one loaded since refuses the commit. */
  readonly layoutVersion: number;
}

export type ReserveOutcome = 'committed' | 'over-quota' | 'host-window' | 'stale';

/** An extent as the API shows it (`json_build_object` or `jsonb_build_object` of these), and their order. */
const EXTENT_FIELDS = `'deviceId', x.device_id, 'offsetGiB', x.offset_gib, 'sizeGiB', x.size_gib`;
const EXTENT_ORDER = `ORDER BY x.device_id, x.offset_gib`;

/**
 * A DELETE (or an operator's force-release) in one statement and one round trip: the expansion
 * is locked, and only in a removable state does it move to `detaching`, with its timeline, its
 * hot-remove operation and the job for it in the outbox (the live extents as it holds them, and
 * `force` in both the job and the checkpoint). Answers the state it found and the expansion as
 * it is after, in the columns of VIEW_COLUMNS. It took a transaction of five statements and a
 * read after it. Extents change only when an expansion is placed and when its capacity is
 * returned, in no removable state, so the statement's snapshot holds the ones the lock guards.
 * It also answers the job it queued (`job`) and whether no older hotplug row of the expansion is
 * still unsent (`job_first`): then the API puts it on the queue itself, as after a placement,
 * and the row is left to it until `$8` ms have passed (null: not at all).
 */
export const REQUEST_DETACH = preparedStatement('mxs_request_detach', `
WITH found AS (
  SELECT * FROM expansions WHERE id = $1 AND ($2::text IS NULL OR tenant_id = $2) FOR UPDATE
), go AS (
  SELECT * FROM found WHERE state = ANY($3::text[])
), ext AS (
  SELECT coalesce(json_agg(json_build_object(${EXTENT_FIELDS})
           ${EXTENT_ORDER}), '[]') AS every,
         coalesce(jsonb_agg(jsonb_build_object(${EXTENT_FIELDS})
           ${EXTENT_ORDER}) FILTER (WHERE x.live), '[]') AS live
  FROM expansion_extents x WHERE x.expansion_id = $1
), first AS (
  SELECT NOT EXISTS (SELECT 1 FROM outbox o WHERE o.published_at IS NULL AND o.queue = $7 AND o.payload->>'expansionId' = $1::text) AS yes
), u AS (
  UPDATE expansions e SET state = 'detaching', updated_at = now() FROM go WHERE e.id = go.id RETURNING e.state, e.updated_at
), tr AS (
  INSERT INTO expansion_transitions (expansion_id, from_state, to_state, request_id) SELECT id, state, 'detaching', $5 FROM go
), op AS (
  INSERT INTO operations (id, expansion_id, kind, request_id, checkpoint) SELECT $4, id, 'hot-remove', $5, $6::jsonb FROM go
), ob AS (
  INSERT INTO outbox (id, queue, job_name, payload, relay_after)
  SELECT $4, $7, 'hot-remove', jsonb_build_object('operationId', $4::uuid, 'kind', 'hot-remove', 'expansionId', go.id, 'tenantId', go.tenant_id,
    'vmId', go.vm_id, 'hostId', go.host_id, 'sizeGiB', go.size_gib, 'extents', ext.live, 'requestId', $5::text) || $6::jsonb,
    CASE WHEN first.yes THEN ${relayAfterSql('$8')} END
  FROM go, ext, first
  RETURNING payload
)
SELECT (SELECT payload FROM ob) AS job, (SELECT yes FROM first) AS job_first,
  f.state AS state_before, f.id, f.vm_id, f.host_id, f.size_gib, f.tier, f.placed_tier, f.layout, f.interleave_ways,
  f.max_added_latency_ns, coalesce(u.state, f.state) AS state, f.reason, f.created_at, coalesce(u.updated_at, f.updated_at) AS updated_at,
  ext.every AS extents
FROM found f CROSS JOIN ext LEFT JOIN u ON true`);

const VIEW_COLUMNS = `e.id, e.vm_id, e.host_id, e.size_gib, e.tier, e.placed_tier, e.layout, e.interleave_ways,
  e.max_added_latency_ns, e.state, e.reason, e.created_at, e.updated_at,
  (SELECT coalesce(json_agg(json_build_object(${EXTENT_FIELDS})
     ${EXTENT_ORDER}), '[]') FROM expansion_extents x WHERE x.expansion_id = e.id) AS extents`;

interface ExpansionRow {
  id: string;
  tenant_id?: string;
  vm_id: string;
  host_id: string;
  size_gib: number;
  tier: ExpansionView['tier'];
  placed_tier: ExpansionView['placedTier'];
  layout: ExpansionView['layout'];
  interleave_ways: number | null;
  max_added_latency_ns: number | null;
  state: ExpansionState;
  reason: string | null;
  created_at: Date;
  updated_at: Date;
  extents: ExtentView[];
}

export interface ExpansionFilter {
  readonly tenantId?: string;
  readonly state?: ExpansionState;
  readonly vmId?: string;
  /** Keyset cursor: the last row of the previous page. */
  readonly after?: { readonly createdAt: string; readonly id: string };
  readonly limit: number;
}

/** SQL for expansions: PostgreSQL's constraints, not this code, decide what may coexist. */
@Injectable()
export class ExpansionStore {
  constructor(
    private readonly db: DataSource,
    private readonly relay: OutboxRelay,
  ) {}

  // One batch at a time per process, so two of its batches never lock tenants and hosts in
  // opposite orders (two in flight measured slower, too).
  private readonly batcher = new Batcher<NewExpansion, ReserveOutcome>({ maxBatch: MAX_BATCH, maxInFlight: 1 }, (batch) => this.commitBatch(batch));

  /** Commits a placement, together with any decided at the same moment (see commit-batcher.ts). */
  commitPlaced(x: NewExpansion): Promise<ReserveOutcome> {
    return this.batcher.submit(x);
  }

  private async commitBatch(batch: readonly Queued<NewExpansion, ReserveOutcome>[]): Promise<void> {
    let placed = new Set<string>();
    if (batch.length > 1) {
      const items = batch.map((q) => q.item);
      try {
        const rows = await runPrepared<{ resource_id: string }>(this.db, COMMIT_BATCH, batchParams(items, this.relay.ownPublishMs()));
        placed = new Set(rows.map((r) => r.resource_id));
      } catch {
        // Some part was refused and so was all of it: each gets its own answer below.
      }
    }
    const committed = batch.filter((q) => placed.has(q.item.view.id));
    this.relay.publishNow(committed.map((q) => hotAddRow(q.item)));
    // Answered once the next batch is on its way: replying to a batch (a response each) takes the
    // API longer than PostgreSQL takes for the statement, and the next batch need not wait for it.
    setImmediate(() => committed.forEach((q) => q.resolve('committed')));
    for (const q of batch) {
      if (placed.has(q.item.view.id)) continue;
      try {
        const outcome = await this.commitOne(q.item);
        if (outcome === 'committed') this.relay.publishNow([hotAddRow(q.item)]);
        q.resolve(outcome);
      } catch (error) {
        q.reject(error);
      }
    }
  }

  private async commitOne(x: NewExpansion): Promise<ReserveOutcome> {
    const v = x.view;
    try {
      const committed = await runPrepared(this.db, COMMIT_BATCH, batchParams([x], this.relay.ownPublishMs()));
      if (committed.length === 1) return 'committed';
      // Nothing happened; say why (rare, so a second look costs nothing in the common case).
      const [why] = (await this.db.query(
        `SELECT (SELECT version FROM fleet_layout WHERE id = 1) = $1 AS layout_ok,
           EXISTS (SELECT 1 FROM vms WHERE id = $2 AND tenant_id = $3 AND host_id = $4 AND unregistered_at IS NULL) AS vm_ok`,
        [x.layoutVersion, v.vmId, x.tenantId, v.hostId],
      )) as { layout_ok: boolean | null; vm_ok: boolean }[];
      return why?.layout_ok === true && why.vm_ok ? 'over-quota' : 'stale';
    } catch (error) {
      if (isCheckViolation(error, 'hosts_mapped_within_window')) return 'host-window';
      throw error;
    }
  }

  async find(id: string, tenantId?: string): Promise<ExpansionView | null> {
    const rows: ExpansionRow[] = await this.db.query(
      `SELECT ${VIEW_COLUMNS} FROM expansions e WHERE e.id = $1 AND ($2::text IS NULL OR e.tenant_id = $2)`,
      [id, tenantId ?? null],
    );
    return rows[0] === undefined ? null : toView(rows[0]);
  }

  async timeline(id: string): Promise<TransitionView[]> {
    const rows: { from_state: ExpansionState | null; to_state: ExpansionState; at: Date; reason: string | null; request_id: string | null }[] =
      await this.db.query(`SELECT from_state, to_state, at, reason, request_id FROM expansion_transitions WHERE expansion_id = $1 ORDER BY id`, [id]);
    return rows.map((r) => ({ from: r.from_state, to: r.to_state, at: r.at.toISOString(), reason: r.reason, requestId: r.request_id }));
  }

  /** The sagas run for an expansion, oldest first, with the steps their checkpoints recorded. */
  async operations(id: string): Promise<OperationView[]> {
    const rows: OperationRow[] = await this.db.query(
      `SELECT id, kind, state, checkpoint, attempts, last_error, created_at, started_at, finished_at FROM operations WHERE expansion_id = $1 ORDER BY created_at, id`,
      [id],
    );
    return rows.map(operationView);
  }

  async tenantOf(id: string): Promise<string | null> {
    const [row] = (await this.db.query(`SELECT tenant_id FROM expansions WHERE id = $1`, [id])) as { tenant_id: string }[];
    return row?.tenant_id ?? null;
  }

  /** Whether the expansion's unfinished hot-remove is an operator's forced one. */
  async forcedRemovalRunning(id: string): Promise<boolean> {
    const rows = (await this.db.query(
      `SELECT 1 FROM operations WHERE expansion_id = $1 AND kind = 'hot-remove' AND state IN ('pending', 'running', 'compensating') AND checkpoint ->> 'force' = 'true'`,
      [id],
    )) as unknown[];
    return rows.length > 0;
  }

  async list(f: ExpansionFilter): Promise<{ items: (ExpansionView & { tenantId: string })[]; more: boolean }> {
    const rows: (ExpansionRow & { tenant_id: string })[] = await this.db.query(
      `SELECT e.tenant_id, ${VIEW_COLUMNS} FROM expansions e
       WHERE ($1::text IS NULL OR e.tenant_id = $1) AND ($2::text IS NULL OR e.state = $2)
         AND ($3::text IS NULL OR e.vm_id = $3)
         AND ($4::timestamptz IS NULL OR (e.created_at, e.id) < ($4::timestamptz, $5::uuid))
       ORDER BY e.created_at DESC, e.id DESC LIMIT $6`,
      [f.tenantId ?? null, f.state ?? null, f.vmId ?? null, f.after?.createdAt ?? null, f.after?.id ?? null, f.limit + 1],
    );
    return { items: rows.slice(0, f.limit).map((r) => ({ ...toView(r), tenantId: r.tenant_id })), more: rows.length > f.limit };
  }

  /**
   * Moves a removable expansion to `detaching` with its hot-remove operation and job, in one
   * statement (see REQUEST_DETACH); a row already detaching is left as it is. Returns the state
   * it found and the expansion as it is now, or null when there is none (or not this tenant's).
   */
  async requestDetach(
    id: string,
    tenantId: string | undefined,
    operationId: string,
    requestId: string | null,
    removable: readonly ExpansionState[],
    force = false,
  ): Promise<{ before: ExpansionState; view: ExpansionView } | null> {
    const [row] = await runPrepared<ExpansionRow & { state_before: ExpansionState; job: HotplugJob | null; job_first: boolean }>(this.db, REQUEST_DETACH, [
      id, tenantId ?? null, removable, operationId, requestId, JSON.stringify(force ? { force } : {}), QUEUES.hotplug, this.relay.ownPublishMs(),
    ]);
    if (row === undefined) return null;
    if (row.job !== null) {
      // The expansion's older hotplug row is sent: its hot-add is on the queue, so this may go too. Else the relay keeps the order.
      if (row.job_first) this.relay.publishNow([{ id: operationId, queue: QUEUES.hotplug, jobName: 'hot-remove', payload: row.job }]);
      else this.relay.kick();
    }
    return { before: row.state_before, view: toView(row) };
  }
}

function hotAddJob(x: NewExpansion): HotplugJob {
  const v = x.view;
  return {
    operationId: x.operationId,
    kind: 'hot-add',
    expansionId: v.id,
    tenantId: x.tenantId,
    vmId: v.vmId,
    hostId: v.hostId,
    sizeGiB: v.sizeGiB,
    extents: v.extents.map((e) => ({ deviceId: e.deviceId, offsetGiB: e.offsetGiB, sizeGiB: e.sizeGiB })),
    requestId: x.requestId,
  };
}

/** The outbox row COMMIT_BATCH wrote for the placement: its expansion's first. */
function hotAddRow(x: NewExpansion): CommittedRow {
  return { id: x.operationId, queue: QUEUES.hotplug, jobName: 'hot-add', payload: hotAddJob(x) };
}

/**
 * COMMIT_BATCH's parameters: the placements, and all their extents, as a JSON document each;
 * `ownPublishMs`, how long relays leave the jobs to this process (OutboxRelay.ownPublishMs).
 */
function batchParams(items: readonly NewExpansion[], ownPublishMs: number | null): unknown[] {
  const placements = items.map((x) => ({
    id: x.view.id, tenant_id: x.tenantId, vm_id: x.view.vmId, host_id: x.view.hostId, size_gib: x.view.sizeGiB, tier: x.view.tier,
    placed_tier: x.view.placedTier, layout: x.view.layout, interleave_ways: x.view.interleaveWays, max_added_latency_ns: x.view.maxAddedLatencyNs,
    request_id: x.requestId, created_at: x.view.createdAt, decision: { decision: x.decision }, operation_id: x.operationId, job: hotAddJob(x),
    idem_key: x.idempotencyKey, request_hash: x.requestHash, response: x.view, layout_version: x.layoutVersion,
  }));
  const extents = items.flatMap((x) => x.view.extents.map((e) => ({ e: x.view.id, d: e.deviceId, o: e.offsetGiB, s: e.sizeGiB })));
  return [JSON.stringify(placements), JSON.stringify(extents), QUEUES.hotplug, ownPublishMs];
}

function toView(r: ExpansionRow): ExpansionView {
  return {
    id: r.id,
    vmId: r.vm_id,
    hostId: r.host_id,
    sizeGiB: r.size_gib,
    tier: r.tier,
    placedTier: r.placed_tier,
    layout: r.layout,
    interleaveWays: r.interleave_ways,
    maxAddedLatencyNs: r.max_added_latency_ns,
    state: r.state,
    reason: r.reason,
    extents: r.extents,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}
