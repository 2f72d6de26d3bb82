/**
 * A whole mxs stack for one replay: its own database and queue prefix, the host simulator, N
 * placement-API and M hot-plug worker processes (each its own, so a worker can be SIGKILLed),
 * billing when asked, and the same fleet loaded into the API and the simulator. Soak runs and
 * the replicas test and bench build on it.
 */
import { SimulatorControl } from '@mxs/host-agent';
import type { AppProcess } from '@mxs/test-kit';
import { ADMIN_KEY, admin, dropQueueKeys, spawnApp, testRedisUrl } from '@mxs/test-kit';
import type { FleetSpec } from '@mxs/topology';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import type { StackWiring } from './stack-apps';
import { apiEnv, billingEnv, DEFAULT_STACK_POOL_SIZE, PrivateRedis, simulatorEnv, WorkerSlot, workerEnv } from './stack-apps';
import type { ReplayDatabase } from './stack-database';
import { createReplayDatabase } from './stack-database';
import { ReplayStackError } from './stack-error';

export interface ReplayStackOptions {
  readonly fleet: FleetSpec;
  /** Placement-API processes (default 1). */
  readonly apis?: number;
  /** Hot-plug worker processes (default 1). */
  readonly workers?: number;
  /** Start billing too (default false). */
  readonly billing?: boolean;
  /** The simulator's seed (default 1). */
  readonly seed?: number;
  /** MXS_SIM_TIME_SCALE for the simulator: 0 = every step completes within its call (default 0). */
  readonly simTimeScale?: number;
  /** Its own redis-server with an fsynced append-only file on a free port, so restartRedis() keeps the queues. */
  readonly privateRedis?: boolean;
  /** Each API's and worker's PostgreSQL pool (default DEFAULT_STACK_POOL_SIZE; billing keeps 4). */
  readonly dbPoolSize?: number;
  /** On top of the replay worker settings (stack-apps.ts workerEnv). */
  readonly workerEnv?: Record<string, string>;
  /** Shown in failure messages. */
  readonly label?: string;
}

/** Tenants the replay creates may hold this much: quotas are not what a replay measures. */
const TENANT_QUOTA_GIB = 10_000_000;
const TAIL_CHARS = 3_000;

interface Parts {
  readonly db: ReplayDatabase;
  readonly wiring: StackWiring;
  readonly redis: PrivateRedis | null;
  readonly tempDir: string | null;
  readonly simulator: AppProcess;
  readonly billing: AppProcess | null;
  readonly apis: readonly AppProcess[];
  readonly workers: readonly WorkerSlot[];
  readonly sim: SimulatorControl;
  readonly pool: Pool;
}

export class ReplayStack {
  readonly dbUrl: string;
  readonly redisUrl: string;
  readonly queuePrefix: string;
  readonly adminKey: string;
  readonly apiUrls: readonly string[];
  readonly simulatorUrl: string;
  readonly simulatorToken: string;
  readonly billingUrl: string | null;
  readonly sim: SimulatorControl;
  private readonly tenantKeys = new Map<string, Promise<string>>();
  private stopped: Promise<void> | null = null;

  private constructor(
    private readonly parts: Parts,
    readonly fleet: FleetSpec,
    readonly label: string,
  ) {
    this.dbUrl = parts.wiring.dbUrl;
    this.redisUrl = parts.wiring.redisUrl;
    this.queuePrefix = parts.wiring.queuePrefix;
    this.adminKey = parts.wiring.adminKey;
    this.apiUrls = parts.apis.map((a) => a.url);
    this.simulatorUrl = parts.wiring.simulatorUrl;
    this.simulatorToken = parts.wiring.simulatorToken;
    this.billingUrl = parts.billing?.url ?? null;
    this.sim = parts.sim;
  }

  static async start(options: ReplayStackOptions): Promise<ReplayStack> {
    const label = options.label ?? 'replay';
    const [apiCount, workerCount] = [options.apis ?? 1, options.workers ?? 1];
    if (!Number.isInteger(apiCount) || apiCount < 1 || !Number.isInteger(workerCount) || workerCount < 0) {
      throw new ReplayStackError('stack-start-failed', `the ${label} stack needs at least 1 API and 0 or more workers, whole numbers; got ${apiCount} and ${workerCount}`);
    }
    const hex = randomBytes(4).toString('hex');
    const undo: (() => Promise<void>)[] = [];
    const output: (() => string)[] = [];
    try {
      const db = await createReplayDatabase();
      undo.push(() => db.drop());
      const tempDir = options.privateRedis === true ? await mkdtemp(join(tmpdir(), `mxs-replay-${hex}-`)) : null;
      if (tempDir !== null) undo.push(() => rm(tempDir, { recursive: true, force: true }));
      const redis = tempDir === null ? null : await PrivateRedis.start(tempDir);
      if (redis !== null) undo.push(() => redis.stop());
      const queuePrefix = `{mxs-replay-${hex}}`;
      const redisUrl = redis?.url ?? testRedisUrl();
      if (redis === null) undo.push(() => dropQueueKeys(redisUrl, queuePrefix));
      const simulatorToken = `replay-sim-${randomBytes(12).toString('hex')}`;
      const simulator = await spawnApp('host-simulator', simulatorEnv(simulatorToken, options.seed ?? 1, options.simTimeScale ?? 0), 'MXS_SIM_PORT');
      undo.push(() => simulator.stop());
      output.push(() => `host-simulator:\n${simulator.output()}`);
      const wiring: StackWiring = { dbPoolSize: options.dbPoolSize ?? DEFAULT_STACK_POOL_SIZE, dbUrl: db.url, redisUrl, queuePrefix, adminKey: ADMIN_KEY, simulatorUrl: simulator.url, simulatorToken };
      const billing = options.billing === true ? await spawnApp('billing', billingEnv(wiring)) : null;
      if (billing !== null) undo.push(() => billing.stop());
      const apis = await startAll(Array.from({ length: apiCount }, () => () => spawnApp('placement-api', apiEnv(wiring, billing?.url ?? null))), undo, (a) => a.stop());
      output.push(...apis.map((a, i) => () => `placement-api ${i}:\n${a.output()}`));
      const sim = new SimulatorControl({ baseUrl: simulator.url, token: simulatorToken });
      undo.push(async () => sim.close());
      const hardware: FleetSpec = { ...options.fleet, vms: [], allocations: [] };
      const loaded = await admin(apis[0]?.url ?? '', 'PUT', '/admin/v1/fleet', hardware);
      if (loaded.status !== 200) throw new Error(`PUT /admin/v1/fleet answered ${loaded.status}: ${JSON.stringify(loaded.body)}`);
      await sim.loadFleet(hardware);
      const slots = Array.from({ length: workerCount }, () => new WorkerSlot(workerEnv(wiring, options.simTimeScale ?? 0, options.workerEnv)));
      output.push(...slots.map((w, i) => () => `hotplug-worker ${i}:\n${w.output()}`));
      await startAll(slots.map((w) => async () => { await w.start(); return w; }), undo, (w) => w.stop());
      const pool = new Pool({ connectionString: db.url, max: 4, application_name: 'mxs-replay' });
      // An idle connection ended by the server (the database dropped at stop) must not crash the process.
      pool.on('error', () => undefined);
      return new ReplayStack({ db, wiring, redis, tempDir, simulator, billing, apis, workers: slots, sim, pool }, hardware, label);
    } catch (error) {
      const logs = output.map((o) => tail(o())).join('\n');
      for (const step of undo.reverse()) await step().catch(() => undefined);
      throw new ReplayStackError('stack-start-failed', `the ${label} stack did not start: ${(error as Error).message}${logs === '' ? '' : `\n${logs}`}`);
    }
  }

  /** Round robin over the API processes. */
  apiUrl(i: number): string {
    return this.apiUrls[((i % this.apiUrls.length) + this.apiUrls.length) % this.apiUrls.length] as string;
  }

  workerCount(): number {
    return this.parts.workers.length;
  }

  /** SIGKILL, as a crash. */
  killWorker(i: number): void {
    this.worker(i).kill();
  }

  /** Spawns it again with the same environment (stopping it first if it still runs). */
  async restartWorker(i: number): Promise<void> {
    const slot = this.worker(i);
    if (slot.running) await slot.stop();
    await slot.start();
  }

  /** Everything worker `i` printed, every incarnation: its JSON lines say which sagas it ran. */
  workerOutput(i: number): string {
    return this.worker(i).output();
  }

  workerPid(i: number): number | undefined {
    return this.worker(i).pid;
  }

  /** Process ids by app, for CPU accounting (a killed worker's is missing until restarted). */
  pids(): { apis: number[]; workers: number[]; simulator: number[]; billing: number[] } {
    const known = (pid: number | undefined): number[] => (pid === undefined ? [] : [pid]);
    const p = this.parts;
    return {
      apis: p.apis.flatMap((a) => known(a.process.pid)),
      workers: p.workers.flatMap((w) => known(w.pid)),
      simulator: known(p.simulator.process.pid),
      billing: known(p.billing?.process.pid),
    };
  }

  /** privateRedis only: stops it, waits `downMs`, starts it again on the same port with the same append-only file. */
  async restartRedis(downMs = 0): Promise<void> {
    const redis = this.parts.redis;
    if (redis === null) throw new ReplayStackError('not-private-redis', `the ${this.label} stack shares the test Redis; start it with privateRedis to restart Redis`);
    await redis.restart(downMs);
  }

  /** The tenant's API key; the tenant is created (with a quota no replay reaches) on first use. */
  tenantKey(tenantId: string): Promise<string> {
    let key = this.tenantKeys.get(tenantId);
    if (key === undefined) {
      key = this.createTenant(tenantId);
      key.catch(() => this.tenantKeys.delete(tenantId));
      this.tenantKeys.set(tenantId, key);
    }
    return key;
  }

  async sql<T>(query: string, params: unknown[] = []): Promise<T[]> {
    return (await this.parts.pool.query(query, params)).rows as T[];
  }

  /** The last output of every process, for failure messages. */
  logs(): string {
    const p = this.parts;
    const sections = [
      `host-simulator:\n${tail(p.simulator.output())}`,
      ...(p.billing === null ? [] : [`billing:\n${tail(p.billing.output())}`]),
      ...p.apis.map((a, i) => `placement-api ${i}:\n${tail(a.output())}`),
      ...p.workers.map((w, i) => `hotplug-worker ${i}:\n${tail(w.output())}`),
      ...(p.redis === null ? [] : [`redis-server:\n${tail(p.redis.output())}`]),
    ];
    return sections.join('\n');
  }

  /** Stops everything (workers first, so no saga is cut off by a vanished API), drops its database and queue keys, removes temp dirs. */
  stop(): Promise<void> {
    this.stopped ??= this.stopAll();
    return this.stopped;
  }

  private async stopAll(): Promise<void> {
    const p = this.parts;
    const problems: string[] = [];
    const attempt = async (what: string, step: () => Promise<unknown>): Promise<void> => {
      await step().catch((error: unknown) => problems.push(`${what}: ${(error as Error).message}`));
    };
    await attempt('workers', () => Promise.all(p.workers.map((w) => w.stop())));
    await attempt('apis', () => Promise.all(p.apis.map((a) => a.stop())));
    if (p.billing !== null) await attempt('billing', () => (p.billing as AppProcess).stop());
    p.sim.close();
    await attempt('simulator', () => p.simulator.stop());
    await attempt('sql pool', () => p.pool.end());
    await attempt('database', () => p.db.drop());
    if (p.redis === null) await attempt('queue keys', () => dropQueueKeys(this.redisUrl, this.queuePrefix));
    else await attempt('redis', () => (p.redis as PrivateRedis).stop());
    if (p.tempDir !== null) await attempt('temp dir', () => rm(p.tempDir as string, { recursive: true, force: true }));
    if (problems.length > 0) process.stderr.write(`replay stack ${this.label}: cleanup problems: ${problems.join('; ')}\n`);
  }

  private worker(i: number): WorkerSlot {
    const slot = this.parts.workers[i];
    if (slot === undefined) throw new ReplayStackError('unknown-worker', `the ${this.label} stack has workers 0..${this.parts.workers.length - 1}, not ${i}`);
    return slot;
  }

  private async createTenant(tenantId: string): Promise<string> {
    const created = await admin(this.apiUrl(0), 'POST', '/admin/v1/tenants', { id: tenantId, name: `Replay tenant ${tenantId}`, quotaGiB: TENANT_QUOTA_GIB });
    if (created.status === 201) return (created.body as { apiKey: string }).apiKey;
    const exists = created.status === 409 && String((created.body as { type?: string }).type).endsWith('/tenant-exists');
    if (!exists) throw new ReplayStackError('unexpected-answer', `POST /admin/v1/tenants ${tenantId} answered ${created.status}: ${JSON.stringify(created.body)}`);
    // Created before (another replay on this stack): keys are stored only as hashes, so take a new one.
    const rotated = await admin(this.apiUrl(0), 'POST', `/admin/v1/tenants/${encodeURIComponent(tenantId)}/api-key`);
    if (rotated.status !== 200) throw new ReplayStackError('unexpected-answer', `POST /admin/v1/tenants/${tenantId}/api-key answered ${rotated.status}: ${JSON.stringify(rotated.body)}`);
    return (rotated.body as { apiKey: string }).apiKey;
  }
}

/** Starts processes side by side; each that started is registered for undo even when a sibling fails. */
async function startAll<T>(starts: readonly (() => Promise<T>)[], undo: (() => Promise<void>)[], stop: (t: T) => Promise<void>): Promise<T[]> {
  const settled = await Promise.allSettled(starts.map((s) => s()));
  for (const r of settled) if (r.status === 'fulfilled') undo.push(() => stop(r.value));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

function tail(text: string): string {
  return text.length <= TAIL_CHARS ? text : `…${text.slice(-TAIL_CHARS)}`;
}
