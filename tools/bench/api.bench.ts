/**
 * `npm run bench:api [-- --quick] [-- --seed N] [-- --duration S] [-- --fill 0.3] [-- --cpu-prof]`: create-expansion
 * POSTs at concurrency 32 against the placement API in a child process, on the rack64 fleet in
 * a throwaway database, and the physical floor of the same PostgreSQL (a one-row INSERT
 * transaction through a pool shaped like the API's). Prints a table, then one JSON line.
 */
import { DEFAULT_DATABASE_URL, createDataSource, dropDatabase, ensureDatabase, runMigrations, withDatabase } from '@mxs/persistence';
import type { FleetSpec } from '@mxs/topology';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { FleetDescription, LoadResult, Population } from './api-load';
import type { AppProcess } from '@mxs/test-kit';
import { dropQueueKeys, spawnApp } from '@mxs/test-kit';
import { describeFleet, populate, postExpansions, redisServerPid } from './api-load';
import { ExpansionMix, round } from './api-mix';
import type { CpuSnapshot, CpuSplit } from './cpu-accounting';
import { snapshot, split } from './cpu-accounting';
import type { FloorResult } from './db-floor';
import { measureFloor } from './db-floor';
import { planPrefill, writePrefill } from './prefill';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} takes a positive number`);
  return value;
};
const quick = flag('--quick');
const seed = option('--seed', 20261121);
const durationSec = option('--duration', quick ? 8 : 20);
const cpuProfile = flag('--cpu-prof');
// Keep the database afterwards, to study its plans (EXPLAIN) on the state a run leaves.
const keep = flag('--keep');
// Utilization to bring the fleet to before measuring (0: start empty). Each placement reads every
// live allocation near its host, so a fleet in service costs more per placement than an empty one.
const fill = args.includes('--fill') ? option('--fill', 0) : 0;
if (fill >= 0.9) throw new Error('--fill takes a fraction below 0.9: the run needs room to place');

const TARGETS = { placementsPerSec: 1_000, p99Ms: 50 } as const;
const CONCURRENCY = 32;
/** The API's default MXS_DB_POOL_SIZE (apps/placement-api/src/config.ts); the floor uses the same. */
const POOL_SIZE = Number(process.env['MXS_DB_POOL_SIZE'] ?? 20);
// Many tenants and VMs on every host, as in real traffic. Each placement updates its tenant's
// quota row and its host's window row, so placements of one tenant (or on one host) commit one
// after another: by design, the quota is exact. 128 tenants over 2,048 VMs keep the chance
// that two of 32 concurrent requests share a row small. 128 GiB of DRAM lets a VM hold 512 GiB
// of CXL (the 4x cap), far more than a run asks of it.
const POPULATION: Population = { preset: 'rack64', seed, tenants: 128, vmsPerHost: 2, vmDramGiB: 128 };
const ADMIN_KEY = `bench-admin-${randomBytes(12).toString('hex')}`;

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

/**
 * CPU time of a measured stretch, split between the API process, the PostgreSQL backends of the
 * bench database, this process (the load generator, or the floor's client) and everything else
 * on the machine: on a shared 2-core machine the last one says how much a figure is to be trusted.
 */
class CpuProbe {
  private start: CpuSnapshot | null = null;
  private groups: Record<string, number[]> = {};
  result: CpuSplit | null = null;

  constructor(
    private readonly admin: ReturnType<typeof createDataSource>,
    private readonly pids: { readonly api: number | null; readonly redis: number | null },
  ) {}

  async before(): Promise<void> {
    // The backends of the bench database, and the server's own processes (WAL writer, checkpointer,
    // autovacuum): they work for whoever writes, mostly the bench during a run.
    const rows: { pid: number; client: boolean }[] = await this.admin.query(
      `SELECT pid, backend_type = 'client backend' AS client FROM pg_stat_activity
       WHERE (datname = current_database() OR backend_type <> 'client backend') AND pid <> pg_backend_pid()`,
    );
    const only = (pid: number | null) => (pid === null ? [] : [pid]);
    this.groups = {
      api: only(this.pids.api),
      postgres: rows.filter((r) => r.client).map((r) => r.pid),
      'postgres server': rows.filter((r) => !r.client).map((r) => r.pid),
      redis: only(this.pids.redis),
      client: [process.pid],
    };
    this.start = snapshot(Object.values(this.groups).flat());
  }

  async after(): Promise<void> {
    const end = snapshot(Object.values(this.groups).flat());
    this.result = this.start === null || end === null ? null : split(this.start, end, this.groups);
  }

  /** CPU ms per operation in each group, or null off Linux. */
  perOperation(operations: number): Record<string, number> | null {
    if (this.result === null || operations === 0) return null;
    const out: Record<string, number> = {};
    for (const [name, ms] of Object.entries(this.result.groupsMs)) out[name] = round(ms / operations, 3);
    out['others'] = round(this.result.othersMs / operations, 3);
    return out;
  }
}

async function main(): Promise<void> {
  const run = randomBytes(4).toString('hex');
  const serverUrl = process.env['BENCH_DATABASE_URL'] ?? process.env['DATABASE_URL'] ?? DEFAULT_DATABASE_URL;
  const dbUrl = withDatabase(serverUrl, `mxs_bench_${run}`);
  const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const queuePrefix = `{mxs-bench-${run}}`;
  let api: AppProcess | null = null;
  let admin: ReturnType<typeof createDataSource> | null = null;
  try {
    log(`database mxs_bench_${run}: creating and migrating`);
    await ensureDatabase(dbUrl);
    await runMigrations(dbUrl);
    admin = createDataSource({ url: dbUrl, poolSize: 1, applicationName: 'mxs-bench-probe' });
    await admin.initialize();

    log(`floor: BEGIN; INSERT one row; COMMIT at concurrency ${CONCURRENCY}, pool ${POOL_SIZE}, ${durationSec} s`);
    const redis = await redisServerPid(redisUrl);
    const floorCpu = new CpuProbe(admin, { api: null, redis });
    const floor = await measureFloor({ url: dbUrl, poolSize: POOL_SIZE, concurrency: CONCURRENCY, durationMs: durationSec * 1000, warmupMs: 2000, around: floorCpu });

    const profileDir = 'tmp/bench-profile';
    if (cpuProfile) mkdirSync(profileDir, { recursive: true });
    api = await spawnApp('placement-api', {
      DATABASE_URL: dbUrl,
      REDIS_URL: redisUrl,
      MXS_ADMIN_KEY: ADMIN_KEY,
      MXS_QUEUE_PREFIX: queuePrefix,
      MXS_RATE_LIMIT_PER_MINUTE: '0',
      MXS_DB_POOL_SIZE: String(POOL_SIZE),
      LOG_LEVEL: 'warn',
    }, 'PORT', cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
    const apiPid = api.process.pid ?? 0;
    log(`placement-api pid ${apiPid} at ${api.url}`);
    const { vms, registered, hosts } = await populate(api.url, ADMIN_KEY, POPULATION);
    log(`${POPULATION.preset}: ${hosts} hosts, ${POPULATION.tenants} tenants, ${vms.length} VMs registered`);
    if (fill > 0) {
      const [layout] = (await admin.query(`SELECT spec FROM fleet_layout WHERE id = 1`)) as { spec: FleetSpec }[];
      if (layout === undefined) throw new Error('no fleet loaded');
      const plan = planPrefill(layout.spec, registered, fill, seed + 1);
      await writePrefill(admin, plan.expansions);
      log(`prefilled ${plan.expansions.length} expansions: ${(plan.utilization * 100).toFixed(1)}% utilization`);
    }

    const mix = new ExpansionMix(vms, seed, `bench-${run}`);
    // One request for every VM first: JIT warm, pools full, and every host's neighbourhood in the
    // API's view (taking in a prefilled fleet's allocations is a one-off cost, not the steady state).
    log(`warm-up: ${vms.length} requests, one a VM`);
    const warm = await postExpansions(api.url, mix, CONCURRENCY, { requests: vms.length });
    // A database in service has statistics (autovacuum keeps them); this one was empty a
    // moment ago, and plans made for empty tables scan them whole. ANALYZE also invalidates
    // the API's cached plans, so they are made again for tables of this size.
    await admin.query('ANALYZE');
    log(`measuring: ${durationSec} s at concurrency ${CONCURRENCY}`);
    const apiCpu = new CpuProbe(admin, { api: apiPid, redis });
    await apiCpu.before();
    const measured = await postExpansions(api.url, mix, CONCURRENCY, { seconds: durationSec });
    await apiCpu.after();
    const after = await describeFleet(api.url, ADMIN_KEY);
    await api.stop();
    api = null;
    if (cpuProfile) log(`CPU profile of the API written to ${profileDir}/`);

    report({ floor, warm, measured, fleet: after, vms: vms.length, hosts, apiCpu, floorCpu });
  } finally {
    await api?.stop().catch(() => undefined);
    await admin?.destroy().catch(() => undefined);
    if (keep) log(`kept database mxs_bench_${run}`);
    else await dropDatabase(dbUrl).catch((error: unknown) => log(`could not drop mxs_bench_${run}: ${(error as Error).message}`));
    await dropQueueKeys(redisUrl, queuePrefix).catch((error: unknown) => log(`could not clean Redis keys ${queuePrefix}: ${(error as Error).message}`));
  }
}

interface Report {
  readonly floor: FloorResult;
  readonly warm: LoadResult;
  readonly measured: LoadResult;
  readonly fleet: FleetDescription;
  readonly vms: number;
  readonly hosts: number;
  readonly apiCpu: CpuProbe;
  readonly floorCpu: CpuProbe;
}

function report(r: Report): void {
  const m = r.measured;
  const placementsPerSec = Math.round(m.statuses['202'] / m.durationSec);
  const requestsPerSec = Math.round(m.requests / m.durationSec);
  const ratio = round(placementsPerSec / r.floor.txPerSec, 3);
  const utilization = round(r.fleet.totals.utilization, 4);
  const met = { placementsPerSec: placementsPerSec >= TARGETS.placementsPerSec, p99Ms: m.latency.p99Ms <= TARGETS.p99Ms };
  const otherStatuses = Object.entries(m.statuses.other).map(([s, n]) => `${s}: ${n}`).join(', ') || '-';

  console.log(`\nplacement API on ${POPULATION.preset} (${r.hosts} hosts, ${POPULATION.tenants} tenants, ${r.vms} VMs), concurrency ${CONCURRENCY}, seed ${seed}${fill > 0 ? `, prefilled to ${fill * 100}%` : ''}${quick ? ' (quick)' : ''}`);
  console.table({
    'POST /v1/vms/{id}/expansions': {
      'seconds': m.durationSec,
      'requests/s': requestsPerSec,
      'placements/s': placementsPerSec,
      'placed (202)': m.statuses['202'],
      'conflict (409)': m.statuses['409'],
      'no capacity (422)': m.statuses['422'],
      'other statuses': otherStatuses,
      'p50 ms': m.latency.p50Ms,
      'p90 ms': m.latency.p90Ms,
      'p99 ms': m.latency.p99Ms,
      'max ms': m.latency.maxMs,
    },
    'floor: BEGIN; INSERT; COMMIT': {
      'seconds': r.floor.durationSec,
      'requests/s': r.floor.txPerSec,
      'placements/s': '-',
      'placed (202)': '-',
      'conflict (409)': '-',
      'no capacity (422)': '-',
      'other statuses': '-',
      'p50 ms': r.floor.p50Ms,
      'p90 ms': '-',
      'p99 ms': r.floor.p99Ms,
      'max ms': '-',
    },
  });
  const cpuPerRequest = r.apiCpu.perOperation(m.requests);
  const cpuPerFloorTx = r.floorCpu.perOperation(r.floor.transactions);
  if (cpuPerRequest !== null && cpuPerFloorTx !== null) {
    console.log(`CPU ms per request (API run) and per transaction (floor); machine busy ${r.apiCpu.result?.machineBusyPct}% and ${r.floorCpu.result?.machineBusyPct}%, taken by the hypervisor ${r.apiCpu.result?.machineStealPct}% and ${r.floorCpu.result?.machineStealPct}%`);
    console.table({ 'API run, per request': cpuPerRequest, 'floor, per transaction': cpuPerFloorTx });
  }
  console.log(`placements/s ÷ floor tx/s: ${ratio}`);
  console.log(`fleet utilization after the run: ${(utilization * 100).toFixed(2)}% (${r.fleet.totals.usedGiB} of ${r.fleet.totals.capacityGiB} GiB); warm-up sent ${r.warm.requests} requests`);
  if (m.errors > 0 || m.timeouts > 0) console.log(`connection errors: ${m.errors}, timeouts: ${m.timeouts}`);
  console.log(
    `targets: >= ${TARGETS.placementsPerSec} placements/s ${met.placementsPerSec ? 'met' : 'NOT met'}, p99 <= ${TARGETS.p99Ms} ms ${met.p99Ms ? 'met' : 'NOT met'}`,
  );
  console.log(
    JSON.stringify({
      placementsPerSec,
      requestsPerSec,
      p50Ms: m.latency.p50Ms,
      p99Ms: m.latency.p99Ms,
      statusCounts: { '202': m.statuses['202'], '409': m.statuses['409'], '422': m.statuses['422'], ...m.statuses.other },
      errors: m.errors,
      timeouts: m.timeouts,
      floorTxPerSec: r.floor.txPerSec,
      floorP99Ms: r.floor.p99Ms,
      ratio,
      targets: TARGETS,
      met,
      durationSec: m.durationSec,
      concurrency: CONCURRENCY,
      poolSize: POOL_SIZE,
      fleet: { name: POPULATION.preset, hosts: r.hosts, tenants: POPULATION.tenants, vms: r.vms },
      utilization,
      prefill: fill,
      cpuMsPerRequest: cpuPerRequest,
      cpuMsPerFloorTx: cpuPerFloorTx,
      machineBusyPct: r.apiCpu.result?.machineBusyPct ?? null,
      machineStealPct: r.apiCpu.result?.machineStealPct ?? null,
      seed,
    }),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:api failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
