import { INTERLEAVE_WAYS, LAYOUTS, MAX_REQUEST_GIB, REQUESTED_TIERS } from '@mxs/policy';
import { idSchema } from '@mxs/topology';
import { z } from 'zod';

/** DESIGN §5: the life of an expansion. */
export const EXPANSION_STATES = [
  'requested',
  'placed',
  'attaching',
  'active',
  'detaching',
  'released',
  'rejected',
  'failed',
  'degraded',
] as const;
export type ExpansionState = (typeof EXPANSION_STATES)[number];

/** States whose extents still hold device capacity: only the fabric's release frees it. */
export const LIVE_STATES: readonly ExpansionState[] = ['requested', 'placed', 'attaching', 'active', 'detaching', 'degraded'];

/** States a tenant may ask to remove from; `detaching` again is a no-op, not an error. */
export const REMOVABLE_STATES: readonly ExpansionState[] = ['placed', 'attaching', 'active', 'degraded'];

/** What an operator may force-release: memory attached to the VM, with no saga running on it. */
export const FORCE_RELEASABLE_STATES: readonly ExpansionState[] = ['active', 'degraded'];

export const TRANSITIONS: Readonly<Record<ExpansionState, readonly ExpansionState[]>> = {
  requested: ['placed', 'rejected'],
  placed: ['attaching', 'detaching', 'failed'],
  attaching: ['active', 'failed', 'detaching'],
  active: ['detaching', 'degraded'],
  degraded: ['active', 'detaching', 'failed'],
  // Back to active when a hot-remove gives up (pinned pages past the deadline): the VM keeps it.
  detaching: ['released', 'failed', 'active'],
  released: [],
  rejected: [],
  failed: [],
};

export function canTransition(from: ExpansionState, to: ExpansionState): boolean {
  return TRANSITIONS[from].includes(to);
}

export { idSchema };

/** The `Idempotency-Key` header, and the same field of automation's jobs. */
export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

/** A request id that follows an expansion from its request into its jobs and logs. */
export const requestIdSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, '1-64 letters, digits, ".", "_", ":" or "-"');

/** The fields of an expansion request, shared by the POST body and automation's job. */
export const expansionRequestFields = {
  sizeGiB: z.int().min(1).max(MAX_REQUEST_GIB),
  tier: z.enum(REQUESTED_TIERS),
  maxAddedLatencyNs: z.int().min(0).max(100_000).optional(),
  layout: z.enum(LAYOUTS).optional(),
  interleaveWays: z.int().min(INTERLEAVE_WAYS.min).max(INTERLEAVE_WAYS.max).optional(),
};

/** `interleaveWays` means something only with `layout: "interleave"`. */
export function interleaveWaysOnlyWithInterleave<T extends z.ZodType<{ layout?: string | undefined; interleaveWays?: number | undefined }>>(schema: T): T {
  return schema.refine((r) => r.interleaveWays === undefined || r.layout === 'interleave', {
    path: ['interleaveWays'],
    message: 'interleaveWays is only for layout "interleave"',
  });
}

/** The body of `POST /v1/vms/{vmId}/expansions`, and the heart of a `placement-requests` job. */
export const expansionRequestSchema = interleaveWaysOnlyWithInterleave(z.strictObject(expansionRequestFields));
export type ExpansionRequest = z.infer<typeof expansionRequestSchema>;

export interface ExtentView {
  readonly deviceId: string;
  readonly offsetGiB: number;
  readonly sizeGiB: number;
}

/** What the API returns for an expansion. */
export interface ExpansionView {
  readonly id: string;
  readonly vmId: string;
  readonly hostId: string;
  readonly sizeGiB: number;
  readonly tier: ExpansionRequest['tier'];
  readonly placedTier: 'direct' | 'pooled' | null;
  readonly layout: NonNullable<ExpansionRequest['layout']>;
  readonly interleaveWays: number | null;
  readonly maxAddedLatencyNs: number | null;
  readonly state: ExpansionState;
  readonly reason: string | null;
  readonly extents: readonly ExtentView[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface TransitionView {
  readonly from: ExpansionState | null;
  readonly to: ExpansionState;
  readonly at: string;
  readonly reason: string | null;
  readonly requestId: string | null;
}
