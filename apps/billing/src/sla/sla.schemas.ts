import { z } from 'zod';
import { MAX_HISTORY_BUCKETS } from './sla-history';

const latency = z
  .object({ count: z.int(), minMs: z.number(), maxMs: z.number(), meanMs: z.number(), p50Ms: z.number(), p95Ms: z.number(), p99Ms: z.number(), p999Ms: z.number() })
  .meta({ id: 'LatencySummary' });
const uptime = z
  .object({ windowSeconds: z.number(), downtimeSeconds: z.number(), uptimePct: z.string().describe('Truncated to 4 decimals; "100" with no usage') })
  .meta({ id: 'UptimeSummary' });
const credits = {
  creditsMinor: z.int().nullable().describe('SLA credits earned so far this month (≤ 0), null without a plan'),
  currency: z.string().nullable(),
};

export const tenantSlaSchema = z
  .object({ tenantId: z.string(), period: z.string(), timeToReady: latency, hotRemove: latency, uptime, ...credits })
  .meta({ id: 'TenantSla' });

const burnAlert = z.object({ name: z.string(), factor: z.number(), longBurn: z.number(), shortBurn: z.number(), firing: z.boolean() }).meta({ id: 'BurnAlertStatus' });
export const fleetSlaSchema = z
  .object({
    period: z.string(),
    fleet: z.object({ timeToReady: latency, hotRemove: latency, uptime }),
    slos: z.array(
      z.object({
        name: z.enum(['time-to-ready', 'hot-remove']),
        objective: z.number(),
        thresholdMs: z.int(),
        good: z.int(),
        bad: z.int(),
        errorBudget: z.object({ allowedBad: z.number(), consumedFraction: z.number(), remainingFraction: z.number() }),
        burnAlerts: z.array(burnAlert),
      }),
    ),
    capacity: z
      .object({
        capacityGiB: z.number(),
        placeableCapacityGiB: z.number(),
        usedGiB: z.number(),
        freeGiB: z.number(),
        utilization: z.number(),
        strandedGiB: z.number(),
        fragmentation: z.number(),
      })
      .nullable(),
    tenants: z.array(z.object({ tenantId: z.string(), timeToReady: latency, hotRemove: latency, uptime, ...credits })),
  })
  .meta({ id: 'FleetSla' });

export const slaHistoryQuery = z
  .strictObject({
    hours: z.coerce.number().int().min(1).max(2160).default(24).describe('How far back, in hours (1-2160, default 24)'),
    bucketMinutes: z.coerce.number().int().min(1).max(1440).default(60).describe(`Bucket width in minutes (1-1440, default 60); hours × 60 / bucketMinutes at most ${MAX_HISTORY_BUCKETS}`),
  })
  .superRefine(
    (q, ctx) => {
      if ((q.hours * 60) / q.bucketMinutes <= MAX_HISTORY_BUCKETS) return;
      ctx.addIssue({
        code: 'custom',
        path: ['bucketMinutes'],
        message: `${q.hours} hours in ${q.bucketMinutes}-minute buckets is more than ${MAX_HISTORY_BUCKETS} buckets; use bucketMinutes of at least ${Math.ceil((q.hours * 60) / MAX_HISTORY_BUCKETS)} or fewer hours`,
      });
    },
    // Only once each field is valid on its own: an hours out of range is the one error to fix.
    { when: (payload) => payload.issues.length === 0 },
  );

export const slaHistorySchema = z
  .object({
    from: z.iso.datetime().describe('The start of the first bucket, the one holding now − hours'),
    to: z.iso.datetime().describe('The end of the last bucket (exclusive), the one holding now'),
    bucketMinutes: z.int(),
    buckets: z.array(
      z.object({
        start: z.iso.datetime().describe('Buckets are aligned on multiples of bucketMinutes since the Unix epoch'),
        timeToReady: latency,
        hotRemove: latency,
      }),
    ).describe('Oldest first, every bucket of the window (count 0 where no operation completed); an operation counts in the bucket it ended in'),
  })
  .meta({ id: 'SlaHistory' });
