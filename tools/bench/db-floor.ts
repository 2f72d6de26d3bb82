import { createDataSource } from '@mxs/persistence';
import { LatencyRecorder, round } from './api-mix';

export interface FloorResult {
  readonly transactions: number;
  readonly durationSec: number;
  readonly txPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface FloorOptions {
  readonly url: string;
  /** The API's pool size (MXS_DB_POOL_SIZE), so both go through a pool of one shape. */
  readonly poolSize: number;
  readonly concurrency: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  /** Called once the pool is warm, right before the measured part starts, and right after it ends. */
  readonly around?: { before(): Promise<void>; after(): Promise<void> };
}

/**
 * The physical floor: BEGIN; INSERT one row; COMMIT through a TypeORM pool configured like the
 * API's, at the benchmark's concurrency. No placement can commit faster than this on the same
 * server, since each one is such a transaction with more in it.
 */
export async function measureFloor(options: FloorOptions): Promise<FloorResult> {
  const db = createDataSource({ url: options.url, poolSize: options.poolSize, applicationName: 'mxs-bench-floor' });
  await db.initialize();
  try {
    await db.query(`CREATE TABLE IF NOT EXISTS bench_floor (id bigserial PRIMARY KEY, payload text NOT NULL, at timestamptz NOT NULL DEFAULT now())`);
    const insertOne = (n: number) => db.transaction((m) => m.query(`INSERT INTO bench_floor (payload) VALUES ($1)`, [`row-${n}`]));
    await drive(options.concurrency, options.warmupMs, insertOne, null);
    const latencies = new LatencyRecorder();
    await options.around?.before();
    const started = performance.now();
    const transactions = await drive(options.concurrency, options.durationMs, insertOne, latencies);
    const durationSec = (performance.now() - started) / 1000;
    await options.around?.after();
    const summary = latencies.summary();
    return { transactions, durationSec: round(durationSec, 2), txPerSec: Math.round(transactions / durationSec), p50Ms: summary.p50Ms, p99Ms: summary.p99Ms };
  } finally {
    await db.query(`DROP TABLE IF EXISTS bench_floor`).catch(() => undefined);
    await db.destroy();
  }
}

/** `concurrency` loops calling `work` back to back until `durationMs` is over; returns the calls made. */
async function drive(concurrency: number, durationMs: number, work: (n: number) => Promise<unknown>, latencies: LatencyRecorder | null): Promise<number> {
  const endAt = performance.now() + durationMs;
  let done = 0;
  const lanes = Array.from({ length: concurrency }, async () => {
    while (performance.now() < endAt) {
      const t0 = performance.now();
      await work(done);
      latencies?.record(performance.now() - t0);
      done++;
    }
  });
  await Promise.all(lanes);
  return done;
}
