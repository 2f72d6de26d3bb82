/**
 * Drives the bare path (bare-path-app.ts) for bench:hotplug's latency stage: the same bursts
 * that mxs just ran (the same hosts, VMs, sizes and extents, on the same simulator, PostgreSQL
 * and Redis), each made ready through nothing but the hops mxs's design requires. Its overhead,
 * measured as mxs's is, is the floor the machine allows mxs's; the ratio says how far above it
 * mxs is.
 */
import type { ExtentRef } from '@mxs/host-agent';
import { HttpHostAgent } from '@mxs/host-agent';
import type { AppProcess } from '@mxs/test-kit';
import { dropQueueKeys, spawnSource, waitFor } from '@mxs/test-kit';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import type { Client } from 'pg';
import type { BareJob, BarePlacement } from './bare-path-app';
import { BARE_QUEUE, BARE_TABLE_DDL, untilDone } from './bare-path-app';
import type { BurstExpansion, BurstRow } from './hotplug-latency';
import { toBurstExpansions } from './hotplug-latency';
import { jobTimes } from './job-times';
import { KeepAliveCaller } from './keep-alive-call';

const APP = 'tools/bench/bare-path-app.ts';

export interface BarePathOptions {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly agentUrl: string;
  readonly agentToken: string;
  /** The bench's own SQL connection to the same database. */
  readonly sql: Client;
}

/** What mxs placed for `ids` (expansions of the bench's database), in the order of `ids`, by expansion id: the bare path's input. */
export async function placementsOf(sql: Client, ids: readonly string[]): Promise<Map<string, BarePlacement>> {
  const { rows } = await sql.query<{ id: string; host_id: string; vm_id: string; size_gib: number; extents: ExtentRef[] }>(
    `SELECT e.id, e.host_id, e.vm_id, e.size_gib,
       json_agg(json_build_object('deviceId', x.device_id, 'offsetGiB', x.offset_gib, 'sizeGiB', x.size_gib) ORDER BY x.device_id, x.offset_gib) AS extents
     FROM expansions e JOIN expansion_extents x ON x.expansion_id = e.id
     WHERE e.id = ANY($1::uuid[]) GROUP BY e.id`,
    [ids],
  );
  const byId = new Map(rows.map((r) => [r.id, { hostId: r.host_id, vmId: r.vm_id, sizeGiB: r.size_gib, extents: r.extents }]));
  return new Map(ids.map((id) => {
    const placement = byId.get(id);
    if (placement === undefined) throw new Error(`bare path: expansion ${id} has no extents`);
    return [id, placement];
  }));
}

/**
 * Of mxs's placements, those whose extents are free again: their expansion is released (a
 * removal that gave up leaves one active, its extents held). The rest are named in `held`.
 */
export async function releasedOnly(sql: Client, placements: ReadonlyMap<string, BarePlacement>): Promise<{ placements: BarePlacement[]; held: string[] }> {
  const { rows } = await sql.query<{ id: string }>(`SELECT id FROM expansions WHERE id = ANY($1::uuid[]) AND state = 'released'`, [[...placements.keys()]]);
  const released = new Set(rows.map((r) => r.id));
  return {
    placements: [...placements].flatMap(([id, p]) => (released.has(id) ? [p] : [])),
    held: [...placements.keys()].filter((id) => !released.has(id)),
  };
}

export class BarePath {
  /** Every expansion it sent and has not taken off its host yet, with its placement. */
  private readonly onHosts = new Map<string, BarePlacement>();

  private constructor(
    private readonly options: BarePathOptions,
    private readonly prefix: string,
    private readonly api: AppProcess,
    private readonly worker: AppProcess,
    private readonly client: KeepAliveCaller,
    private readonly queue: Queue<BareJob>,
    private readonly agent: HttpHostAgent,
  ) {}

  static async start(options: BarePathOptions): Promise<BarePath> {
    await options.sql.query(BARE_TABLE_DDL);
    const prefix = `{mxs-bench-bare-path-${randomBytes(4).toString('hex')}}`;
    const env = {
      DATABASE_URL: options.databaseUrl, REDIS_URL: options.redisUrl, BARE_QUEUE_PREFIX: prefix,
      MXS_HOST_AGENT_URL: options.agentUrl, MXS_HOST_AGENT_TOKEN: options.agentToken,
    };
    const api = await spawnSource('bare-path api', APP, ['api'], env);
    const worker = await spawnSource('bare-path worker', APP, ['worker'], env).catch(async (error: unknown) => {
      await api.stop();
      throw error;
    });
    const queue = new Queue<BareJob>(BARE_QUEUE, { connection: new Redis(options.redisUrl, { maxRetriesPerRequest: null }), prefix });
    return new BarePath(options, prefix, api, worker, new KeepAliveCaller(api.url, 256), queue, new HttpHostAgent({ baseUrl: options.agentUrl, token: options.agentToken }));
  }

  /** Its two processes, for the bench's CPU split. */
  get processIds(): { api: number; worker: number } {
    return { api: this.api.process.pid ?? 0, worker: this.worker.process.pid ?? 0 };
  }

  /** `placements` all at once, as the bench's bursts go; resolves once all are ready, with their ids and send times. */
  async burst(placements: readonly BarePlacement[]): Promise<{ ids: string[]; sentAt: Map<string, number> }> {
    const sentAt = new Map<string, number>();
    const ids = await Promise.all(placements.map(async (placement) => {
      const sent = Date.now();
      const r = await this.client.call<{ id: string }>('POST', '/expansions', { key: 'none', body: placement });
      if (r.status !== 202) throw new Error(`bare path POST: ${r.status} ${JSON.stringify(r.body)}`);
      sentAt.set(r.body.id, sent);
      this.onHosts.set(r.body.id, placement);
      return r.body.id;
    }));
    await this.until(ids, 'ready_at', 'ready');
    return { ids, sentAt };
  }

  /** Waits until every one of `ids` has `column` set; throws the first failure recorded. */
  private until(ids: readonly string[], column: 'ready_at' | 'removed_at', what: string): Promise<void> {
    return waitFor(`${ids.length} bare-path expansions ${what}`, async () => {
      const { rows } = await this.options.sql.query<{ n: string; failure: string | null }>(
        `SELECT count(${column}) AS n, min(failure) AS failure FROM bare_expansions WHERE id = ANY($1::uuid[])`,
        [ids],
      );
      const failure = rows[0]?.failure ?? null;
      if (failure !== null) throw new Error(`a bare-path saga failed: ${failure}`);
      return Number(rows[0]?.n) === ids.length;
    }, 60_000, 50);
  }

  /** A burst's expansions as the bare path's row and job tell them, in the shape mxs's are measured in. */
  async rows(ids: readonly string[], sentAt: ReadonlyMap<string, number>): Promise<BurstExpansion[]> {
    const { rows } = await this.options.sql.query<BurstRow>(
      `SELECT id, host_id, extract(epoch FROM decided_at) * 1000 AS t0, extract(epoch FROM begun_at) * 1000 AS begun,
         extract(epoch FROM ready_at) * 1000 AS t1, steps
       FROM bare_expansions WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return toBurstExpansions(rows, await jobTimes(this.options.redisUrl, this.prefix, BARE_QUEUE, rows.map((r) => r.id)), sentAt);
  }

  /** Takes a burst off its hosts again (not measured): `hot-remove` jobs, run by the bare worker as it runs hot-adds, the fabric's release and scrub included. */
  async removeAll(ids: readonly string[]): Promise<void> {
    await this.queue.addBulk(ids.map((id) => ({ name: 'hot-remove', data: { ...(this.onHosts.get(id) as BarePlacement), id }, opts: { jobId: `remove-${id}` } })));
    await this.until(ids, 'removed_at', 'removed');
    for (const id of ids) this.onHosts.delete(id);
  }

  /**
   * Stops its processes and drops its queue. Whatever it left on the hosts (a failed burst) is
   * taken back at once with a forced release, so the stage's next run finds the extents free.
   */
  async stop(): Promise<void> {
    this.client.close();
    await Promise.allSettled([this.worker.stop(), this.api.stop()]);
    try {
      await Promise.allSettled([...this.onHosts].map(([id, p]) => untilDone((waitMs) => this.agent.releaseExtents({ expansionId: id, hostId: p.hostId, force: true }, { waitMs }))));
    } finally {
      this.agent.close();
      await this.queue.close();
      (await this.queue.client).disconnect();
      await dropQueueKeys(this.options.redisUrl, this.prefix);
    }
  }
}
