import { z } from 'zod';
import { EXPANSION_STATES, expansionRequestFields, idSchema, idempotencyKeySchema, interleaveWaysOnlyWithInterleave, requestIdSchema } from './expansion';
import { HOTPLUG_JOBS } from './queues';

const extentSchema = z.strictObject({
  deviceId: idSchema,
  offsetGiB: z.int().min(0),
  sizeGiB: z.int().min(1),
});

/** A `hotplug` job: one saga run. The job id is `operationId`, so a relay retry adds it once. */
export const hotplugJobSchema = z.strictObject({
  operationId: z.uuid(),
  kind: z.enum(HOTPLUG_JOBS),
  expansionId: z.uuid(),
  tenantId: idSchema,
  vmId: idSchema,
  hostId: idSchema,
  sizeGiB: z.int().min(1),
  extents: z.array(extentSchema),
  /** The HTTP request (or automation job) that caused it, so logs can be followed end to end. */
  requestId: requestIdSchema.nullable(),
  /** Hot-remove only: an operator's force-release takes the memory at once (the VM loses it), without the guest's part. */
  force: z.boolean().optional(),
});
export type HotplugJob = z.infer<typeof hotplugJobSchema>;

/** Automation's request for memory: the POST body plus who asks and the idempotency key. */
export const placementRequestJobSchema = interleaveWaysOnlyWithInterleave(
  z.strictObject({
    ...expansionRequestFields,
    tenantId: idSchema,
    vmId: idSchema,
    idempotencyKey: idempotencyKeySchema,
    requestId: requestIdSchema.optional(),
  }),
);
export type PlacementRequestJob = z.infer<typeof placementRequestJobSchema>;

/**
 * The answer to a placement request, exactly what the API would have answered: `status` is
 * the HTTP status and `body` its JSON body (the expansion, or a problem document).
 */
export interface PlacementOutcome {
  readonly status: number;
  readonly body: unknown;
}

/** An event on `expansion-events`, for automation that waits on outcomes. */
export const expansionEventSchema = z.strictObject({
  eventId: z.string(),
  type: z.enum(['expansion.placed', 'expansion.rejected', 'expansion.state-changed']),
  tenantId: idSchema,
  vmId: idSchema,
  expansionId: z.uuid().nullable(),
  state: z.enum(EXPANSION_STATES).nullable(),
  idempotencyKey: z.string().nullable(),
  status: z.int(),
  at: z.iso.datetime(),
  body: z.unknown(),
});
export type ExpansionEvent = z.infer<typeof expansionEventSchema>;
