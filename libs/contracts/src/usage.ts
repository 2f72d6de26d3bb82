import { z } from 'zod';
import { idSchema } from './expansion';

/** What billing meters (DESIGN §8): each is one fact about an expansion, at the moment it happened on the host. */
export const USAGE_EVENT_TYPES = [
  'expansion.activated',
  'expansion.resized',
  'expansion.degraded',
  'expansion.restored',
  'expansion.released',
] as const;
export type UsageEventType = (typeof USAGE_EVENT_TYPES)[number];

/** A `usage-events` job; `eventId` is also its job id, so a consumer can claim it exactly once. */
export const usageEventSchema = z.strictObject({
  eventId: z.uuid(),
  type: z.enum(USAGE_EVENT_TYPES),
  expansionId: z.uuid(),
  tenantId: idSchema,
  vmId: idSchema,
  hostId: idSchema,
  tier: z.enum(['direct', 'pooled']),
  /** The size from this moment on (0 once released). */
  sizeGiB: z.int().min(0),
  at: z.iso.datetime(),
  reason: z.string().nullable(),
});
export type UsageEvent = z.infer<typeof usageEventSchema>;
