import { baseConfigSchema, envBoolean, envInteger, envString, envUrl, loadConfig } from '@mxs/service-kit';
import type { z } from 'zod';

export const workerConfigSchema = baseConfigSchema.extend({
  /** Only /health and /metrics listen here. */
  PORT: envInteger({ min: 0, max: 65535, default: 3100 }),
  /** Where that listener binds: loopback unless told (a container sets 0.0.0.0 so Prometheus can scrape it). */
  MXS_WORKER_BIND: envString({ default: '127.0.0.1' }),
  MXS_DB_POOL_SIZE: envInteger({ min: 1, max: 200, default: 20 }),
  /** The host agents (the simulator locally) and the token they require. */
  MXS_HOST_AGENT_URL: envUrl({ protocols: ['http', 'https'], default: 'http://127.0.0.1:4100' }),
  MXS_HOST_AGENT_TOKEN: envString({ minLength: 16, what: 'expected the host agents\' shared token (16+ characters)' }),
  /** Jobs this process holds at once: one saga per host runs, a few more wait their turn in line (cheap: they only wait). */
  MXS_WORKER_CONCURRENCY: envInteger({ min: 1, max: 4096, default: 256 }),
  /** BullMQ workers those slots are split between: each fetches a few jobs and starts them, rather than one fetching a whole burst first. */
  MXS_WORKER_LANES: envInteger({ min: 1, max: 256, default: 16 }),
  /** A crashed worker's host lease lapses after this; a live one renews it at a third of it. */
  MXS_HOST_LEASE_MS: envInteger({ min: 500, max: 600_000, default: 15_000 }),
  /** BullMQ's job lock: a job whose worker died is picked up again about this long after. */
  MXS_JOB_LOCK_MS: envInteger({ min: 500, max: 600_000, default: 30_000 }),
  /** Longest a step may keep failing transiently (host down, EBUSY…) before the saga gives up. */
  MXS_STEP_DEADLINE_MS: envInteger({ min: 100, max: 3_600_000, default: 120_000 }),
  /**
   * How long a step may run before the checkpoint of the steps finished before it is written;
   * those that finish sooner are written together (or with the saga's ending).
   */
  MXS_CHECKPOINT_AFTER_MS: envInteger({ min: 0, max: 60_000, default: 100 }),
  /** Deadline of a fabric release, per GiB on top of the step deadline: scrubbing takes time. */
  MXS_SANITIZE_MS_PER_GIB: envInteger({ min: 0, max: 600_000, default: 1_000 }),
  /** On SIGTERM, how long running sagas may take to finish before they stop at their next step. */
  MXS_SHUTDOWN_GRACE_MS: envInteger({ min: 0, max: 600_000, default: 10_000 }),
  /** Relay the outbox from this process too (usage events it writes go out without an API). */
  MXS_OUTBOX_RELAY: envBoolean(true),
  /** Re-place expansions off a failed device or switch, unless a tenant says otherwise. */
  MXS_AUTO_REPLACE: envBoolean(false),
  /** Telemetry and reconciliation sweeps, in ms; 0 leaves them to other workers. */
  MXS_TELEMETRY_INTERVAL_MS: envInteger({ min: 0, max: 86_400_000, default: 10_000 }),
  MXS_RECONCILE_INTERVAL_MS: envInteger({ min: 0, max: 86_400_000, default: 60_000 }),
  /** An unfinished operation untouched this long, whose job is gone or dead, is queued again. */
  MXS_RECONCILE_GRACE_MS: envInteger({ min: 0, max: 86_400_000, default: 60_000 }),
  /** Devices and hosts a sweep reads at once. */
  MXS_TELEMETRY_CONCURRENCY: envInteger({ min: 1, max: 256, default: 16 }),
  /** A healthy device at or past any of these turns `degraded` for placement. */
  MXS_DEVICE_DEGRADED_LIFE_USED_PCT: envInteger({ min: 1, max: 100, default: 90 }),
  MXS_DEVICE_DEGRADED_CORRECTED_ERRORS: envInteger({ min: 1, max: 1_000_000_000, default: 1_000 }),
  MXS_DEVICE_DEGRADED_POISON_RECORDS: envInteger({ min: 1, max: 1_000_000, default: 1 }),
});

export type WorkerConfig = z.output<typeof workerConfigSchema>;

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return loadConfig(workerConfigSchema, env);
}
