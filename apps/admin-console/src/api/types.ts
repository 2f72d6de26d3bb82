// The shapes of apps/admin-console/README.md, as the placement API and billing answer them.

// Types only: the bundle carries none of the libraries' code, yet a new state fails the build here.
import type { ExpansionState } from '@mxs/contracts';
import type { DeviceHealth, HostState, SwitchState } from '@mxs/topology';

export type { DeviceHealth, ExpansionState, HostState, SwitchState };

/** Every state once: the Record makes the compiler refuse a state left out or unknown. */
const EVERY_STATE: Record<ExpansionState, true> = {
  requested: true,
  placed: true,
  attaching: true,
  active: true,
  detaching: true,
  released: true,
  rejected: true,
  failed: true,
  degraded: true,
};
export const expansionStates = Object.keys(EVERY_STATE) as readonly ExpansionState[];

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface FleetTotals {
  capacityGiB: number;
  usedGiB: number;
  freeGiB: number;
  utilization: number;
  strandedGiB: number;
  fragmentation: number;
}

export interface Rack {
  id: string;
  regionId: string;
}

export interface Host {
  id: string;
  rackId: string;
  state: HostState;
  dramGiB: number;
  cfmwsWindowGiB: number;
  mappedGiB: number;
  switchIds: string[];
}

export interface Switch {
  id: string;
  rackId: string;
  state: SwitchState;
}

export interface Fleet {
  name: string;
  version: number;
  loadedAt: string;
  totals: FleetTotals;
  racks: Rack[];
  hosts: Host[];
  switches: Switch[];
  devices: Device[];
}

export interface Device {
  id: string;
  rackId: string;
  tier: 'direct' | 'pooled';
  attachment: { kind: 'direct' | 'switch' | 'multi-headed'; hostId?: string; switchId?: string; hostIds?: string[] };
  capacityGiB: number;
  usedGiB: number;
  freeGiB: number;
  /** Free GiB no host with room to grow can reach (0 on unhealthy devices: unavailable, not stranded). */
  strandedGiB: number;
  largestFreeRunGiB: number;
  /** 1 − largest free run / free (0..1). */
  fragmentation: number;
  liveExtents: number;
  health: DeviceHealth;
  healthReason: string | null;
  baseLatencyNs: number;
  extentBlockGiB: number;
}

export interface DeviceExtent {
  offsetGiB: number;
  sizeGiB: number;
  expansionId: string;
  tenantId: string;
  tenantName: string;
  vmId: string;
  state: ExpansionState;
}

export interface DeviceDetail extends Device {
  /** Hosts with a path to the device. */
  hostIds: string[];
  telemetry: Record<string, unknown> | null;
  telemetryAt: string | null;
  /** Live extents along the address range, by offset. */
  extents: DeviceExtent[];
}

export interface DeviceHealthChange {
  id: string;
  health: DeviceHealth;
  healthReason: string | null;
}

export interface AdminExpansion {
  id: string;
  tenantId: string;
  vmId: string;
  hostId: string;
  sizeGiB: number;
  tier: 'direct' | 'pooled' | 'any';
  placedTier: 'direct' | 'pooled' | null;
  layout: 'pack' | 'spread' | 'interleave';
  interleaveWays: number | null;
  maxAddedLatencyNs: number | null;
  state: ExpansionState;
  reason: string | null;
  extents: { deviceId: string; offsetGiB: number; sizeGiB: number }[];
  createdAt: string;
  updatedAt: string;
}

export interface StateTransition {
  from: ExpansionState | null;
  to: ExpansionState;
  at: string;
  reason: string | null;
  requestId: string | null;
}

export type OperationState = 'pending' | 'running' | 'compensating' | 'done' | 'failed' | 'superseded';

export interface SagaStep {
  name: string;
  phase: 'do' | 'undo';
  finishedAt: string;
  durationMs: number;
  attempts: number;
  errors: string[];
}

export interface Operation {
  id: string;
  kind: 'hot-add' | 'hot-remove';
  force: boolean;
  state: OperationState;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  attempts: number;
  lastError: string | null;
  /** Steps done, in the order they finished; `undo` steps belong to the compensation. */
  steps: SagaStep[];
}

export interface AdminExpansionDetail extends AdminExpansion {
  timeline: StateTransition[];
  /** The sagas run for it, oldest first. */
  operations: Operation[];
}

export interface ExpansionFilter {
  state?: ExpansionState | undefined;
  tenantId?: string | undefined;
  vmId?: string | undefined;
}

export interface Tenant {
  id: string;
  name: string;
  quotaGiB: number;
  usedGiB: number;
  plan: string;
  apiKeyPrefix: string;
  createdAt: string;
  updatedAt: string;
}

export type Fault =
  | { kind: 'device-fail'; deviceId: string; reason?: string }
  | { kind: 'device-restore'; deviceId: string }
  | { kind: 'link-down'; switchId: string; hostId?: string }
  | { kind: 'link-up'; switchId: string; hostId?: string }
  | { kind: 'host-crash'; hostId: string }
  | { kind: 'host-restart'; hostId: string };

export interface InvoiceLine {
  kind: 'usage' | 'volume' | 'minimum' | 'credit';
  planId: string;
  tier: 'direct' | 'pooled' | null;
  expansionId: string | null;
  description: string;
  quantityGiBSeconds: string | null;
  quantityGiBHours: string | null;
  unitPrice: string | null;
  amountMinor: number;
}

export interface UptimeLine {
  expansionId: string | null;
  windowSeconds: number;
  downtimeSeconds: number;
  creditPct: number;
}

export interface RatedFigures {
  currency: string;
  chargesMinor: number;
  creditsMinor: number;
  totalMinor: number;
  /** The total in major units, e.g. "123.45". */
  total: string;
  lines: InvoiceLine[];
  uptime: UptimeLine[];
}

export interface Invoice extends RatedFigures {
  id: string;
  tenantId: string;
  /** "2026-11" */
  period: string;
  status: 'draft' | 'finalized';
  ratedAt: string;
  finalizedAt: string | null;
  finalizedBy: string | null;
}

export interface Estimate extends RatedFigures {
  tenantId: string;
  period: string;
  asOf: string;
  projectedTotalMinor: number;
}

export interface TenantPlan {
  tenantId: string;
  /** null: the default plan. */
  current: string | null;
  history: { planId: string; effectiveFrom: string }[];
}

export interface LatencySummary {
  count: number;
  minMs: number;
  maxMs: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
}

export interface UptimeSummary {
  windowSeconds: number;
  downtimeSeconds: number;
  uptimePct: string;
}

export interface BurnAlert {
  name: string;
  factor: number;
  longBurn: number;
  shortBurn: number;
  firing: boolean;
}

export interface Slo {
  name: 'time-to-ready' | 'hot-remove';
  objective: number;
  thresholdMs: number;
  good: number;
  bad: number;
  errorBudget: { allowedBad: number; consumedFraction: number; remainingFraction: number };
  burnAlerts: BurnAlert[];
}

export interface CapacitySummary {
  capacityGiB: number;
  placeableCapacityGiB: number;
  usedGiB: number;
  freeGiB: number;
  utilization: number;
  strandedGiB: number;
  fragmentation: number;
}

export interface TenantSla {
  tenantId: string;
  timeToReady: LatencySummary;
  hotRemove: LatencySummary;
  uptime: UptimeSummary;
  creditsMinor: number | null;
  currency: string | null;
}

export interface FleetSla {
  period: string;
  fleet: { timeToReady: LatencySummary; hotRemove: LatencySummary; uptime: UptimeSummary };
  slos: Slo[];
  capacity: CapacitySummary | null;
  tenants: TenantSla[];
}

export interface SlaBucket {
  start: string;
  timeToReady: LatencySummary;
  hotRemove: LatencySummary;
}

export interface SlaHistory {
  from: string;
  to: string;
  bucketMinutes: number;
  /** Oldest first, every bucket of the window (count 0 where nothing happened). */
  buckets: SlaBucket[];
}

/** RFC 9457 problem details, as every error answer carries them. */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { path: string; message: string }[];
}
