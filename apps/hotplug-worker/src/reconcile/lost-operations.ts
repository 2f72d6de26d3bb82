import { Inject, Injectable, Logger } from '@nestjs/common';
import type { HotplugJob } from '@mxs/contracts';
import { QUEUES, hotplugJobSchema } from '@mxs/contracts';
import { QueueSet } from '@mxs/messaging';
import type { OperationState } from '@mxs/persistence';
import { DataSource } from 'typeorm';
import type { WorkerConfig } from '../config';
import { WORKER_CONFIG } from '../tokens';

/** BullMQ states in which a job will still run on its own. */
const ALIVE = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

interface UnfinishedRow {
  id: string;
  kind: HotplugJob['kind'];
  expansion_id: string;
  request_id: string | null;
  state: OperationState;
  payload: unknown;
  in_outbox: boolean;
  published: boolean;
}

/**
 * Finds hot-plug operations that PostgreSQL says are unfinished but that no job will ever run
 * (its job was lost with Redis, removed, or failed for good) and queues them again under the
 * operation id, so a saga continues from its checkpoint. Rows the relay has not sent yet are
 * the relay's; jobs still waiting, delayed or running are left alone.
 */
@Injectable()
export class LostOperations {
  private readonly log = new Logger(LostOperations.name);

  constructor(
    private readonly db: DataSource,
    private readonly queues: QueueSet,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {}

  async requeue(): Promise<{ checked: number; requeued: string[] }> {
    const rows = (await this.db.query(
      `SELECT o.id, o.kind, o.expansion_id, o.request_id, o.state, ob.payload, ob.id IS NOT NULL AS in_outbox, ob.published_at IS NOT NULL AS published
       FROM operations o LEFT JOIN outbox ob ON ob.id = o.id
       WHERE o.state IN ('pending', 'running', 'compensating') AND o.updated_at < now() - $1 * interval '1 millisecond'
       ORDER BY o.created_at LIMIT 1000`,
      [this.config.MXS_RECONCILE_GRACE_MS],
    )) as UnfinishedRow[];
    const queue = this.queues.get(QUEUES.hotplug);
    const requeued: string[] = [];
    for (const row of rows) {
      if (row.in_outbox && !row.published) continue;
      const job = await queue.getJob(row.id);
      const state = job === undefined ? 'missing' : await job.getState();
      if (ALIVE.has(state)) continue;
      // A finished job keeps its id: it must go before the same id can be queued again.
      if (job !== undefined && !(await job.remove().then(() => true, () => false))) continue;
      const payload = await this.payloadOf(row);
      if (payload === null) continue;
      await queue.add(row.kind, payload, { jobId: row.id });
      requeued.push(row.id);
      this.log.warn({ operationId: row.id, expansionId: row.expansion_id, jobState: state, operationState: row.state }, `re-queued a lost ${row.kind} job`);
    }
    return { checked: rows.length, requeued };
  }

  /** The job as the outbox sent it, else rebuilt from the expansion and its live extents. */
  private async payloadOf(row: UnfinishedRow): Promise<HotplugJob | null> {
    const sent = hotplugJobSchema.safeParse(row.payload);
    if (sent.success) return sent.data;
    const [x] = (await this.db.query(
      `SELECT e.tenant_id, e.vm_id, e.host_id, e.size_gib,
         coalesce(json_agg(json_build_object('deviceId', x.device_id, 'offsetGiB', x.offset_gib, 'sizeGiB', x.size_gib) ORDER BY x.device_id, x.offset_gib)
                  FILTER (WHERE x.live), '[]') AS extents
       FROM expansions e LEFT JOIN expansion_extents x ON x.expansion_id = e.id WHERE e.id = $1 GROUP BY e.id`,
      [row.expansion_id],
    )) as { tenant_id: string; vm_id: string; host_id: string; size_gib: number; extents: HotplugJob['extents'] }[];
    if (x === undefined) return null;
    const rebuilt = hotplugJobSchema.safeParse({
      operationId: row.id, kind: row.kind, expansionId: row.expansion_id, tenantId: x.tenant_id, vmId: x.vm_id, hostId: x.host_id,
      sizeGiB: x.size_gib, extents: x.extents, requestId: row.request_id,
    });
    if (!rebuilt.success) this.log.error({ operationId: row.id }, `cannot rebuild the job of operation ${row.id}: ${rebuilt.error.message}`);
    return rebuilt.success ? rebuilt.data : null;
  }
}
