import { baseConfigSchema, envBoolean, envInteger, loadConfig } from '@mxs/service-kit';
import type { z } from 'zod';

export const apiConfigSchema = baseConfigSchema.extend({
  /** Connections this replica keeps to PostgreSQL. */
  MXS_DB_POOL_SIZE: envInteger({ min: 1, max: 200, default: 20 }),
  /** Relay the outbox to BullMQ from this process (every replica may; they share the work). */
  MXS_OUTBOX_RELAY: envBoolean(true),
  /** Concurrent `placement-requests` jobs; 0 leaves automation to other replicas. */
  MXS_AUTOMATION_CONCURRENCY: envInteger({ min: 0, max: 64, default: 8 }),
});

export type ApiConfig = z.output<typeof apiConfigSchema>;

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return loadConfig(apiConfigSchema, env);
}
