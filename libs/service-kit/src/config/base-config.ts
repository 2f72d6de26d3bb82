import { z } from 'zod';
import { envEnum, envInteger, envString, envTrustProxy, envUrl } from './env';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What every service reads; apps `.extend()` it with their own variables. */
export const baseConfigSchema = z.object({
  DATABASE_URL: envUrl({ protocols: ['postgres', 'postgresql'], default: 'postgres://postgres@127.0.0.1:5432/mxs' }),
  REDIS_URL: envUrl({ protocols: ['redis', 'rediss'], default: 'redis://127.0.0.1:6379' }),
  PORT: envInteger({ min: 1, max: 65535, default: 3000 }),
  MXS_ADMIN_KEY: envString({ minLength: 16, what: 'expected a secret of at least 16 characters' }),
  LOG_LEVEL: envEnum(LOG_LEVELS, 'info'),
  /** Hash-tagged so every BullMQ key of one queue lands on one Redis Cluster slot. */
  MXS_QUEUE_PREFIX: envString({ default: '{mxs}' }),
  /** Requests per API key (or client address) per minute; 0 turns rate limiting off. */
  MXS_RATE_LIMIT_PER_MINUTE: envInteger({ min: 0, max: 1_000_000, default: 600 }),
  MXS_TRUST_PROXY: envTrustProxy(),
});

export type KitConfig = z.output<typeof baseConfigSchema>;

/**
 * What the kit's HTTP pipeline itself reads: enough for an app without a database, Redis or
 * admin key (the host simulator). Rate limiting needs both fields of the full config.
 */
export const httpKitConfigSchema = baseConfigSchema.pick({ LOG_LEVEL: true, MXS_TRUST_PROXY: true });

export type HttpKitConfig = z.output<typeof httpKitConfigSchema> &
  Partial<Pick<KitConfig, 'MXS_RATE_LIMIT_PER_MINUTE' | 'REDIS_URL'>>;

/** Injection token of the loaded config (a KitConfig or an app's extension of it). */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
