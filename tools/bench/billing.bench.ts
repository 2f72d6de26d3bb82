/**
 * `npm run bench:billing [-- --quick]`: billing as production runs it, in a process of its own.
 *
 * 1. Ingest: N usage events (50,000; 10,000 with --quick) already waiting on `usage-events`,
 *    in arrival order (an expansion's four events far apart); the billing process starts and
 *    events per second are counted from its first claim to its last (`usage_events` rows).
 *    Baseline in the same run: a bare BullMQ worker doing nothing with the same jobs, on the
 *    same Redis, at billing's consumer concurrency.
 * 2. Invoicing: one month of 10,000 tenants and 1,000,000 metered intervals written in SQL,
 *    graduated bands, mid-month plan changes; `POST /admin/v1/billing/close` timed end to end.
 *    Baseline: one SQL statement summing each tenant's GiB-seconds of the month.
 * Prints each figure as it is measured, then one JSON line.
 */
import type { UsageEvent } from '@mxs/contracts';
import { QUEUES } from '@mxs/contracts';
import { JOB_DEFAULTS } from '@mxs/messaging';
import { createTestDatabase } from '@mxs/persistence';
import type { TestDatabase } from '@mxs/persistence';
import type { AppProcess } from '@mxs/test-kit';
import { ADMIN_KEY, admin, dropQueueKeys, spawnApp } from '@mxs/test-kit';
import { Rng } from '@mxs/topology';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { BENCH_MONTH, BENCH_PLANS, fillMonth, sumMonthInSql } from './billing-month';

const quick = process.argv.includes('--quick');
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const TARGETS = { ingestEventsPerSec: 5_000, invoiceMonthSeconds: 10 } as const;
const INGEST_EVENTS = quick ? 10_000 : 50_000;
const MONTH_SHAPE = quick ? { tenants: 1_000, expansions: 40_000 } : { tenants: 10_000, expansions: 400_000 };
/** Billing's default MXS_METER_CONCURRENCY: the baseline worker holds as many jobs at once. */
const METER_CONCURRENCY = 512;

const say = (line: string): void => console.log(line);
/** One measured figure per line, labels aligned. */
const figure = (label: string, text: string): void => say(`${label.padEnd(38)}${text}`);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Everything made along the way, undone in `cleanUp` whether the run finished or not. */
const made = { databases: [] as TestDatabase[], prefixes: [] as string[], processes: [] as AppProcess[], clients: [] as Client[] };

async function cleanUp(): Promise<void> {
  for (const p of made.processes) await p.stop().catch(() => undefined);
  for (const c of made.clients) await c.end().catch(() => undefined);
  for (const db of made.databases) await db.drop().catch((e: unknown) => console.error(`could not drop ${db.name}: ${String(e)}`));
  for (const prefix of made.prefixes) await dropQueueKeys(REDIS_URL, prefix).catch((e: unknown) => console.error(`could not drop ${prefix}: ${String(e)}`));
}

function newPrefix(): string {
  const prefix = `{mxs-bench-billing-${randomBytes(4).toString('hex')}}`;
  made.prefixes.push(prefix);
  return prefix;
}

async function newDatabase(label: string): Promise<{ db: TestDatabase; sql: Client }> {
  const db = await createTestDatabase(label);
  made.databases.push(db);
  const sql = new Client({ connectionString: db.url });
  await sql.connect();
  made.clients.push(sql);
  return { db, sql };
}

async function spawnBilling(db: TestDatabase, prefix: string, env: Record<string, string> = {}): Promise<AppProcess> {
  const app = await spawnApp('billing', {
    DATABASE_URL: db.url, REDIS_URL, MXS_QUEUE_PREFIX: prefix, MXS_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'warn',
    MXS_RATE_LIMIT_PER_MINUTE: '0', MXS_BILLING_CLOSE_INTERVAL_MS: '0', MXS_SLA_EVALUATION_INTERVAL_MS: '0', ...env,
  });
  made.processes.push(app);
  return app;
}

/** Expansions of a thousand tenants, each activated, degraded, restored and released; shuffled as they arrive. */
function usageStream(count: number): UsageEvent[] {
  const rng = new Rng(20260201);
  const events: UsageEvent[] = [];
  const types = ['expansion.activated', 'expansion.degraded', 'expansion.restored', 'expansion.released'] as const;
  for (let i = 0; events.length < count; i++) {
    const expansionId = randomUUID();
    const tenantId = `bench-${i % 1_000}`;
    const tier = rng.pick(['direct', 'pooled'] as const);
    const sizeGiB = rng.pick([1, 2, 4, 8, 16, 64]);
    let atMs = BENCH_MONTH.startSec * 1000 + rng.int(0, 20 * 86_400_000);
    for (const type of types.slice(0, count - events.length)) {
      events.push({ eventId: randomUUID(), type, expansionId, tenantId, vmId: `vm-${tenantId}`, hostId: `host-${i % 64}`, tier, sizeGiB: type === 'expansion.released' ? 0 : sizeGiB, at: new Date(atMs).toISOString(), reason: null });
      atMs += rng.int(1_000, 86_400_000);
    }
  }
  for (let i = events.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [events[i], events[j]] = [events[j] as UsageEvent, events[i] as UsageEvent];
  }
  return events;
}

/** Puts the events on `usage-events` under `prefix` as the outbox relay does: job id = event id. */
async function preload(prefix: string, events: readonly UsageEvent[]): Promise<void> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUES.usageEvents, { connection, prefix, defaultJobOptions: JOB_DEFAULTS[QUEUES.usageEvents] });
  try {
    for (let i = 0; i < events.length; i += 1_000) {
      await queue.addBulk(events.slice(i, i + 1_000).map((e) => ({ name: 'usage-event', data: e, opts: { jobId: e.eventId } })));
    }
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

/** Claims per second, from the first claim seen to the last (polled every 10 ms). */
async function ingest(events: readonly UsageEvent[]): Promise<{ eventsPerSec: number; seconds: number; claimedBeforeFirstPoll: number }> {
  const prefix = newPrefix();
  const { db, sql } = await newDatabase('bench_billing_ingest');
  await preload(prefix, events);
  let spawnFailure: unknown = null;
  const spawned = spawnBilling(db, prefix).catch((error: unknown) => {
    spawnFailure = error;
  });
  let firstSeen: { atMs: number; claimed: number } | null = null;
  let lastAtMs = 0;
  const deadline = performance.now() + 600_000;
  for (;;) {
    if (spawnFailure !== null) throw spawnFailure;
    if (performance.now() > deadline) throw new Error('ingest: not every event claimed after 10 minutes');
    const [row] = (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM usage_events`)).rows;
    const claimed = row?.n ?? 0;
    const now = performance.now();
    if (claimed > 0) firstSeen ??= { atMs: now, claimed };
    if (claimed >= events.length) {
      lastAtMs = now;
      break;
    }
    await sleep(10);
  }
  await spawned;
  const first = firstSeen ?? { atMs: lastAtMs, claimed: events.length };
  const seconds = (lastAtMs - first.atMs) / 1000;
  return { eventsPerSec: (events.length - first.claimed) / seconds, seconds, claimedBeforeFirstPoll: first.claimed };
}

/** A BullMQ worker whose processor does nothing, over the same jobs: jobs per second, first completion to last. */
async function bareWorker(events: readonly UsageEvent[]): Promise<number> {
  const prefix = newPrefix();
  await preload(prefix, events);
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  let done = 0;
  let firstMs = 0;
  let lastMs = 0;
  const worker = new Worker(QUEUES.usageEvents, async () => undefined, { connection, prefix, concurrency: METER_CONCURRENCY });
  worker.on('completed', () => {
    done++;
    if (done === 1) firstMs = performance.now();
    if (done === events.length) lastMs = performance.now();
  });
  while (done < events.length) await sleep(10);
  await worker.close();
  connection.disconnect();
  return (events.length - 1) / ((lastMs - firstMs) / 1000);
}

async function invoicing(): Promise<{ wallSeconds: number; durationMs: number; invoices: number; intervals: number; rerateSeconds: number; baselineSeconds: number }> {
  const prefix = newPrefix();
  const { db, sql } = await newDatabase('bench_billing_month');
  const billing = await spawnBilling(db, prefix, { MXS_METER_CONCURRENCY: '0' });
  for (const plan of BENCH_PLANS) {
    const created = await admin(billing.url, 'POST', '/admin/v1/plans', plan);
    if (created.status !== 201) throw new Error(`plan ${plan.id}: ${created.status} ${JSON.stringify(created.body)}`);
  }
  let t0 = performance.now();
  const { intervals, assignments } = await fillMonth(sql, MONTH_SHAPE);
  figure('month data (SQL)', `${MONTH_SHAPE.tenants} tenants, ${intervals} intervals, ${assignments} plan assignments in ${round((performance.now() - t0) / 1000)} s`);

  const close = async (): Promise<{ seconds: number; durationMs: number; rated: number }> => {
    const started = performance.now();
    const reply = await admin(billing.url, 'POST', '/admin/v1/billing/close', { period: BENCH_MONTH.name, finalize: false });
    const seconds = (performance.now() - started) / 1000;
    if (reply.status !== 200) throw new Error(`close: ${reply.status} ${JSON.stringify(reply.body)}\n${billing.output().slice(-2000)}`);
    const body = reply.body as { rated: number; durationMs: number; unrated: string[] };
    if (body.unrated.length > 0) throw new Error(`close left ${body.unrated.length} tenants unrated`);
    return { seconds, durationMs: body.durationMs, rated: body.rated };
  };
  const first = await close();
  const [written] = (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM invoices WHERE period = $1::date`, [`${BENCH_MONTH.name}-01`])).rows;
  figure(`close ${BENCH_MONTH.name} (drafts written)`, `${round(first.seconds, 2)} s wall, durationMs ${first.durationMs}, ${first.rated} rated, ${written?.n ?? 0} invoices   target ≤ ${TARGETS.invoiceMonthSeconds} s`);
  const again = await close();
  figure('close again (drafts re-rated)', `${round(again.seconds, 2)} s wall, durationMs ${again.durationMs}`);

  t0 = performance.now();
  const tenantsSummed = await sumMonthInSql(sql);
  const baselineSeconds = (performance.now() - t0) / 1000;
  figure('baseline: one SQL sum per tenant', `${round(baselineSeconds, 2)} s (${tenantsSummed} tenants)   close takes ${round(first.seconds / baselineSeconds)}× as long`);
  return { wallSeconds: first.seconds, durationMs: first.durationMs, invoices: written?.n ?? 0, intervals, rerateSeconds: again.seconds, baselineSeconds };
}

async function main(): Promise<void> {
  say(`bench:billing${quick ? ' --quick' : ''}: ${INGEST_EVENTS} usage events; a month of ${MONTH_SHAPE.tenants} tenants`);
  const events = usageStream(INGEST_EVENTS);
  const billed = await ingest(events);
  figure('ingest (billing process)', `${Math.round(billed.eventsPerSec)} events/s over ${round(billed.seconds, 2)} s   target ≥ ${TARGETS.ingestEventsPerSec}`);
  const bare = await bareWorker(events);
  const ingestRatio = billed.eventsPerSec / bare;
  figure('baseline: bare BullMQ worker', `${Math.round(bare)} jobs/s   billing does ${round(ingestRatio, 3)} of it`);
  const month = await invoicing();
  const result = {
    ingestEventsPerSec: Math.round(billed.eventsPerSec),
    ingestBaselineJobsPerSec: Math.round(bare),
    ingestRatio: round(ingestRatio, 3),
    invoiceMonthSeconds: round(month.wallSeconds, 2),
    invoiceMonthDurationMs: month.durationMs,
    invoiceRerateSeconds: round(month.rerateSeconds, 2),
    invoices: month.invoices,
    intervals: month.intervals,
    invoiceBaselineSeconds: round(month.baselineSeconds, 2),
    invoiceRatio: round(month.wallSeconds / month.baselineSeconds),
    events: events.length,
    quick,
    targets: TARGETS,
    met: { ingestEventsPerSec: billed.eventsPerSec >= TARGETS.ingestEventsPerSec, invoiceMonthSeconds: month.wallSeconds <= TARGETS.invoiceMonthSeconds },
  };
  console.log(JSON.stringify(result));
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => cleanUp());
