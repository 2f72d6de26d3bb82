/**
 * The bare path: the least a hot-add's way through mxs can cost on this stack, as a baseline
 * for bench:hotplug's latency stage (started by bare-path.ts, one process per role, as the apps
 * run). It makes the hops DESIGN §5 and §6 require and nothing else:
 *
 * - `api`: plain `node:http`. `POST /expansions` with a placement already made commits one row
 *   (the decision), adds the hot-add job to BullMQ, and answers 202; `GET /health`.
 * - `worker`: a BullMQ worker. A job waits for its host's turn (one hot-plug per host), runs the
 *   four hot-add steps on the host agent through mxs's own client (long-polling as the worker
 *   does), and writes the row once: when it began, the steps' spans, ready.
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

/** The bare path's one table: a decision, when the hot-add began, its steps' spans ([start, end] ms), ready; or why it failed (no retries). */
export const BARE_TABLE_DDL = `CREATE TABLE IF NOT EXISTS bare_expansions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(), host_id text NOT NULL, body jsonb NOT NULL,
  decided_at timestamptz NOT NULL DEFAULT now(), begun_at timestamptz, ready_at timestamptz, steps jsonb NOT NULL DEFAULT '[]', failure text)`;

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

function api(): void {
  const db = pool();
  const queue = new Queue<BareJob>(BARE_QUEUE, { connection: redis(), prefix: required('BARE_QUEUE_PREFIX') });
  listen(async (req, res) => {
    if (req.method !== 'POST' || req.url !== '/expansions') return reply(res, 404, { error: 'not found' });
    const placement = JSON.parse(await readBody(req)) as BarePlacement;
    const { rows } = await db.query<{ id: string }>(`INSERT INTO bare_expansions (host_id, body) VALUES ($1, $2) RETURNING id`, [placement.hostId, placement]);
    const id = (rows[0] as { id: string }).id;
    await queue.add('hot-add', { ...placement, id }, { jobId: id });
    reply(res, 202, { id });
  });
}

function worker(): void {
  const db = pool();
  const agent = new HttpHostAgent({ baseUrl: required('MXS_HOST_AGENT_URL'), token: required('MXS_HOST_AGENT_TOKEN') });
  /** Each host's last hot-add, which the next one on that host waits for. */
  const turns = new Map<string, Promise<unknown>>();
  const untilDone = async (run: (waitMs: number) => Promise<{ done: boolean } | void>): Promise<void> => {
    for (;;) {
      const progress = await run(POLL_WAIT_MS);
      if (progress === undefined || progress.done) return;
    }
  };
  const hotAdd = async (job: BareJob): Promise<void> => {
    const on = { expansionId: job.id, hostId: job.hostId };
    const begun = Date.now();
    const steps: ((waitMs: number) => Promise<{ done: boolean } | void>)[] = [
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
  new Worker<BareJob>(BARE_QUEUE, (job) => {
    const before = turns.get(job.data.hostId) ?? Promise.resolve();
    const mine = before.then(() => hotAdd(job.data)).catch(async (error: unknown) => {
      await db.query(`UPDATE bare_expansions SET failure = $2 WHERE id = $1`, [job.data.id, error instanceof Error ? error.message : String(error)]);
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
