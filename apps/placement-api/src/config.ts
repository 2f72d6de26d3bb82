import { baseConfigSchema, envBoolean, envInteger, envString, envUrl, loadConfig } from '@mxs/service-kit';
import { join } from 'node:path';
import type { z } from 'zod';

export const apiConfigSchema = baseConfigSchema.extend({
  /** Connections this replica keeps to PostgreSQL. */
  MXS_DB_POOL_SIZE: envInteger({ min: 1, max: 200, default: 20 }),
  /** Relay the outbox to BullMQ from this process (every replica may; they share the work). */
  MXS_OUTBOX_RELAY: envBoolean(true),
  /** Concurrent `placement-requests` jobs; 0 leaves automation to other replicas. */
  MXS_AUTOMATION_CONCURRENCY: envInteger({ min: 0, max: 64, default: 8 }),
  /** The built admin console (`npx nx build admin-console`), served at /console. */
  MXS_CONSOLE_DIR: envString({ default: join(__dirname, '..', '..', '..', 'dist', 'apps', 'admin-console') }),
  /** The billing service, which /billing/* forwards to (the console's invoices and SLA); unset: 503. */
  MXS_BILLING_URL: envUrl({ protocols: ['http', 'https'] }).optional(),
  /** The host simulator's control API, for operators' fault injection (POST /admin/v1/faults); unset: 503. */
  MXS_SIMULATOR_URL: envUrl({ protocols: ['http', 'https'] }).optional(),
  MXS_SIMULATOR_TOKEN: envString({ minLength: 16, what: "expected the simulator's shared token (16+ characters)" }).optional(),
});

export type ApiConfig = z.output<typeof apiConfigSchema>;

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return loadConfig(apiConfigSchema, env);
}
