/** One dependency /health probes; `check` resolves when it is usable and rejects (or hangs) when not. */
export interface HealthCheck {
  name: string;
  check(): Promise<void>;
}

export interface CheckReport {
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
}

export interface HealthReport {
  status: 'ok' | 'down';
  checks: Record<string, CheckReport>;
}

export const DEFAULT_CHECK_TIMEOUT_MS = 2_000;

/** Runs every check at once, each bounded by `timeoutMs`, so one stuck dependency cannot stall the probe. */
export async function runHealthChecks(
  checks: readonly HealthCheck[],
  timeoutMs: number = DEFAULT_CHECK_TIMEOUT_MS,
): Promise<HealthReport> {
  const reports = await Promise.all(checks.map(async (check) => [check.name, await runOne(check, timeoutMs)] as const));
  return {
    status: reports.every(([, report]) => report.status === 'up') ? 'ok' : 'down',
    checks: Object.fromEntries(reports),
  };
}

async function runOne(check: HealthCheck, timeoutMs: number): Promise<CheckReport> {
  const startedAt = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check.check(), timeout]);
    return { status: 'up', latencyMs: elapsedMs(startedAt) };
  } catch (error) {
    return {
      status: 'down',
      latencyMs: elapsedMs(startedAt),
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    clearTimeout(timer);
  }
}

function elapsedMs(startedAt: number): number {
  return Math.round((performance.now() - startedAt) * 10) / 10;
}

/** PostgreSQL answers `SELECT 1` (a TypeORM DataSource or a pg Pool fits). */
export function postgresCheck(db: { query(sql: string): Promise<unknown> }, name = 'postgres'): HealthCheck {
  return {
    name,
    check: async () => {
      await db.query('SELECT 1');
    },
  };
}

/** Redis answers PING (an ioredis client fits). */
export function redisCheck(redis: { ping(): Promise<unknown> }, name = 'redis'): HealthCheck {
  return {
    name,
    check: async () => {
      await redis.ping();
    },
  };
}
