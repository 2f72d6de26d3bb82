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
import { randomBytes } from 'node:crypto';
import type { Client } from 'pg';
import { groupBy } from '../soak/db-state';
import type { BarePlacement } from './bare-path-app';
import { BARE_QUEUE, BARE_TABLE_DDL } from './bare-path-app';
import type { BurstExpansion } from './hotplug-latency';
import { jobTimes } from './job-times';
import { KeepAliveCaller } from './keep-alive-call';

const APP = 'tools/bench/bare-path-app.ts';
const POLL_WAIT_MS = 5_000;

export interface BarePathOptions {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly agentUrl: string;
  readonly agentToken: string;
  /** The bench's own SQL connection to the same database. */
  readonly sql: Client;
}

/** What mxs placed for `ids` (expansions of the bench's database), in the order of `ids`: the bare path's input. */
export async function placementsOf(sql: Client, ids: readonly string[]): Promise<BarePlacement[]> {
  const { rows } = await sql.query<{ id: string; host_id: string; vm_id: string; size_gib: number; extents: ExtentRef[] }>(
    `SELECT e.id, e.host_id, e.vm_id, e.size_gib,
       json_agg(json_build_object('deviceId', x.device_id, 'offsetGiB', x.offset_gib, 'sizeGiB', x.size_gib) ORDER BY x.device_id, x.offset_gib) AS extents
     FROM expansions e JOIN expansion_extents x ON x.expansion_id = e.id
     WHERE e.id = ANY($1::uuid[]) GROUP BY e.id`,
    [ids],
  );
  const byId = new Map(rows.map((r) => [r.id, { hostId: r.host_id, vmId: r.vm_id, sizeGiB: r.size_gib, extents: r.extents }]));
  return ids.map((id) => {
    const placement = byId.get(id);
    if (placement === undefined) throw new Error(`bare path: expansion ${id} has no extents`);
    return placement;
  });
}

export class BarePath {
  private constructor(
    private readonly options: BarePathOptions,
    private readonly prefix: string,
    private readonly api: AppProcess,
    private readonly worker: AppProcess,
    private readonly client: KeepAliveCaller,
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
    return new BarePath(options, prefix, api, worker, new KeepAliveCaller(api.url, 256), new HttpHostAgent({ baseUrl: options.agentUrl, token: options.agentToken }));
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
      return r.body.id;
    }));
    await waitFor(`${ids.length} bare-path expansions ready`, async () => {
      const { rows } = await this.options.sql.query<{ ready: string; failure: string | null }>(
        `SELECT count(ready_at) AS ready, min(failure) AS failure FROM bare_expansions WHERE id = ANY($1::uuid[])`,
        [ids],
      );
      const failure = rows[0]?.failure ?? null;
      if (failure !== null) throw new Error(`a bare-path hot-add failed: ${failure}`);
      return Number(rows[0]?.ready) === ids.length;
    }, 60_000, 50);
    return { ids, sentAt };
  }

  /** A burst's expansions as the bare path's row and job tell them, in the shape mxs's are measured in. */
  async rows(ids: readonly string[], sentAt: ReadonlyMap<string, number>): Promise<BurstExpansion[]> {
    const { rows } = await this.options.sql.query<{ id: string; host_id: string; t0: number; begun: number | null; t1: number | null; steps: [number, number][] }>(
      `SELECT id, host_id, extract(epoch FROM decided_at) * 1000 AS t0, extract(epoch FROM begun_at) * 1000 AS begun,
         extract(epoch FROM ready_at) * 1000 AS t1, steps
       FROM bare_expansions WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const jobs = await jobTimes(this.options.redisUrl, this.prefix, BARE_QUEUE, rows.map((r) => r.id));
    return rows.map((r, i) => ({
      id: r.id, hostId: r.host_id, sentAt: sentAt.get(r.id) ?? NaN, decidedAt: Number(r.t0), ...(jobs[i] ?? { queuedAt: null, fetchedAt: null }),
      begunAt: r.begun === null ? null : Number(r.begun), readyAt: r.t1 === null ? null : Number(r.t1), steps: r.steps,
    }));
  }

  /** Takes a burst off its hosts again (not measured): on each host one at a time, the hot-remove steps in order, the fabric's release and scrub included. */
  async removeAll(ids: readonly string[]): Promise<void> {
    const { rows } = await this.options.sql.query<{ id: string; host_id: string; vm_id: string }>(
      `SELECT id, host_id, body->>'vmId' AS vm_id FROM bare_expansions WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    await Promise.all([...groupBy(rows, (r) => r.host_id).values()].map(async (onHost) => {
      for (const r of onHost) {
        const on = { expansionId: r.id, hostId: r.host_id };
        await untilDone((waitMs) => this.agent.unplugVmMemory({ ...on, vmId: r.vm_id }, { waitMs }));
        await untilDone((waitMs) => this.agent.offlineRegion(on, { waitMs }));
        await this.agent.destroyRegion(on);
        await untilDone((waitMs) => this.agent.releaseExtents(on, { waitMs }));
      }
    }));
  }

  async stop(): Promise<void> {
    this.client.close();
    await this.worker.stop();
    await this.api.stop();
    await dropQueueKeys(this.options.redisUrl, this.prefix);
  }
}

async function untilDone(run: (waitMs: number) => Promise<{ done: boolean }>): Promise<void> {
  while (!(await run(POLL_WAIT_MS)).done);
}
