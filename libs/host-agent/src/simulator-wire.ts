import { FLEET_PRESETS, idSchema } from '@mxs/topology';
import { z } from 'zod';

/** The simulator's control API (`/sim/...`): faults, the event log, fleet and state. */

const count = z.int().min(0).max(1_000_000);

/** Every fault a test or operator can inject, by `kind`. */
export const faultSchema = z.discriminatedUnion('kind', [
  /** The agent answers `host-down` until restarted; regions and VMs survive, progress pauses. */
  z.strictObject({ kind: z.literal('host-crash'), hostId: idSchema }),
  z.strictObject({ kind: z.literal('host-restart'), hostId: idSchema }),
  /** Calls on the device answer `device-failed`; its media status turns `failed`. */
  z.strictObject({ kind: z.literal('device-fail'), deviceId: idSchema, reason: z.string().max(200).optional() }),
  z.strictObject({ kind: z.literal('device-restore'), deviceId: idSchema }),
  /** Without hostId the whole switch goes down; with it, only that host's link. */
  z.strictObject({ kind: z.literal('link-down'), switchId: idSchema, hostId: idSchema.optional() }),
  z.strictObject({ kind: z.literal('link-up'), switchId: idSchema, hostId: idSchema.optional() }),
  z.strictObject({ kind: z.literal('poison'), deviceId: idSchema, dpa: z.int().nonnegative(), lengthBytes: z.int().positive().default(64) }),
  /** Sets telemetry so a device crosses a health threshold. */
  z.strictObject({
    kind: z.literal('wear'),
    deviceId: idSchema,
    lifeUsedPct: z.number().min(0).max(100).optional(),
    temperatureC: z.number().min(-40).max(150).optional(),
    correctedVolatileErrors: count.optional(),
    correctedPersistentErrors: count.optional(),
  }),
  /** The region's last block never offlines while set (`stuck: false` clears it). */
  z.strictObject({ kind: z.literal('stuck-offline'), hostId: idSchema, expansionId: idSchema, stuck: z.boolean().default(true) }),
  /** The next `count` offline attempts on the host fail with `ebusy` (pinned pages). */
  z.strictObject({ kind: z.literal('ebusy'), hostId: idSchema, count }),
  /** The next `count` region onlines on the host fail with `enomem`. */
  z.strictObject({ kind: z.literal('enomem'), hostId: idSchema, count }),
  /** The next `count` unplug attempts on the host stop short (unmovable pages). */
  z.strictObject({ kind: z.literal('unplug-stop-short'), hostId: idSchema, count }),
  /** Takes the expansion's extents back at once: region gone, the VM loses the memory, extents sanitize. */
  z.strictObject({ kind: z.literal('force-release'), expansionId: idSchema }),
]);
export type Fault = z.input<typeof faultSchema>;
export type FaultKind = Fault['kind'];

/** PUT /sim/fleet takes a whole `mxs-fleet/1` spec (validated by @mxs/topology) or a preset. */
export const fleetPresetBodySchema = z.strictObject({
  preset: z.enum(Object.keys(FLEET_PRESETS) as [keyof typeof FLEET_PRESETS, ...(keyof typeof FLEET_PRESETS)[]]),
  seed: z.int().min(0).max(2 ** 31 - 1).default(1),
  vmsPerHost: z.int().min(0).max(64).optional(),
});
export type FleetPresetBody = z.input<typeof fleetPresetBodySchema>;

export const fleetSummarySchema = z.looseObject({
  name: z.string(),
  hosts: z.number(),
  devices: z.number(),
  switches: z.number(),
});
export type FleetSummary = z.output<typeof fleetSummarySchema>;

export const eventsQuerySchema = z.strictObject({
  expansionId: idSchema.optional(),
  hostId: idSchema.optional(),
  deviceId: idSchema.optional(),
  kind: z.string().max(64).optional(),
  /** Only events with a larger sequence number. */
  since: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(100_000).default(10_000),
});
export type EventsQuery = z.input<typeof eventsQuerySchema>;

export const simEventSchema = z.looseObject({
  seq: z.number(),
  /** When it happened on the simulated host or device (ISO 8601). */
  at: z.string(),
  kind: z.string(),
  hostId: z.string().optional(),
  deviceId: z.string().optional(),
  expansionId: z.string().optional(),
  detail: z.record(z.string(), z.unknown()),
});
export type SimEventView = z.output<typeof simEventSchema>;
export const eventPageSchema = z.looseObject({ events: z.array(simEventSchema), lastSeq: z.number() });

export const faultResultSchema = z.looseObject({ seq: z.number() });
export const healthSchema = z.looseObject({ status: z.string() });
