import { pageQuery } from '@mxs/service-kit';
import { EXPANSION_STATES, expansionRequestSchema, idSchema, idempotencyKeySchema } from '@mxs/contracts';
import { LAYOUTS, REQUESTED_TIERS } from '@mxs/policy';
import { z } from 'zod';

export const createExpansionBody = expansionRequestSchema.meta({
  id: 'ExpansionRequest',
  description: 'How much memory, of which tier, laid out how. Unknown fields are refused.',
});

export const vmIdParam = idSchema.describe('The VM id');
export const expansionIdParam = z.uuid().describe('The expansion id');
export const idempotencyKeyHeader = idempotencyKeySchema.describe('Any unique string; a repeat with the same body answers the first response again');

export const expansionListQuery = z.strictObject({
  state: z.enum(EXPANSION_STATES).optional(),
  vmId: idSchema.optional(),
  ...pageQuery,
});

export const adminExpansionListQuery = expansionListQuery.extend({ tenantId: idSchema.optional() });

const extentSchema = z.object({ deviceId: z.string(), offsetGiB: z.int(), sizeGiB: z.int() }).meta({ id: 'Extent' });

export const expansionSchema = z
  .object({
    id: z.uuid(),
    vmId: z.string(),
    hostId: z.string(),
    sizeGiB: z.int(),
    tier: z.enum(REQUESTED_TIERS),
    placedTier: z.enum(['direct', 'pooled']).nullable(),
    layout: z.enum(LAYOUTS),
    interleaveWays: z.int().nullable(),
    maxAddedLatencyNs: z.int().nullable(),
    state: z.enum(EXPANSION_STATES),
    reason: z.string().nullable(),
    extents: z.array(extentSchema),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Expansion' });

export const transitionSchema = z
  .object({
    from: z.enum(EXPANSION_STATES).nullable(),
    to: z.enum(EXPANSION_STATES),
    at: z.iso.datetime(),
    reason: z.string().nullable(),
    requestId: z.string().nullable(),
  })
  .meta({ id: 'Transition' });

export const expansionWithTimelineSchema = expansionSchema.extend({ timeline: z.array(transitionSchema) }).meta({ id: 'ExpansionWithTimeline' });

export const expansionPageSchema = z
  .object({ items: z.array(expansionSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'ExpansionPage' });

export const adminExpansionPageSchema = z
  .object({ items: z.array(expansionSchema.extend({ tenantId: z.string() })), nextCursor: z.string().nullable() })
  .meta({ id: 'AdminExpansionPage' });

/** The keyset position of an expansion list: creation time (PostgreSQL has no year 0), then id. */
export const expansionCursor = z.tuple([z.iso.datetime().refine((at) => !at.startsWith('0000'), 'year 0 does not exist'), z.uuid()]);

const stepSchema = z
  .object({
    name: z.string(),
    phase: z.enum(['do', 'undo']).describe('`undo`: a step of the compensation'),
    finishedAt: z.iso.datetime(),
    durationMs: z.number(),
    attempts: z.int(),
    errors: z.array(z.string()),
  })
  .meta({ id: 'SagaStep' });

const operationSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(['hot-add', 'hot-remove']),
    force: z.boolean().describe("An operator's force-release"),
    state: z.enum(['pending', 'running', 'compensating', 'done', 'failed', 'superseded']),
    createdAt: z.iso.datetime(),
    startedAt: z.iso.datetime().nullable(),
    finishedAt: z.iso.datetime().nullable(),
    attempts: z.int(),
    lastError: z.string().nullable(),
    steps: z.array(stepSchema).describe('Steps done, in the order they finished'),
  })
  .meta({ id: 'SagaOperation' });

export const adminExpansionDetailSchema = expansionWithTimelineSchema
  .extend({ tenantId: z.string(), operations: z.array(operationSchema).describe('The sagas run for it, oldest first') })
  .meta({ id: 'AdminExpansionDetail' });
