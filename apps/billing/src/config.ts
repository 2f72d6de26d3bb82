import { baseConfigSchema, envInteger, loadConfig } from '@mxs/service-kit';
import type { z } from 'zod';

export const billingConfigSchema = baseConfigSchema.extend({
  PORT: envInteger({ min: 0, max: 65535, default: 3200 }),
  MXS_DB_POOL_SIZE: envInteger({ min: 1, max: 200, default: 20 }),
  /** `usage-events` jobs held at once; they are written in shared transactions of up to MXS_METER_BATCH. */
  MXS_METER_CONCURRENCY: envInteger({ min: 0, max: 4096, default: 512 }),
  MXS_METER_BATCH: envInteger({ min: 1, max: 5_000, default: 500 }),
  /** Batches written at once; more than a few only queue on the same rows. */
  MXS_METER_WRITERS: envInteger({ min: 1, max: 32, default: 3 }),
  /** A held event stays locked this long without renewal; a crashed consumer's events are retried within about twice this. */
  MXS_METER_LOCK_MS: envInteger({ min: 500, max: 600_000, default: 30_000 }),
  /** A month's invoices stay drafts this long after it ends, for late events; then they are finalized. */
  MXS_INVOICE_GRACE_HOURS: envInteger({ min: 0, max: 24 * 62, default: 72 }),
  /** How often closed months are rated and past-grace drafts finalized; 0 leaves it to other replicas. */
  MXS_BILLING_CLOSE_INTERVAL_MS: envInteger({ min: 0, max: 86_400_000, default: 300_000 }),
  /** How often the SLA figures behind /metrics are recomputed; 0 turns it off. */
  MXS_SLA_EVALUATION_INTERVAL_MS: envInteger({ min: 0, max: 86_400_000, default: 60_000 }),
  /** SLOs: a hot-add is good when ready within this, a hot-remove when done within that. */
  MXS_SLO_READY_MS: envInteger({ min: 1, max: 3_600_000, default: 30_000 }),
  MXS_SLO_REMOVE_MS: envInteger({ min: 1, max: 3_600_000, default: 60_000 }),
  /** The share of operations that must be good, in basis points (9900 = 99%). */
  MXS_SLO_OBJECTIVE_BP: envInteger({ min: 1, max: 9_999, default: 9_900 }),
});

export type BillingConfig = z.output<typeof billingConfigSchema>;

export function loadBillingConfig(env: NodeJS.ProcessEnv = process.env): BillingConfig {
  return loadConfig(billingConfigSchema, env);
}
