import { HttpHostAgent, SimulatorControl } from '@mxs/host-agent';
import { createTestDatabase } from '@mxs/persistence';
import type { TestDatabase } from '@mxs/persistence';
import { createHttpApp } from '@mxs/service-kit';
import type { AppProcess, Reply, SeededTenant } from '@mxs/test-kit';
import { ADMIN_KEY, admin, call, dropQueueKeys, seedTenant, spawnApp, waitFor } from '@mxs/test-kit';
import type { FleetSpec } from '@mxs/topology';
import { generateFleetSpec } from '@mxs/topology';
import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { WorkerModule } from '../app.module';
import { loadWorkerConfig } from '../config';

export const SIM_TOKEN = 'test-simulator-token-0123456789';
const SHARED_REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A worker of the stack: in this process (fast, inspectable) or its own (so it can be SIGKILLed). */
export interface WorkerHandle {
  stop(): Promise<void>;
  /** SIGKILL (a process) — an in-process worker cannot be killed, only stopped. */
  kill?(): void;
  readonly logs: () => string;
}

/**
 * The whole path a hot-plug takes, for one test file: its own database and queue prefix, the
 * simulator and the API as their own processes, the same fleet loaded in both, a tenant with a
 * VM on each of the first hosts, and workers started on demand.
 */
export class TestStack {
  private readonly workers: WorkerHandle[] = [];

  private constructor(
    readonly db: TestDatabase,
    readonly queuePrefix: string,
    readonly api: AppProcess,
    readonly simulator: AppProcess,
    readonly sim: SimulatorControl,
    readonly agent: HttpHostAgent,
    readonly fleet: FleetSpec,
    readonly tenant: SeededTenant,
    readonly redisUrl: string,
  ) {}

  static async start(label: string, options: { simEnv?: Record<string, string>; vmHosts?: number; seed?: number; redisUrl?: string } = {}): Promise<TestStack> {
    const REDIS_URL = options.redisUrl ?? SHARED_REDIS_URL;
    const db = await createTestDatabase(label);
    const queuePrefix = `{mxs-test-${randomBytes(4).toString('hex')}}`;
    const seed = options.seed ?? 7;
    const simulator = await spawnApp('host-simulator', { MXS_SIM_TOKEN: SIM_TOKEN, MXS_SIM_SEED: String(seed), MXS_SIM_TIME_SCALE: '0', LOG_LEVEL: 'warn', ...options.simEnv }, 'MXS_SIM_PORT');
    const api = await spawnApp('placement-api', {
      DATABASE_URL: db.url, REDIS_URL, MXS_QUEUE_PREFIX: queuePrefix, MXS_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'warn', MXS_RATE_LIMIT_PER_MINUTE: '0',
    }).catch(async (error: unknown) => {
      await simulator.stop();
      throw error;
    });
    const fleet = generateFleetSpec({ preset: 'small', seed, vmsPerHost: 0 });
    const loaded = await admin(api.url, 'PUT', '/admin/v1/fleet', fleet);
    if (loaded.status !== 200) throw new Error(`fleet load: ${loaded.status} ${JSON.stringify(loaded.body)}`);
    const sim = new SimulatorControl({ baseUrl: simulator.url, token: SIM_TOKEN });
    await sim.loadFleet(fleet);
    const hostIds = fleet.hosts.slice(0, options.vmHosts ?? 4).map((h) => h.id);
    const tenant = await seedTenant(api.url, 'acme', hostIds);
    return new TestStack(db, queuePrefix, api, simulator, sim, new HttpHostAgent({ baseUrl: simulator.url, token: SIM_TOKEN }), fleet, tenant, REDIS_URL);
  }

  workerEnv(overrides: Record<string, string> = {}): Record<string, string> {
    return {
      DATABASE_URL: this.db.url, REDIS_URL: this.redisUrl, MXS_QUEUE_PREFIX: this.queuePrefix, MXS_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'info',
      MXS_HOST_AGENT_URL: this.simulator.url, MXS_HOST_AGENT_TOKEN: SIM_TOKEN, PORT: '0',
      MXS_JOB_LOCK_MS: '2000', MXS_HOST_LEASE_MS: '2000', MXS_STEP_DEADLINE_MS: '5000', MXS_SANITIZE_MS_PER_GIB: '0',
      MXS_TELEMETRY_INTERVAL_MS: '0', MXS_RECONCILE_INTERVAL_MS: '0',
      ...overrides,
    };
  }

  /** The real worker module in this process, with its logs kept. */
  async startWorker(overrides: Record<string, string> = {}): Promise<WorkerHandle & { app: INestApplication }> {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const app = await createHttpApp(WorkerModule.forRoot(loadWorkerConfig(this.workerEnv(overrides)), { logDestination: sink }));
    await app.listen(0, '127.0.0.1');
    const handle = { app, stop: () => app.close(), logs: () => lines.join('') };
    this.workers.push(handle);
    return handle;
  }

  /** The worker as production runs it, in a process of its own. */
  async spawnWorker(overrides: Record<string, string> = {}): Promise<WorkerHandle & AppProcess> {
    const child = await spawnApp('hotplug-worker', this.workerEnv(overrides));
    const handle = { ...child, kill: () => child.process.kill('SIGKILL'), logs: () => child.output() };
    this.workers.push(handle);
    return handle;
  }

  requestExpansion(vmId: string, body: Record<string, unknown>, key = `k-${randomBytes(6).toString('hex')}`): Promise<Reply> {
    return call(this.api.url, 'POST', `/v1/vms/${vmId}/expansions`, { key: this.tenant.key, body, headers: { 'idempotency-key': key } });
  }

  removeExpansion(id: string): Promise<Reply> {
    return call(this.api.url, 'DELETE', `/v1/expansions/${id}`, { key: this.tenant.key });
  }

  expansion(id: string): Promise<Reply> {
    return call(this.api.url, 'GET', `/v1/expansions/${id}`, { key: this.tenant.key });
  }

  /** Waits until the expansion is in one of `states`; returns its body. */
  async expansionReaches(id: string, states: readonly string[], timeoutMs = 30_000): Promise<{ state: string; reason: string | null; extents: { deviceId: string; offsetGiB: number; sizeGiB: number }[]; timeline: { to: string; reason: string | null }[] }> {
    let last: Reply | null = null;
    await waitFor(`expansion ${id} to reach ${states.join('/')}`, async () => {
      last = await this.expansion(id);
      return states.includes((last.body as { state: string }).state);
    }, timeoutMs, 25).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; last seen ${JSON.stringify(last?.body)}\n${this.workers.map((w) => w.logs()).join('\n').slice(-4000)}`);
    });
    return (last as unknown as Reply).body;
  }

  async sql<T = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: this.db.url });
    await client.connect();
    try {
      return (await client.query(query, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  /** The steps in the checkpoint of an expansion's operation of `kind`, by name. */
  async checkpointedSteps(expansionId: string, kind: 'hot-add' | 'hot-remove'): Promise<string[]> {
    const [op] = await this.sql<{ steps: string[] }>(
      `SELECT array(SELECT jsonb_object_keys(checkpoint->'steps') ORDER BY 1) AS steps FROM operations WHERE expansion_id = $1 AND kind = $2`,
      [expansionId, kind],
    );
    return op?.steps ?? [];
  }

  async stop(): Promise<void> {
    for (const w of this.workers.splice(0)) await w.stop().catch(() => undefined);
    this.sim.close();
    this.agent.close();
    await this.api.stop();
    await this.simulator.stop();
    await this.db.drop();
    await dropQueueKeys(this.redisUrl, this.queuePrefix).catch(() => undefined);
  }
}
