import type { AppProcess, RedisServer } from '@mxs/test-kit';
import { freePort, spawnApp, startRedisServer } from '@mxs/test-kit';

/** What every app of one replay stack shares. */
export interface StackWiring {
  readonly dbPoolSize: number;
  readonly dbUrl: string;
  readonly redisUrl: string;
  readonly queuePrefix: string;
  readonly adminKey: string;
  readonly simulatorUrl: string;
  readonly simulatorToken: string;
}

// Each replica keeps its own pool, and replicas, other test files and other projects' tests (two
// at once under nx) share one server's 100 connections: a small pool unless a bench asks more.
export const DEFAULT_STACK_POOL_SIZE = 4;

export function simulatorEnv(token: string, seed: number, timeScale: number): Record<string, string> {
  return { MXS_SIM_TOKEN: token, MXS_SIM_SEED: String(seed), MXS_SIM_TIME_SCALE: String(timeScale), LOG_LEVEL: 'warn' };
}

export function apiEnv(w: StackWiring, billingUrl: string | null): Record<string, string> {
  return {
    DATABASE_URL: w.dbUrl, REDIS_URL: w.redisUrl, MXS_QUEUE_PREFIX: w.queuePrefix, MXS_ADMIN_KEY: w.adminKey, LOG_LEVEL: 'warn',
    MXS_RATE_LIMIT_PER_MINUTE: '0', MXS_DB_POOL_SIZE: String(w.dbPoolSize),
    MXS_SIMULATOR_URL: w.simulatorUrl, MXS_SIMULATOR_TOKEN: w.simulatorToken,
    ...(billingUrl === null ? {} : { MXS_BILLING_URL: billingUrl }),
  };
}

/**
 * The worker's settings for replays (TestStack's): short job locks and host leases so a killed
 * worker's sagas move on within seconds, no background sweeps. With a simulator at time scale 0
 * steps take milliseconds, so a short step deadline; at real durations the defaults.
 */
export function workerEnv(w: StackWiring, simTimeScale: number, overrides: Record<string, string> = {}): Record<string, string> {
  const fast = simTimeScale === 0;
  return {
    DATABASE_URL: w.dbUrl, REDIS_URL: w.redisUrl, MXS_QUEUE_PREFIX: w.queuePrefix, MXS_ADMIN_KEY: w.adminKey,
    // Info, because each saga's end is logged with its operation id: the logs tell which worker ran it.
    LOG_LEVEL: 'info',
    MXS_HOST_AGENT_URL: w.simulatorUrl, MXS_HOST_AGENT_TOKEN: w.simulatorToken, MXS_DB_POOL_SIZE: String(w.dbPoolSize),
    MXS_JOB_LOCK_MS: '2000', MXS_HOST_LEASE_MS: '2000', MXS_SHUTDOWN_GRACE_MS: '2000',
    ...(fast ? { MXS_STEP_DEADLINE_MS: '5000', MXS_SANITIZE_MS_PER_GIB: '0' } : {}),
    MXS_TELEMETRY_INTERVAL_MS: '0', MXS_RECONCILE_INTERVAL_MS: '0',
    ...overrides,
  };
}

export function billingEnv(w: StackWiring): Record<string, string> {
  return {
    DATABASE_URL: w.dbUrl, REDIS_URL: w.redisUrl, MXS_QUEUE_PREFIX: w.queuePrefix, MXS_ADMIN_KEY: w.adminKey, LOG_LEVEL: 'warn',
    MXS_RATE_LIMIT_PER_MINUTE: '0', MXS_DB_POOL_SIZE: '4',
  };
}

/** A worker slot: the process now running (null once killed and not yet restarted) and what earlier ones printed. */
export class WorkerSlot {
  private child: AppProcess | null = null;
  private earlierOutput = '';

  constructor(readonly env: Record<string, string>) {}

  async start(): Promise<void> {
    if (this.child !== null) this.earlierOutput += this.child.output();
    this.child = null;
    this.child = await spawnApp('hotplug-worker', this.env);
  }

  /** SIGKILL, as a crash: no drain, no checkpoint beyond what it already wrote. */
  kill(): void {
    this.child?.process.kill('SIGKILL');
  }

  get running(): boolean {
    const p = this.child?.process;
    return p !== undefined && p.exitCode === null && p.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.process.pid;
  }

  /** Everything every incarnation printed, oldest first. */
  output(): string {
    return this.earlierOutput + (this.child?.output() ?? '');
  }

  async stop(): Promise<void> {
    await this.child?.stop(5_000);
  }
}

/** A redis-server of the stack's own, with an fsynced append-only file, restartable on its port. */
export class PrivateRedis {
  private constructor(
    private server: RedisServer,
    readonly port: number,
    readonly dir: string,
  ) {}

  static async start(dir: string): Promise<PrivateRedis> {
    const port = await freePort();
    return new PrivateRedis(await startRedisServer(port, { appendOnlyDir: dir }), port, dir);
  }

  get url(): string {
    return this.server.url;
  }

  output(): string {
    return this.server.output();
  }

  /** Stops it (SIGTERM: the append-only file is complete), waits `downMs`, starts it again on the same port and file. */
  async restart(downMs = 0): Promise<void> {
    await this.server.stop(5_000);
    if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
    this.server = await startRedisServer(this.port, { appendOnlyDir: this.dir });
  }

  async stop(): Promise<void> {
    await this.server.stop(5_000);
  }
}
