import { envInteger, envString, httpKitConfigSchema, loadConfig } from '@mxs/service-kit';
import { z } from 'zod';
import type { SimDurations } from './model/options';

function envNumber(options: { min: number; max: number; default: number }) {
  const expected = `expected a number ${options.min}..${options.max}`;
  return z
    .string()
    .regex(/^\s*\d+(\.\d+)?\s*$/, expected)
    .transform(Number)
    .pipe(z.number().min(options.min, expected).max(options.max, expected))
    .default(options.default);
}

const distribution = z.strictObject({
  medianMs: z.number().min(0),
  sigma: z.number().min(0).max(5),
  tailProbability: z.number().min(0).max(1),
  tailAlpha: z.number().min(0.5).max(10),
});
const durationKeys = [
  'offerPerCall',
  'acceptPerCall',
  'onlinePerBlock',
  'offlinePerBlock',
  'destroyPerCall',
  'plugPerBlock',
  'unplugPerBlock',
  'releasePerCall',
  'sanitizePerGiB',
] as const satisfies readonly (keyof SimDurations)[];
const durationsOverride = z.strictObject(Object.fromEntries(durationKeys.map((k) => [k, distribution.optional()])) as Record<(typeof durationKeys)[number], z.ZodOptional<typeof distribution>>);
const expectedDurations = `expected JSON like {"onlinePerBlock":{"medianMs":2,"sigma":0.5,"tailProbability":0.02,"tailAlpha":1.8}} with keys ${durationKeys.join(', ')}`;

export const simConfigSchema = httpKitConfigSchema.extend({
  /** Shared secret every caller sends as `Authorization: Bearer …` (all routes but /health). */
  MXS_SIM_TOKEN: envString({ minLength: 16, what: 'expected a shared secret of at least 16 characters' }),
  /** Internal API: loopback unless an operator says otherwise. */
  MXS_SIM_BIND: envString({ default: '127.0.0.1' }),
  MXS_SIM_PORT: envInteger({ min: 0, max: 65535, default: 4100 }),
  MXS_SIM_SEED: envInteger({ min: 0, max: 2 ** 31 - 1, default: 1 }),
  /** 1 = real time, 0 = every step completes within its call. */
  MXS_SIM_TIME_SCALE: envNumber({ min: 0, max: 1000, default: 1 }),
  /** A preset name (small, rack64, region) or a path to mxs-fleet/1 JSON, loaded at start. */
  MXS_SIM_FLEET: z.string().optional(),
  /** Where POST /sim/state/save writes; loaded at start when it exists, written on shutdown. */
  MXS_SIM_STATE_FILE: z.string().optional(),
  MXS_SIM_ENOMEM_RATE: envNumber({ min: 0, max: 1, default: 0 }),
  MXS_SIM_EBUSY_RATE: envNumber({ min: 0, max: 1, default: 0 }),
  MXS_SIM_UNPLUG_STOP_SHORT_RATE: envNumber({ min: 0, max: 1, default: 0 }),
  MXS_SIM_DURATIONS: z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: expectedDurations });
        return z.NEVER;
      }
    })
    .pipe(durationsOverride)
    .optional(),
  MXS_SIM_EVENT_LOG_LIMIT: envInteger({ min: 1000, max: 10_000_000, default: 200_000 }),
});

export type SimConfig = z.output<typeof simConfigSchema>;

export function loadSimConfig(env: NodeJS.ProcessEnv = process.env): SimConfig {
  return loadConfig(simConfigSchema, env);
}
