import { idSchema } from '@mxs/topology';
import { z } from 'zod';

/**
 * The host-agent HTTP wire format, shared by the simulator (request validation) and the clients
 * (response parsing). Requests are strict (unknown fields are refused); responses are parsed
 * loosely, so a newer server may add fields without breaking an older client.
 */

const gib = z.int('must be an integer').nonnegative('must be >= 0').max(1 << 20);
const positiveGiB = z.int('must be an integer').positive('must be positive').max(1 << 20);

/** Long-poll: hold the request open up to this long (ms) for a long step to finish. */
export const MAX_WAIT_MS = 60_000;
export const waitQuerySchema = z.strictObject({ waitMs: z.coerce.number().int().min(0).max(MAX_WAIT_MS).optional() });

// ---- fabric manager requests ----

export const deviceExtentSchema = z.strictObject({ offsetGiB: gib, sizeGiB: positiveGiB });
/** POST /fabric/devices/{deviceId}/extents: offer this device's extents of an expansion to a host. */
export const offerExtentsBodySchema = z.strictObject({
  expansionId: idSchema,
  hostId: idSchema,
  extents: z.array(deviceExtentSchema).min(1).max(1024),
});
export type OfferExtentsBody = z.output<typeof offerExtentsBodySchema>;

/** POST /fabric/devices/{deviceId}/extents/release and POST /fabric/expansions/{expansionId}/release. */
export const releaseDeviceExtentsBodySchema = z.strictObject({ expansionId: idSchema, hostId: idSchema, force: z.boolean().default(false) });
export const releaseExpansionBodySchema = z.strictObject({ hostId: idSchema, force: z.boolean().default(false) });

// ---- host agent requests ----

export const onlineRegionBodySchema = z.strictObject({ sizeGiB: positiveGiB });
export const plugVmBodySchema = z.strictObject({ expansionId: idSchema, sizeGiB: positiveGiB });
export const unplugVmBodySchema = z.strictObject({ expansionId: idSchema });

// ---- responses ----

const pendingFields = { done: z.boolean(), detail: z.string().optional() };
export const progressSchema = z.looseObject(pendingFields);
export const regionProgressSchema = z.looseObject({ ...pendingFields, onlineBlocks: z.number(), totalBlocks: z.number() });
export const vmProgressSchema = z.looseObject({ ...pendingFields, requestedGiB: z.number(), pluggedGiB: z.number() });

const extentRefSchema = z.looseObject({ deviceId: z.string(), offsetGiB: z.number(), sizeGiB: z.number() });

export const hostStateSchema = z.looseObject({
  hostId: z.string(),
  up: z.boolean(),
  memoryBlockSizeMiB: z.number(),
  regions: z.array(
    z.looseObject({
      expansionId: z.string(),
      sizeGiB: z.number(),
      state: z.enum(['creating', 'onlining', 'online', 'offlining', 'offline']),
      onlineBlocks: z.number(),
      totalBlocks: z.number(),
    }),
  ),
  extents: z.array(extentRefSchema.extend({ expansionId: z.string(), accepted: z.boolean() })),
  vms: z.array(
    z.looseObject({ vmId: z.string(), requestedGiB: z.number(), pluggedGiB: z.number(), expansions: z.record(z.string(), z.number()) }),
  ),
});

export const deviceStateSchema = z.looseObject({
  deviceId: z.string(),
  failed: z.boolean(),
  extents: z.array(
    extentRefSchema.extend({
      expansionId: z.string(),
      hostId: z.string(),
      state: z.enum(['offered', 'accepted', 'releasing', 'sanitizing']),
    }),
  ),
});

export const deviceHealthSchema = z.looseObject({
  deviceId: z.string(),
  mediaStatus: z.enum(['normal', 'not-ready', 'write-persistency-lost', 'data-lost', 'failed']),
  lifeUsedPct: z.number(),
  temperatureC: z.number(),
  correctedVolatileErrors: z.number(),
  correctedPersistentErrors: z.number(),
  poison: z.array(z.looseObject({ dpa: z.number(), lengthBytes: z.number() })),
  events: z.array(z.looseObject({ at: z.string(), severity: z.enum(['info', 'warning', 'failure', 'fatal']), message: z.string() })),
});

export const switchStateSchema = z.looseObject({
  switchId: z.string(),
  up: z.boolean(),
  /** Hosts whose own link to this switch is down (the whole switch may be up). */
  linkDownHostIds: z.array(z.string()),
});
export type SwitchStateWire = z.output<typeof switchStateSchema>;

export const vmStateSchema = z.looseObject({
  hostId: z.string(),
  vmId: z.string(),
  requestedGiB: z.number(),
  pluggedGiB: z.number(),
  /** Each expansion's share: its GiB, what of it the guest has plugged, and which way it moves. */
  shares: z.array(
    z.looseObject({ expansionId: z.string(), sizeGiB: z.number(), pluggedGiB: z.number(), direction: z.enum(['plug', 'unplug']), stoppedShort: z.boolean() }),
  ),
});
export type VmStateView = z.output<typeof vmStateSchema>;
