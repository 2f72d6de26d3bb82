/**
 * `npm run bench:hotplug [-- --quick] [-- --only throughput|latency] [-- --keep] [-- --cpu-prof] [-- --expansions N] [-- --bursts N]`: hot-plug sagas through the real path (API → outbox →
 * BullMQ → worker → simulator → PostgreSQL), each app in its own process, on the rack64 fleet.
 *
 * 1. Throughput: the simulator at time scale 0; expansions kept in flight, each removed as soon
 *    as it is active; completed sagas per second (a hot-add and a hot-remove are one saga each,
 *    one hotplug job each), and add-then-remove pairs per second beside them. Baseline in the
 *    same run: a bare BullMQ worker doing nothing on the same Redis, jobs per second, and the ratio.
 * 2. Latency: the simulator at its default (real-time) durations, 200 expansions at once over 64
 *    hosts; time to ready p50/p99, and mxs's own part of it: the total minus the time the
 *    simulated host spent on steps meanwhile (its own, and those of expansions ahead of it on
 *    that host, since a host runs one hot-plug at a time); also shown counting that wait.
 *    The figures are those of processes that have run the path before, as in service: a first
 *    burst on the freshly started processes is reported apart (`cold…`), then two more bursts
 *    warm them up, each removed before the next, and the next three are measured together
 *    (one with `--quick`; `--bursts N` measures N), each burst's own p99 printed beside the pooled one. The overhead is
 *    split into where it goes: a host's first saga waits from the decision to its lease (split
 *    at its job's BullMQ times: the commit and the add, the wait for a fetch, then the lease)
 *    and on to its first step; a later one waits for the handoff from the saga before it; and
 *    a saga waits between its own steps. The overhead is also given by a saga's place on its
 *    host (first, second, third, fourth or later: a later one counts the gaps of those before
 *    it that came after its decision), with how long after each burst's first decision the
 *    last of the hosts' first sagas held its lease. The CPU each process spent per hot-add in the
 *    measured bursts (from the first POST until all were active) is printed beside, with how
 *    busy the machine was meanwhile. The same figures counted from the bench's POST call
 *    rather than the decision are printed beside them: those count the API's reading and
 *    placing, and the bench's own sending of 200 requests at once. `--expansions N` sends N at
 *    once instead (up to 256), to see how the overhead grows with the burst (the target is for
 *    200 only); below 64 they go to N hosts, one each, so no saga waits for a handoff.
 *    The baseline: the measured bursts again, through the bare path (bare-path-app.ts: the
 *    hops of the design with less than the design's work, no framework), measured the same way.
 *    Then, on the same stack, 200 (or N) expansions kept in flight, each removed once active
 *    and replaced once released: the same figures for those added in SUSTAINED_SECONDS after a
 *    warm-up (`sustained`), with the time their hosts spent on any saga taken out, and each
 *    slice's p99. The target is judged on the bursts.
 * Prints a table, then one JSON line. `--only throughput|latency` runs one stage (the other's
 * lines are left out, its figures are null, zero or empty, its verdict null); `--keep` leaves each stage's database for study in SQL; `--cpu-prof`
 * writes a CPU profile of each app of each stage to tmp/bench-profile/hotplug-<stage>/ (the
 * profiler slows them, so the figures of such a run are not comparable).
 */
import { createTestDatabase } from '@mxs/persistence';
import type { TestDatabase } from '@mxs/persistence';
import type { AppProcess } from '@mxs/test-kit';
import { ADMIN_KEY, admin, dropQueueKeys, spawnApp, waitFor } from '@mxs/test-kit';
import { generateFleetSpec } from '@mxs/topology';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { Client } from 'pg';
import { SimulatorControl } from '@mxs/host-agent';
import { QUEUES } from '@mxs/contracts';
import type { CpuSnapshot, CpuSplit } from './cpu-accounting';
import { snapshot, split } from './cpu-accounting';
import { redisServerPid } from './api-load';
import { KeepAliveCaller } from './keep-alive-call';
import { jobTimes } from './job-times';
import type { BarePlacement } from './bare-path-app';
import { BarePath, placementsOf, releasedOnly } from './bare-path';
import { groupBy } from '../soak/db-state';
import type { BurstExpansion, BurstFigures, BurstRow, SustainedFigures } from './hotplug-latency';
import { burstFigures, placeName, sustainedFigures, toBurstExpansions } from './hotplug-latency';
import { MAX_EXPANSIONS, TARGETS, TARGET_EXPANSIONS, judge, parseHotplugArgs } from './hotplug-args';

const { quick, keep, cpuProfile, only, expansions: LATENCY_EXPANSIONS, bursts: MEASURED_BURSTS } = parseHotplugArgs(process.argv.slice(2));
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const TOKEN = `bench-sim-${randomBytes(12).toString('hex')}`;
const THROUGHPUT_SECONDS = quick ? 8 : 20;
const IN_FLIGHT = 128;
/** Bursts between the cold one and the measured one: V8 compiles each path as it first runs it. */
const WARM_UP_BURSTS = 2;
/**
 * The sustained run: its clients start over SUSTAINED_RAMP_MS rather than at once, and those
 * added in the first SUSTAINED_WARM_UP_MS are not measured (a per-second series of a run that
 * measured from 4 s showed the start's wave still on the hosts for about 12 s); then it
 * measures for SUSTAINED_SECONDS, cut in SUSTAINED_SLICES.
 */
const SUSTAINED_RAMP_MS = 2_000;
const SUSTAINED_WARM_UP_MS = 10_000;
const SUSTAINED_SECONDS = quick ? 12 : 30;
const SUSTAINED_SLICES = 6;

const log = (m: string): void => void process.stderr.write(`${m}\n`);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface BenchVm {
  readonly id: string;
  /** Its tenant's key. */
  readonly key: string;
}

interface Stack {
  db: TestDatabase;
  prefix: string;
  sim: AppProcess;
  api: AppProcess;
  worker: AppProcess;
  vms: BenchVm[];
  sql: Client;
  client: KeepAliveCaller;
}

async function startStack(timeScale: number, stage: string): Promise<Stack> {
  const db = await createTestDatabase('bench_hotplug');
  const prefix = `{mxs-bench-${randomBytes(4).toString('hex')}}`;
  const common = { DATABASE_URL: db.url, REDIS_URL, MXS_QUEUE_PREFIX: prefix, MXS_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'warn' };
  const flags = profilerFlags(stage);
  const sim = await spawnApp('host-simulator', { MXS_SIM_TOKEN: TOKEN, MXS_SIM_TIME_SCALE: String(timeScale), LOG_LEVEL: 'warn' }, 'MXS_SIM_PORT', flags('host-simulator'));
  const api = await spawnApp('placement-api', { ...common, MXS_RATE_LIMIT_PER_MINUTE: '0' }, 'PORT', flags('placement-api'));
  const worker = await spawnApp('hotplug-worker', {
    ...common, MXS_HOST_AGENT_URL: sim.url, MXS_HOST_AGENT_TOKEN: TOKEN,
    MXS_TELEMETRY_INTERVAL_MS: '0', MXS_RECONCILE_INTERVAL_MS: '0',
  }, 'PORT', flags('hotplug-worker'));
  const fleet = generateFleetSpec({ preset: 'rack64', seed: 1, vmsPerHost: 0 });
  const loaded = await admin(api.url, 'PUT', '/admin/v1/fleet', fleet);
  if (loaded.status !== 200) throw new Error(`fleet: ${loaded.status} ${JSON.stringify(loaded.body)}`);
  const control = new SimulatorControl({ baseUrl: sim.url, token: TOKEN });
  await control.loadFleet(fleet);
  control.close();
  // A tenant per VM, as in real traffic: a tenant's quota row orders its own commits, by design.
  const hosts = fleet.hosts.slice(0, 64);
  const vms: BenchVm[] = [];
  for (const [i, h] of hosts.entries()) {
    const id = `bench-vm-${i}`;
    const tenant = await admin(api.url, 'POST', '/admin/v1/tenants', { id: `bench-${i}`, name: `Bench ${i}`, quotaGiB: 1_000_000 });
    const vm = await admin(api.url, 'POST', '/admin/v1/vms', { id, tenantId: `bench-${i}`, hostId: h.id, dramGiB: 512, name: id });
    if (tenant.status !== 201 || vm.status !== 201) throw new Error(`tenant/vm: ${tenant.status} ${vm.status} ${JSON.stringify(vm.body)}`);
    vms.push({ id, key: (tenant.body as { apiKey: string }).apiKey });
  }
  const sql = new Client({ connectionString: db.url });
  await sql.connect();
  return { db, prefix, sim, api, worker, vms, sql, client: new KeepAliveCaller(api.url, Math.max(IN_FLIGHT * 2, MAX_EXPANSIONS)) };
}

/** With `--cpu-prof`, each app writes its profile on exit, named after it, in the stage's directory. */
function profilerFlags(stage: string): (app: string) => string[] {
  if (!cpuProfile) return () => [];
  const dir = `tmp/bench-profile/hotplug-${stage}`;
  mkdirSync(dir, { recursive: true });
  log(`CPU profiles of the ${stage} stage go to ${dir}/`);
  return (app) => ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${app}.cpuprofile`];
}

async function stopStack(s: Stack): Promise<void> {
  await s.sql.end();
  s.client.close();
  for (const p of [s.worker, s.api, s.sim]) await p.stop();
  if (keep) log(`kept database ${new URL(s.db.url).pathname.slice(1)}`);
  else await s.db.drop();
  await dropQueueKeys(REDIS_URL, s.prefix);
}

function post(s: Stack, vm: BenchVm, owners: Map<string, string>): Promise<string> {
  return s.client.call('POST', `/v1/vms/${vm.id}/expansions`, { key: vm.key, body: { sizeGiB: 4, tier: 'any' }, headers: { 'idempotency-key': randomBytes(8).toString('hex') } }).then((r) => {
    if (r.status !== 202) throw new Error(`POST: ${r.status} ${JSON.stringify(r.body)}`);
    owners.set(r.body.id as string, vm.key);
    return r.body.id as string;
  });
}

/**
 * Keeps IN_FLIGHT expansions going: each is removed once active and replaced once released.
 * Counts sagas as DESIGN §5 names them: an expansion's hot-add is one (done when it is active
 * or failed), its hot-remove another (done when it is released); add-remove pairs are counted
 * too. The window opens after a 2 s warm-up; CPU is split per saga over the same window.
 */
async function throughput(s: Stack): Promise<{ sagasPerSec: number; sagaPairsPerSec: number; completed: number; pairs: number; cpuMsPerSaga: Record<string, number>; machineBusyPct: number; machineStealPct: number }> {
  const inFlight = new Map<string, 'adding' | 'removing'>();
  const owners = new Map<string, string>();
  let next = 0;
  const fill = async (): Promise<void> => {
    const wanted = IN_FLIGHT - inFlight.size;
    const ids = await Promise.all(Array.from({ length: wanted }, () => post(s, s.vms[next++ % s.vms.length] as BenchVm, owners)));
    for (const id of ids) inFlight.set(id, 'adding');
  };
  await fill();
  const started = Date.now();
  const groups = await processGroups(s, []);
  let window: { openedAt: number; cpu: CpuSnapshot | null } | null = null;
  let completed = 0;
  let pairs = 0;
  while (Date.now() - started < THROUGHPUT_SECONDS * 1000) {
    if (window === null && Date.now() - started >= 2_000) {
      groups.postgres = await backendPids(s);
      window = { openedAt: Date.now(), cpu: snapshot(Object.values(groups).flat()) };
    }
    const rows = await statesOf(s, [...inFlight.keys()]);
    const removals: Promise<unknown>[] = [];
    for (const r of rows) {
      const phase = inFlight.get(r.id);
      const ended = r.state === 'released' || r.state === 'failed';
      if (phase === 'adding' && (r.state === 'active' || ended)) completed += window === null ? 0 : 1;
      if (phase === 'removing' && ended) {
        completed += window === null ? 0 : 1;
        pairs += window === null ? 0 : 1;
      }
      if (r.state === 'active' && phase === 'adding') {
        inFlight.set(r.id, 'removing');
        removals.push(s.client.call('DELETE', `/v1/expansions/${r.id}`, { key: owners.get(r.id) ?? '' }));
      } else if (ended) {
        inFlight.delete(r.id);
        owners.delete(r.id);
      }
    }
    await Promise.all(removals);
    await fill();
    await sleep(10);
  }
  if (window === null) throw new Error('the throughput window never opened');
  const seconds = (Date.now() - window.openedAt) / 1000;
  // Pools open connections as load needs them: a backend that started within the window counts whole.
  groups.postgres = [...new Set([...groups.postgres, ...(await backendPids(s))])];
  const cpuAfter = snapshot(Object.values(groups).flat());
  const cpu = window.cpu === null || cpuAfter === null ? null : split(window.cpu, cpuAfter, groups);
  return { sagasPerSec: completed / seconds, sagaPairsPerSec: pairs / seconds, completed, pairs, cpuMsPerSaga: cpuPer(cpu === null ? [] : [cpu], completed), machineBusyPct: cpu?.machineBusyPct ?? 0, machineStealPct: cpu?.machineStealPct ?? 0 };
}

type ProcessGroups = Record<'api' | 'worker' | 'simulator' | 'driver' | 'postgres' | 'redis', number[]>;

/** The processes whose CPU the bench splits: the apps, itself, PostgreSQL's backends (`postgres`), Redis. */
async function processGroups(s: Stack, postgres: number[]): Promise<ProcessGroups> {
  return {
    api: [s.api.process.pid ?? 0], worker: [s.worker.process.pid ?? 0], simulator: [s.sim.process.pid ?? 0], driver: [process.pid],
    postgres, redis: [(await redisServerPid(REDIS_URL)) ?? 0],
  };
}

/** CPU ms per unit (a saga, a hot-add) by group, and the rest of the machine's as `others`, over one or more splits. */
function cpuPer(splits: readonly CpuSplit[], units: number): Record<string, number> {
  const per = (ms: number): number => Math.round((ms / Math.max(1, units)) * 100) / 100;
  const sums = new Map<string, number>();
  for (const cpu of splits) {
    for (const [k, ms] of [...Object.entries(cpu.groupsMs), ['others', cpu.othersMs] as const]) sums.set(k, (sums.get(k) ?? 0) + ms);
  }
  return Object.fromEntries([...sums].map(([k, ms]) => [k, per(ms)]));
}

/** The PostgreSQL backends serving the bench database (the apps' pools). */
async function backendPids(s: Stack): Promise<number[]> {
  const { rows } = await s.sql.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`);
  return rows.map((r) => r.pid);
}


/** A bare BullMQ worker that does nothing, on the same Redis, at the same concurrency. */
async function bareBullmq(): Promise<number> {
  const prefix = `{mxs-bench-bare-${randomBytes(4).toString('hex')}}`;
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('bare', { connection, prefix });
  const total = quick ? 5_000 : 20_000;
  for (let i = 0; i < total; i += 1000) await queue.addBulk(Array.from({ length: 1000 }, (_, j) => ({ name: 'noop', data: { i: i + j } })));
  let done = 0;
  const started = Date.now();
  const workerConnection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const worker = new Worker('bare', async () => undefined, { connection: workerConnection, prefix, concurrency: 128 });
  worker.on('completed', () => done++);
  while (done < total) await sleep(20);
  const perSec = total / ((Date.now() - started) / 1000);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  workerConnection.disconnect();
  return perSec;
}

interface LatencyRun {
  readonly warm: BurstFigures;
  readonly cold: BurstFigures;
  /** The same bursts through the bare path, measured the same way; null when it failed. */
  readonly bare: BareRun | null;
  /** CPU ms per hot-add in the measured bursts, by process, and how busy the machine was meanwhile (mean of the bursts). */
  readonly cpuMsPerHotAdd: Record<string, number>;
  readonly machineBusyPct: number;
  /** Null when it failed. */
  readonly sustained: SustainedRun | null;
}

/**
 * The latency stage on one stack: a first burst on freshly started processes (reported as the
 * cold figures), bursts that only warm up, then the measured bursts, their expansions pooled
 * (see burstFigures). Each burst is removed before the next, so each one meets the same empty
 * hosts; then the sustained run (see sustained), whose failure leaves the bursts' figures.
 */
async function latency(s: Stack): Promise<LatencyRun> {
  const cold = await burst(s);
  await removeAll(s, cold.ids, cold.owners);
  for (let round = 0; round < WARM_UP_BURSTS; round++) {
    const b = await burst(s);
    await removeAll(s, b.ids, b.owners);
  }
  const measured: Burst[] = [];
  const placements: Map<string, BarePlacement>[] = [];
  for (let round = 0; round < MEASURED_BURSTS; round++) {
    const b = await burst(s);
    measured.push(b);
    placements.push(await placementsOf(s.sql, b.ids));
    if (round < MEASURED_BURSTS - 1) await removeAll(s, b.ids, b.owners);
  }
  // One query at a time: the bench's SQL client is a single connection.
  const warm: BurstExpansion[][] = [];
  for (const b of measured) warm.push(await burstRows(s, b));
  const coldFigures = burstFigures([await burstRows(s, cold)]);
  const last = measured.at(-1);
  if (last !== undefined) await removeAll(s, last.ids, last.owners);
  const splits = measured.flatMap((b) => (b.cpu === null ? [] : [b.cpu]));
  // After all of mxs's bursts rather than taking turns with them: in turns, each side's pools and
  // sockets sat idle past their keep-alive through the other's burst and removal, and were opened
  // again inside its own bursts (a trial: mxs's p99 522 ms, with 4.6 ms per hot-add on PostgreSQL
  // backends started in the burst).
  const bare = await bareBursts(s, placements).catch((error: unknown) => {
    log(`bench:hotplug — the bare path failed, its figures are left out: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  });
  return {
    cold: coldFigures, warm: burstFigures(warm), bare,
    cpuMsPerHotAdd: cpuPer(splits, measured.reduce((n, b) => n + b.ids.length, 0)),
    machineBusyPct: Math.round(splits.reduce((sum, c) => sum + c.machineBusyPct, 0) / Math.max(1, splits.length)),
    sustained: await sustained(s).catch((error: unknown) => {
      // The bursts are measured already, and the target is judged on them.
      log(`bench:hotplug — the sustained run failed, its figures are left out: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }),
  };
}

interface BareRun {
  readonly figures: BurstFigures;
  readonly cpuMsPerHotAdd: Record<string, number>;
  readonly machineBusyPct: number;
}

/**
 * The baseline of the latency bursts: the measured bursts' placements again, on the same hosts
 * and simulator, through the bare path (bare-path.ts) instead of mxs, with as many bursts
 * before them to warm it up as mxs had; measured, and its CPU split, as mxs's bursts are.
 */
async function bareBursts(s: Stack, placed: readonly Map<string, BarePlacement>[]): Promise<BareRun> {
  const placements: BarePlacement[][] = [];
  for (const burstPlacements of placed) {
    const free = await releasedOnly(s.sql, burstPlacements);
    if (free.held.length > 0) log(`bench:hotplug — the bare path leaves out ${free.held.length} expansions whose removal by mxs did not release them: ${free.held.join(', ')}`);
    placements.push(free.placements);
  }
  const bare = await BarePath.start({ databaseUrl: s.db.url, redisUrl: REDIS_URL, agentUrl: s.sim.url, agentToken: TOKEN, sql: s.sql });
  try {
    const first = placements[0] ?? [];
    for (let round = 0; round < 1 + WARM_UP_BURSTS; round++) await bare.removeAll((await bare.burst(first)).ids);
    const groups: ProcessGroups = { api: [bare.processIds.api], worker: [bare.processIds.worker], simulator: [s.sim.process.pid ?? 0], driver: [process.pid], postgres: [], redis: [(await redisServerPid(REDIS_URL)) ?? 0] };
    const rows: BurstExpansion[][] = [];
    const splits: CpuSplit[] = [];
    for (const burstPlacements of placements) {
      groups.postgres = await backendPids(s);
      const before = snapshot(Object.values(groups).flat());
      const b = await bare.burst(burstPlacements);
      const after = snapshot(Object.values(groups).flat());
      if (before !== null && after !== null) splits.push(split(before, after, groups));
      rows.push(await bare.rows(b.ids, b.sentAt));
      await bare.removeAll(b.ids);
    }
    return {
      figures: burstFigures(rows),
      cpuMsPerHotAdd: cpuPer(splits, rows.reduce((n, r) => n + r.length, 0)),
      machineBusyPct: Math.round(splits.reduce((sum, c) => sum + c.machineBusyPct, 0) / Math.max(1, splits.length)),
    };
  } finally {
    await bare.stop();
  }
}

interface Burst {
  readonly ids: string[];
  readonly owners: Map<string, string>;
  /** When each POST was sent, by expansion id. */
  readonly sentAt: Map<string, number>;
  /** Where the CPU went from the first POST until all were active (null off Linux). */
  readonly cpu: CpuSplit | null;
}

/** 200 expansions (or --expansions) at once over 64 hosts (fewer: one each on as many), and back once all are active (or failed). */
async function burst(s: Stack): Promise<Burst> {
  const owners = new Map<string, string>();
  const sentAt = new Map<string, number>();
  const groups = await processGroups(s, await backendPids(s));
  const before = snapshot(Object.values(groups).flat());
  const ids = await Promise.all(Array.from({ length: LATENCY_EXPANSIONS }, (_, i) => {
    const sent = Date.now();
    return post(s, s.vms[i % s.vms.length] as BenchVm, owners).then((id) => (sentAt.set(id, sent), id));
  }));
  await settled(s, ids, ['active', 'failed']);
  const after = snapshot(Object.values(groups).flat());
  return { ids, owners, sentAt, cpu: before === null || after === null ? null : split(before, after, groups) };
}

/** DELETEs a burst and waits until no removal runs; a hot-remove that gives up leaves its expansion `active`. */
async function removeAll(s: Stack, ids: readonly string[], owners: ReadonlyMap<string, string>): Promise<void> {
  await Promise.all(ids.map((id) => s.client.call('DELETE', `/v1/expansions/${id}`, { key: owners.get(id) ?? '' })));
  await settled(s, ids, ['released', 'failed', 'active']);
}

function settled(s: Stack, ids: readonly string[], states: readonly string[]): Promise<void> {
  return waitFor(`${ids.length} expansions ${states.join(' or ')}`, async () => {
    const rows = await statesOf(s, ids);
    return rows.filter((r) => states.includes(r.state)).length === ids.length;
  }, 60_000, 50);
}

/**
 * The expansions' states, each read by its key: the bench polls this many times a second, and
 * `id = ANY(...)` with a few hundred ids was planned as a scan of every expansion, a cost on
 * the same two cores that grew with each one added (millions of rows read in a run).
 */
async function statesOf(s: Stack, ids: readonly string[]): Promise<{ id: string; state: string }[]> {
  const { rows } = await s.sql.query<{ id: string; state: string }>(
    `SELECT e.id, e.state FROM unnest($1::uuid[]) AS n(id) CROSS JOIN LATERAL (SELECT id, state FROM expansions WHERE id = n.id OFFSET 0) AS e`,
    [ids],
  );
  return rows;
}

/** A checkpoint section's steps as [start, end] spans in ms since the epoch ([finishedAt - durationMs, finishedAt]): a JSON array. */
const spansOf = (section: string): string => `(SELECT coalesce(json_agg(json_build_array(f - (v->>'durationMs')::float8, f)), '[]')
  FROM jsonb_each(coalesce(${section}, '{}')) AS x(k, v), LATERAL (SELECT extract(epoch FROM (v->>'finishedAt')::timestamptz) * 1000 AS f) AS fin)`;

/**
 * A burst's expansions as their rows tell it: the decision, the hot-add's lease, its steps as
 * the worker timed them ([finishedAt - durationMs, finishedAt]), and when it went active; and
 * as its hot-add job tells it (job id = operation id): when it was queued and last fetched.
 */
async function burstRows(s: Stack, { ids, sentAt }: Pick<Burst, 'ids' | 'sentAt'>): Promise<BurstExpansion[]> {
  const { rows } = await s.sql.query<BurstRow & { op: string }>(
    `SELECT e.id, o.id AS op, e.host_id, extract(epoch FROM e.created_at) * 1000 AS t0, extract(epoch FROM o.started_at) * 1000 AS begun,
       (SELECT extract(epoch FROM min(t.at)) * 1000 FROM expansion_transitions t WHERE t.expansion_id = e.id AND t.to_state = 'active') AS t1,
       ${spansOf(`o.checkpoint->'steps'`)} AS steps
     FROM expansions e JOIN operations o ON o.expansion_id = e.id AND o.kind = 'hot-add'
     WHERE e.id = ANY($1::uuid[])`,
    [ids],
  );
  return toBurstExpansions(rows, await jobTimes(REDIS_URL, s.prefix, QUEUES.hotplug, rows.map((r) => r.op)), sentAt);
}

interface SustainedRun {
  readonly figures: SustainedFigures;
  /** Expansions added per second while measured: the load that LATENCY_EXPANSIONS in flight made. */
  readonly hotAddsPerSec: number;
  /** CPU ms by process per expansion added in the window (in steady state, a hot-add and a hot-remove each). */
  readonly cpuMsPerExpansion: Record<string, number>;
  readonly machineBusyPct: number;
}

/** States a kept-in-flight expansion ends in (a removal that gives up leaves it active: see sustained). */
const ENDED = ['released', 'failed', 'rejected'];
/** States before an expansion is ready. */
const NOT_READY = ['requested', 'placed', 'attaching'];

/**
 * LATENCY_EXPANSIONS expansions kept in flight, as that many tenants' clients would: each is
 * removed once active and, once released, replaced by a new one on the same VM; the clients
 * start over SUSTAINED_RAMP_MS, each polled from its start. Those added in the SUSTAINED_SECONDS
 * after SUSTAINED_WARM_UP_MS are measured as the bursts are, except that the time their hosts
 * spent on any saga (removals included) is taken out. The load goes on until the last of them
 * is ready, so none is timed on a machine winding down. Another reading of the issue's
 * "200 concurrent expansions" than the bursts'.
 */
async function sustained(s: Stack): Promise<SustainedRun> {
  const owners = new Map<string, string>();
  const sentAt = new Map<string, number>();
  const inFlight = new Map<string, { removing: boolean; vm: BenchVm }>();
  const measured: string[] = [];
  /** Measured expansions not yet ready. */
  const waiting = new Set<string>();
  const started = Date.now();
  // Set when the window opens: SUSTAINED_SECONDS from then.
  let closesAt = Infinity;
  const groups = await processGroups(s, []);
  let window: { openedAt: number; cpu: CpuSnapshot | null } | null = null;
  let closed: { seconds: number; cpu: CpuSplit | null } | null = null;
  const add = async (vm: BenchVm): Promise<void> => {
    const sent = Date.now();
    const id = await post(s, vm, owners);
    sentAt.set(id, sent);
    inFlight.set(id, { removing: false, vm });
    if (window !== null && sent >= window.openedAt && sent < closesAt) {
      measured.push(id);
      waiting.add(id);
    }
  };
  const remove = async (id: string): Promise<void> => {
    const r = await s.client.call('DELETE', `/v1/expansions/${id}`, { key: owners.get(id) ?? '' });
    if (r.status !== 202) throw new Error(`DELETE: ${r.status} ${JSON.stringify(r.body)}`);
  };
  // Not awaited before the loop: a client started early is polled (and removed once active) at once, not after the last has started.
  const ramp = Promise.all(Array.from({ length: LATENCY_EXPANSIONS }, (_, i) => sleep((i * SUSTAINED_RAMP_MS) / LATENCY_EXPANSIONS).then(() => add(s.vms[i % s.vms.length] as BenchVm))));
  let rampFailed: unknown = null;
  ramp.catch((error: unknown) => (rampFailed = error));
  while (closed === null || waiting.size > 0) {
    if (rampFailed !== null) throw rampFailed;
    const now = Date.now();
    if (window === null && now - started >= SUSTAINED_WARM_UP_MS) {
      groups.postgres = await backendPids(s);
      window = { openedAt: Date.now(), cpu: snapshot(Object.values(groups).flat()) };
      closesAt = window.openedAt + SUSTAINED_SECONDS * 1000;
    }
    if (window !== null && closed === null && now >= closesAt) {
      groups.postgres = [...new Set([...groups.postgres, ...(await backendPids(s))])];
      const cpuAfter = snapshot(Object.values(groups).flat());
      closed = { seconds: (closesAt - window.openedAt) / 1000, cpu: window.cpu === null || cpuAfter === null ? null : split(window.cpu, cpuAfter, groups) };
    }
    if (now - closesAt > 60_000) throw new Error(`${waiting.size} measured expansions not ready a minute after the sustained run's window`);
    const rows = await statesOf(s, [...inFlight.keys()]);
    const next: Promise<unknown>[] = [];
    for (const r of rows) {
      const x = inFlight.get(r.id);
      if (x === undefined) continue;
      if (!NOT_READY.includes(r.state)) waiting.delete(r.id);
      if (!x.removing && r.state === 'active') {
        x.removing = true;
        next.push(remove(r.id));
      } else if (ENDED.includes(r.state) || (x.removing && r.state === 'active')) {
        // Ended (a removal that gave up leaves it active, and attached: left so): its client adds the next one.
        inFlight.delete(r.id);
        next.push(add(x.vm));
      }
    }
    await Promise.all(next);
    // As `settled` polls: the clients' pace, and the driver's own cost on the cores it measures.
    await sleep(50);
  }
  await ramp;
  if (window === null || closed === null) throw new Error('the sustained window never closed');
  const hostSteps = await allHostSteps(s);
  return {
    figures: sustainedFigures(await burstRows(s, { ids: measured, sentAt }), hostSteps, { from: window.openedAt, to: closesAt, slices: SUSTAINED_SLICES }),
    hotAddsPerSec: measured.length / closed.seconds,
    cpuMsPerExpansion: cpuPer(closed.cpu === null ? [] : [closed.cpu], measured.length),
    machineBusyPct: closed.cpu?.machineBusyPct ?? NaN,
  };
}

/**
 * Every saga's steps (and undo steps) on each host, [start, end] in ms since the epoch, as the
 * worker timed them. A checkpoint keeps a step's last run only: the attempts of a step that
 * failed, and a run repeated after a crash, are not counted as the host's time.
 */
async function allHostSteps(s: Stack): Promise<Map<string, [number, number][]>> {
  const { rows } = await s.sql.query<{ host_id: string; steps: [number, number][]; undone: [number, number][] }>(
    `SELECT e.host_id, ${spansOf(`o.checkpoint->'steps'`)} AS steps, ${spansOf(`o.checkpoint->'undone'`)} AS undone
     FROM operations o JOIN expansions e ON e.id = o.expansion_id`,
  );
  return new Map([...groupBy(rows, (r) => r.host_id)].map(([host, ops]) => [host, ops.flatMap((o) => [...o.steps, ...o.undone])]));
}

/** Runs `stage` on a stack of its own at `timeScale`, and takes the stack down whatever happens. */
async function onStack<T>(timeScale: number, name: 'throughput' | 'latency', stage: (s: Stack) => Promise<T>): Promise<T> {
  const s = await startStack(timeScale, name);
  try {
    return await stage(s);
  } finally {
    await stopStack(s);
  }
}

async function main(): Promise<void> {
  let t: Awaited<ReturnType<typeof throughput>> = { sagasPerSec: NaN, sagaPairsPerSec: NaN, completed: 0, pairs: 0, cpuMsPerSaga: {}, machineBusyPct: NaN, machineStealPct: NaN };
  let bare = NaN;
  if (only !== 'latency') {
    log('bench:hotplug — starting the simulator (time scale 0), the API and the worker…');
    t = await onStack(0, 'throughput', throughput);
    bare = await bareBullmq();
  }
  const none = burstFigures([]);
  let l = none;
  let cold = none;
  let burstCpu: Pick<LatencyRun, 'cpuMsPerHotAdd' | 'machineBusyPct'> = { cpuMsPerHotAdd: {}, machineBusyPct: NaN };
  let sus: SustainedRun | null = null;
  let bareRun: BareRun | null = null;
  if (only !== 'throughput') {
    log('bench:hotplug — the latency run, at real-time durations');
    ({ warm: l, cold, sustained: sus, bare: bareRun, ...burstCpu } = await onStack(1, 'latency', latency));
  }
  const r = (x: number): number => Math.round(x * 10) / 10;
  const ranThroughput = only !== 'latency';
  const ranLatency = only !== 'throughput';
  const verdicts = judge({ sagasPerSec: ranThroughput ? t.sagasPerSec : null, overheadP99Ms: ranLatency ? l.overheadP99Ms : null }, LATENCY_EXPANSIONS);
  const result = {
    sagasPerSec: r(t.sagasPerSec), sagasCompleted: t.completed, sagaPairsPerSec: r(t.sagaPairsPerSec), sagaPairsCompleted: t.pairs, cpuMsPerSaga: t.cpuMsPerSaga, machineBusyPct: t.machineBusyPct, machineStealPct: t.machineStealPct, bareBullmqJobsPerSec: r(bare), ratioToBareBullmq: Math.round((t.sagasPerSec / bare) * 10_000) / 10_000,
    readyP50Ms: r(l.readyP50Ms), readyP99Ms: r(l.readyP99Ms), hostStepsP50Ms: r(l.hostP50Ms), overheadP50Ms: r(l.overheadP50Ms), overheadP99Ms: r(l.overheadP99Ms),
    overheadWithHostWaitP50Ms: r(l.overheadWithHostWaitP50Ms), overheadWithHostWaitP99Ms: r(l.overheadWithHostWaitP99Ms),
    readyFromPostP99Ms: r(l.readyFromPostP99Ms), overheadFromPostP99Ms: r(l.overheadFromPostP99Ms),
    measuredBursts: l === none ? 0 : MEASURED_BURSTS, measuredExpansions: l.expansions, overheadP99ByBurstMs: l.overheadP99ByBurstMs.map(r),
    overheadBreakdownMs: Object.fromEntries(Object.entries(l.breakdown).map(([k, v]) => [k, { p50: r(v.p50), p99: r(v.p99), n: v.n }])),
    overheadByPlaceMs: l.overheadByPlaceMs.map((v, i) => ({ place: placeName(i), p50: r(v.p50), p99: r(v.p99), n: v.n })),
    firstLeasesDoneMsByBurst: l.firstLeasesDoneMsByBurst.map(r),
    burstCpuMsPerHotAdd: burstCpu.cpuMsPerHotAdd, burstMachineBusyPct: burstCpu.machineBusyPct,
    coldReadyP50Ms: r(cold.readyP50Ms), coldReadyP99Ms: r(cold.readyP99Ms), coldOverheadP50Ms: r(cold.overheadP50Ms), coldOverheadP99Ms: r(cold.overheadP99Ms),
    latencyExpansions: l === none ? null : LATENCY_EXPANSIONS,
    bareOverheadP50Ms: bareRun === null ? null : r(bareRun.figures.overheadP50Ms), bareOverheadP99Ms: bareRun === null ? null : r(bareRun.figures.overheadP99Ms),
    overheadRatioToBare: bareRun === null ? null : Math.round((l.overheadP99Ms / bareRun.figures.overheadP99Ms) * 100) / 100,
    bare: bareRun === null ? null : {
      readyP50Ms: r(bareRun.figures.readyP50Ms), readyP99Ms: r(bareRun.figures.readyP99Ms), overheadP99ByBurstMs: bareRun.figures.overheadP99ByBurstMs.map(r),
      decisionToBeginP99Ms: r(bareRun.figures.breakdown.decisionToBegin.p99), handoffP99Ms: r(bareRun.figures.breakdown.handoff.p99),
      firstLeasesDoneMsByBurst: bareRun.figures.firstLeasesDoneMsByBurst.map(r), cpuMsPerHotAdd: bareRun.cpuMsPerHotAdd, machineBusyPct: bareRun.machineBusyPct,
    },
    sustained: sus === null ? null : {
      inFlight: LATENCY_EXPANSIONS, seconds: SUSTAINED_SECONDS, hotAddsPerSec: r(sus.hotAddsPerSec), expansions: sus.figures.expansions,
      cpuMsPerExpansion: sus.cpuMsPerExpansion, machineBusyPct: sus.machineBusyPct,
      readyP50Ms: r(sus.figures.readyP50Ms), readyP99Ms: r(sus.figures.readyP99Ms), hostStepsP50Ms: r(sus.figures.hostP50Ms), overheadP50Ms: r(sus.figures.overheadP50Ms), overheadP99Ms: r(sus.figures.overheadP99Ms),
      overheadP99BySliceMs: sus.figures.bySlice.map((x) => r(x.p99)), expansionsBySlice: sus.figures.bySlice.map((x) => x.n), sliceSeconds: SUSTAINED_SECONDS / SUSTAINED_SLICES,
    },
    ...verdicts,
  };
  if (ranThroughput) {
    console.log(`sagas/s (time scale 0)               ${result.sagasPerSec}   target ≥ ${TARGETS.sagasPerSec}   (hot-adds and hot-removes, ${result.sagasCompleted})`);
    console.log(`add-then-remove pairs/s              ${result.sagaPairsPerSec}   (${result.sagaPairsCompleted} pairs, both sagas ended)`);
    console.log(`CPU ms per saga                      ${Object.entries(result.cpuMsPerSaga).map(([k, v]) => `${k} ${v}`).join(', ')} (machine ${result.machineBusyPct}% busy, ${result.machineStealPct}% of its time taken by the hypervisor)`);
    console.log(`bare BullMQ jobs/s (same Redis)       ${result.bareBullmqJobsPerSec}   ratio ${result.ratioToBareBullmq}`);
  }
  if (ranLatency) {
    // The overhead target is stated for bursts of TARGET_EXPANSIONS; other sizes have none.
    const overheadTarget = 'overheadP99Ms' in verdicts.targets ? `target p99 ≤ ${TARGETS.overheadP99Ms}` : `no target at ${LATENCY_EXPANSIONS} at once (it is for ${TARGET_EXPANSIONS})`;
    console.log(`time to ready p50 / p99 (real time)  ${result.readyP50Ms} / ${result.readyP99Ms} ms`);
    console.log(`mxs overhead p50 / p99               ${result.overheadP50Ms} / ${result.overheadP99Ms} ms   ${overheadTarget} (total minus the host's step time)`);
    console.log(`  over bursts                        ${result.measuredExpansions} expansions in ${result.measuredBursts} burst${result.measuredBursts === 1 ? '' : 's'}; each burst's p99: ${result.overheadP99ByBurstMs.join(', ')} ms`);
    const b = l.breakdown;
    const at = (x: { p50: number; p99: number; n: number }): string => (x.n === 0 ? '–' : `${r(x.p50)} / ${r(x.p99)}`);
    console.log(`  where it goes (p50 / p99 ms)       decision to lease ${at(b.decisionToBegin)} and lease to first step ${at(b.beginToFirstStep)} (a host's first saga, ${b.decisionToBegin.n}),`);
    console.log(`                                     of which decision to queued ${at(b.decisionToQueued)}, queued to fetched ${at(b.queuedToFetched)}, fetched to lease ${at(b.fetchedToBegin)},`);
    console.log(`                                     handoff from the saga before ${at(b.handoff)} (${b.handoff.n}), between steps ${at(b.betweenSteps)}`);
    const places = result.overheadByPlaceMs.map((v) => `${v.place}: ${at(v)} (${v.n})`).join(', ');
    const leases = l.firstLeasesDoneMsByBurst.length === 0 ? '–' : l.firstLeasesDoneMsByBurst.map((ms) => (Number.isNaN(ms) ? '–' : r(ms))).join(', ');
    console.log(`  by place on its host (p50 / p99 ms) ${places}; the last of the hosts' first sagas held its lease ${leases} ms after each burst's first decision`);
    console.log(`  CPU ms per hot-add in the bursts  ${Object.entries(burstCpu.cpuMsPerHotAdd).map(([k, v]) => `${k} ${v}`).join(', ')} (machine ${burstCpu.machineBusyPct}% busy from the first POST until all were active)`);
    console.log(`  counting the wait for a busy host  ${result.overheadWithHostWaitP50Ms} / ${result.overheadWithHostWaitP99Ms} ms (total minus its own steps)`);
    // The bench's own sending of a burst's requests at once is in these too.
    console.log(`  from the bench's POST call        ready p99 ${result.readyFromPostP99Ms} ms, overhead p99 ${result.overheadFromPostP99Ms} ms; POST call to decision ${at(b.postToDecision)} ms (p50 / p99)`);
    const bareFigures = result.bare;
    if (bareFigures !== null) {
      console.log(`bare path, same bursts (baseline)   overhead ${result.bareOverheadP50Ms} / ${result.bareOverheadP99Ms} ms (p50 / p99; each burst's p99 ${bareFigures.overheadP99ByBurstMs.join(', ')} ms), mxs's p99 ${result.overheadRatioToBare}× it`);
      console.log(`                                     decision to begin p99 ${bareFigures.decisionToBeginP99Ms} ms (it takes no lease), handoff p99 ${Number.isNaN(bareFigures.handoffP99Ms) ? '– (none below 64 at once)' : `${bareFigures.handoffP99Ms} ms`}; the last of the hosts' first sagas began ${bareFigures.firstLeasesDoneMsByBurst.join(', ')} ms after each burst's first decision`);
      console.log(`                                     CPU ms per hot-add ${Object.entries(bareFigures.cpuMsPerHotAdd).map(([k, v]) => `${k} ${v}`).join(', ')} (machine ${bareFigures.machineBusyPct}% busy)`);
    }
    console.log(`first burst, on cold processes      ready ${result.coldReadyP50Ms} / ${result.coldReadyP99Ms} ms, overhead ${result.coldOverheadP50Ms} / ${result.coldOverheadP99Ms} ms (p50 / p99)`);
    const kept = result.sustained;
    if (kept !== null) {
      console.log(`${`${kept.inFlight} kept in flight, ${kept.seconds} s`.padEnd(37)}ready ${kept.readyP50Ms} / ${kept.readyP99Ms} ms, overhead ${kept.overheadP50Ms} / ${kept.overheadP99Ms} ms (p50 / p99; each removed once active, then replaced)`);
      console.log(`                                     overhead p99 by ${kept.sliceSeconds} s slice ${kept.overheadP99BySliceMs.join(', ')} ms (${kept.expansionsBySlice.join(', ')} expansions)`);
      console.log(`                                     ${kept.expansions} measured, ${kept.hotAddsPerSec} added/s; CPU ms per expansion added and removed ${Object.entries(kept.cpuMsPerExpansion).map(([k, v]) => `${k} ${v}`).join(', ')} (machine ${kept.machineBusyPct}% busy)`);
    }
  }
  console.log(JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
