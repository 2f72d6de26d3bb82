/**
 * Every queue and job name mxs uses. Producers and consumers import them from here, and a
 * worker refuses to start when a job name it may receive has no handler.
 */
export const QUEUES = {
  /** Hot-add and hot-remove sagas; job id = operation id. */
  hotplug: 'hotplug',
  /** Automation's way in: the same code path as `POST /v1/vms/{vmId}/expansions`. */
  placementRequests: 'placement-requests',
  /** Billing's input: what happened to an expansion, when, on the host. */
  usageEvents: 'usage-events',
  /** Outcomes of expansions, for automation to wait on. */
  expansionEvents: 'expansion-events',
  /** The worker's repeatable sweeps: reconcile, device telemetry. */
  maintenance: 'maintenance',
  /** Billing's repeatable work: closing months into invoices, SLA evaluation. Its own queue, so
   * neither billing nor the worker ever receives a job the other handles. */
  billing: 'billing',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const HOTPLUG_JOBS = ['hot-add', 'hot-remove'] as const;
export type HotplugJobName = (typeof HOTPLUG_JOBS)[number];

export const PLACEMENT_REQUEST_JOBS = ['place'] as const;
export type PlacementRequestJobName = (typeof PLACEMENT_REQUEST_JOBS)[number];

export const EXPANSION_EVENT_JOBS = ['expansion-event'] as const;

export const USAGE_EVENT_JOBS = ['usage-event'] as const;

/** Repeatable sweeps on `maintenance`, all the hot-plug worker's. */
export const MAINTENANCE_JOBS = ['reconcile', 'device-telemetry'] as const;
export type MaintenanceJobName = (typeof MAINTENANCE_JOBS)[number];

/** Repeatable jobs on `billing`: rate closed months into drafts and finalize them past their grace. */
export const BILLING_JOBS = ['billing-close'] as const;
export type BillingJobName = (typeof BILLING_JOBS)[number];

/**
 * The default BullMQ key prefix. The braces are a Redis Cluster hash tag: every key of every
 * queue lands in one slot, which BullMQ's multi-key scripts need.
 */
export const DEFAULT_QUEUE_PREFIX = '{mxs}';
