/**
 * The bare path: the least a hot-add's way through mxs can cost on this stack, as a baseline
 * for bench:hotplug's latency stage (started by bare-path.ts, one process per role, as the apps
 * run). It makes the hops DESIGN §5 and §6 require and nothing else:
 *
 * - `api`: plain `node:http`. `POST /expansions` with a placement already made commits its row
 *   (the decision; those arriving together in one INSERT), answers 202, and adds the hot-add job
 *   to BullMQ; `GET /health`.
 * - `worker`: a BullMQ worker. A job waits for its host's turn (one hot-plug per host), runs the
 *   four hot-add steps on the host agent through mxs's own client (long-polling as the worker
 *   does), and writes the row once: when it began, the steps' spans, ready. A `hot-remove` job
 *   (the bench's cleanup between bursts, not measured) runs the removal steps the same way.
 *
 * Less than the design requires, so a lower bound, not a way to run it: no lease and no
 * checkpoints (a crash would lose or repeat steps), no Nest, no TypeORM, no outbox, no quota,
 * timeline, usage events, metrics or logs. What is left are the hops no implementation of
 * DESIGN §5 avoids: a durable decision before the 202, a queue between the API and the worker,
 * the host's calls in order, one at a time per host, and a durable end.
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Pool } from 'pg';
import type { ExtentRef } from '@mxs/host-agent';
import { HttpHostAgent } from '@mxs/host-agent';

export const BARE_QUEUE = 'bare-hotplug';

/** What the bare API takes: a placement made already (by mxs, for the same expansions). */
export interface BarePlacement {
  readonly hostId: string;
  readonly vmId: string;
  readonly sizeGiB: number;
  readonly extents: readonly ExtentRef[];
}

export interface BareJob extends BarePlacement {
  readonly id: string;
}

/** The bare path's one table: a decision, when the hot-add began, its steps' spans ([start, end] ms), ready, removed; or why it failed (no retries). */
export const BARE_TABLE_DDL = `CREATE TABLE IF NOT EXISTS bare_expansions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(), host_id text NOT NULL, body jsonb NOT NULL,
  decided_at timestamptz NOT NULL, begun_at timestamptz, ready_at timestamptz, steps jsonb NOT NULL DEFAULT '[]', removed_at timestamptz, failure text)`;

const POLL_WAIT_MS = 5_000;

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`bare path: ${name} is not set`);
  return value;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function listen(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>): void {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/health') return reply(res, 200, { ok: true });
    handle(req, res).catch((error: unknown) => reply(res, 500, { error: error instanceof Error ? error.message : String(error) }));
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(required('PORT')), '127.0.0.1');
  process.once('SIGTERM', () => process.exit(0));
}

const redis = (): Redis => new Redis(required('REDIS_URL'), { maxRetriesPerRequest: null });
/**
 * As large as mxs's pools (MXS_DB_POOL_SIZE's default), and never closing an idle connection:
 * between bursts the bare path's pool sits idle while the bench takes the burst off its hosts,
 * and a connection opened in the next burst would cost a new backend there.
 */
const pool = (): Pool => new Pool({ connectionString: required('DATABASE_URL'), max: 20, idleTimeoutMillis: 0 });

/**
 * Decisions are committed as mxs commits its placements: those that arrive while a commit is in
 * flight go together in the next one, one multi-row INSERT. Each is stamped when its body is
 * read (as mxs stamps `created_at` before its commit queue), so the wait for the commit counts.
 */
function api(): void {
  const db = pool();
  const queue = new Queue<BareJob>(BARE_QUEUE, { connection: redis(), prefix: required('BARE_QUEUE_PREFIX') });
  type Pending = { placement: BarePlacement; decidedAt: number; done: (id: string) => void; failed: (e: unknown) => void };
  let waiting: Pending[] = [];
  let committing = false;
  const commit = async (): Promise<void> => {
    if (committing || waiting.length === 0) return;
    committing = true;
    const batch = waiting;
    waiting = [];
    try {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO bare_expansions (host_id, body, decided_at)
         SELECT h, b, to_timestamp(t / 1000) FROM unnest($1::text[], $2::jsonb[], $3::float8[]) WITH ORDINALITY AS x(h, b, t, n) ORDER BY n RETURNING id`,
        [batch.map((p) => p.placement.hostId), batch.map((p) => JSON.stringify(p.placement)), batch.map((p) => p.decidedAt)],
      );
      batch.forEach((p, i) => p.done((rows[i] as { id: string }).id));
    } catch (error) {
      for (const p of batch) p.failed(error);
    } finally {
      committing = false;
      void commit();
    }
  };
  listen(async (req, res) => {
    if (req.method !== 'POST' || req.url !== '/expansions') return reply(res, 404, { error: 'not found' });
    const placement = JSON.parse(await readBody(req)) as BarePlacement;
    const id = await new Promise<string>((done, failed) => {
      waiting.push({ placement, decidedAt: Date.now(), done, failed });
      void commit();
    });
    reply(res, 202, { id });
    // As mxs's API adds its own jobs after the commit, without holding the answer for it.
    queue.add('hot-add', { ...placement, id }, { jobId: id }).catch((error: unknown) => process.stderr.write(`bare path: add ${id}: ${String(error)}\n`));
  });
}

/** Runs a host call until it is done, long-polling as mxs's worker does (a call with no progress is done at once). */
export async function untilDone(run: (waitMs: number) => Promise<{ done: boolean } | void>): Promise<void> {
  for (;;) {
    const progress = await run(POLL_WAIT_MS);
    if (progress === undefined || progress.done) return;
  }
}

/** Its steps in order; each one long-polls (as mxs's worker does) until done. */
type Steps = ((waitMs: number) => Promise<{ done: boolean } | void>)[];

function worker(): void {
  const db = pool();
  const agent = new HttpHostAgent({ baseUrl: required('MXS_HOST_AGENT_URL'), token: required('MXS_HOST_AGENT_TOKEN') });
  /** Each host's last hot-plug, which the next one on that host waits for. */
  const turns = new Map<string, Promise<unknown>>();
  const hotAdd = async (job: BareJob): Promise<void> => {
    const on = { expansionId: job.id, hostId: job.hostId };
    const begun = Date.now();
    const steps: Steps = [
      () => agent.offerExtents({ ...on, extents: job.extents }),
      () => agent.acceptExtents(on),
      (waitMs) => agent.onlineRegion({ ...on, sizeGiB: job.sizeGiB }, { waitMs }),
      (waitMs) => agent.plugVmMemory({ ...on, vmId: job.vmId, sizeGiB: job.sizeGiB }, { waitMs }),
    ];
    const spans: [number, number][] = [];
    for (const step of steps) {
      const started = Date.now();
      await untilDone(step);
      spans.push([started, Date.now()]);
    }
    await db.query(`UPDATE bare_expansions SET begun_at = to_timestamp($2::float8 / 1000), steps = $3::jsonb, ready_at = clock_timestamp() WHERE id = $1`, [job.id, begun, JSON.stringify(spans)]);
  };
  /** Not measured: it takes a burst off its hosts, by the worker so that its connections to them stay as warm as mxs's worker's. */
  const hotRemove = async (job: BareJob): Promise<void> => {
    const on = { expansionId: job.id, hostId: job.hostId };
    const steps: Steps = [
      (waitMs) => agent.unplugVmMemory({ ...on, vmId: job.vmId }, { waitMs }),
      (waitMs) => agent.offlineRegion(on, { waitMs }),
      () => agent.destroyRegion(on),
      (waitMs) => agent.releaseExtents(on, { waitMs }),
    ];
    for (const step of steps) await untilDone(step);
    await db.query(`UPDATE bare_expansions SET removed_at = clock_timestamp() WHERE id = $1`, [job.id]);
  };
  new Worker<BareJob>(BARE_QUEUE, (job) => {
    const before = turns.get(job.data.hostId) ?? Promise.resolve();
    const run = job.name === 'hot-remove' ? hotRemove : hotAdd;
    const mine = before.then(() => run(job.data)).catch(async (error: unknown) => {
      await db.query(`UPDATE bare_expansions SET failure = $2 WHERE id = $1`, [job.data.id, `${job.name}: ${error instanceof Error ? error.message : String(error)}`]);
      throw error;
    });
    const turn = mine.catch(() => undefined);
    turns.set(job.data.hostId, turn);
    return mine.finally(() => {
      if (turns.get(job.data.hostId) === turn) turns.delete(job.data.hostId);
    });
  }, { connection: redis(), prefix: required('BARE_QUEUE_PREFIX'), concurrency: 256 });
  listen(async (_req, res) => reply(res, 404, { error: 'not found' }));
}

if (require.main === module) {
  const role = process.argv[2];
  if (role === 'api') api();
  else if (role === 'worker') worker();
  else throw new Error(`bare path: role api or worker, not ${String(role)}`);
}
