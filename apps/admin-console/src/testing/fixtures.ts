// Realistic answers of the API, as README.md shapes them, for the component tests.
import type {
  AdminExpansion,
  AdminExpansionDetail,
  Device,
  DeviceDetail,
  Estimate,
  Fleet,
  FleetSla,
  Invoice,
  InvoiceLine,
  LatencySummary,
  Page,
  SlaHistory,
  Tenant,
  TenantPlan,
} from '../api/types';

export const pooledDevice: Device = {
  id: 'cxl-r1-p0',
  rackId: 'r1',
  tier: 'pooled',
  attachment: { kind: 'switch', switchId: 'sw-r1' },
  capacityGiB: 1024,
  usedGiB: 256,
  freeGiB: 768,
  strandedGiB: 128,
  largestFreeRunGiB: 512,
  fragmentation: 1 - 512 / 768,
  liveExtents: 3,
  health: 'healthy',
  healthReason: null,
  baseLatencyNs: 250,
  extentBlockGiB: 1,
};

export const drainingDevice: Device = {
  ...pooledDevice,
  id: 'cxl-r1-d0',
  tier: 'direct',
  attachment: { kind: 'direct', hostId: 'h-r1-0' },
  capacityGiB: 256,
  usedGiB: 192,
  freeGiB: 64,
  strandedGiB: 0,
  largestFreeRunGiB: 64,
  fragmentation: 0,
  liveExtents: 1,
  health: 'draining',
  healthReason: 'operator: firmware update',
  baseLatencyNs: 170,
};

export const failedDevice: Device = {
  ...pooledDevice,
  id: 'cxl-r2-p0',
  rackId: 'r2',
  attachment: { kind: 'switch', switchId: 'sw-r2' },
  usedGiB: 0,
  freeGiB: 1024,
  strandedGiB: 0,
  largestFreeRunGiB: 1024,
  fragmentation: 0,
  liveExtents: 0,
  health: 'failed',
  healthReason: 'media error',
};

export const fleet: Fleet = {
  name: 'lab-fleet',
  version: 3,
  loadedAt: '2026-11-20T08:00:00.000Z',
  totals: { capacityGiB: 2304, usedGiB: 448, freeGiB: 1856, utilization: 448 / 2304, strandedGiB: 128, fragmentation: 0.21 },
  racks: [
    { id: 'r1', regionId: 'eu-west' },
    { id: 'r2', regionId: 'eu-west' },
  ],
  hosts: [
    { id: 'h-r1-0', rackId: 'r1', state: 'healthy', dramGiB: 512, cfmwsWindowGiB: 2048, mappedGiB: 320, switchIds: ['sw-r1'] },
    { id: 'h-r2-0', rackId: 'r2', state: 'failed', dramGiB: 512, cfmwsWindowGiB: 2048, mappedGiB: 0, switchIds: ['sw-r2'] },
  ],
  switches: [
    { id: 'sw-r1', rackId: 'r1', state: 'up' },
    { id: 'sw-r2', rackId: 'r2', state: 'down' },
  ],
  devices: [pooledDevice, drainingDevice, failedDevice],
};

export const deviceDetail: DeviceDetail = {
  ...pooledDevice,
  hostIds: ['h-r1-0', 'h-r1-1'],
  telemetry: { mediaStatus: 'normal', lifeUsedPct: 3, temperatureC: 41 },
  telemetryAt: '2026-11-21T10:00:00.000Z',
  extents: [
    { offsetGiB: 0, sizeGiB: 64, expansionId: 'exp-a', tenantId: 'acme', tenantName: 'Acme Corp', vmId: 'vm-1', state: 'active' },
    { offsetGiB: 256, sizeGiB: 128, expansionId: 'exp-b', tenantId: 'globex', tenantName: 'Globex', vmId: 'vm-7', state: 'active' },
    { offsetGiB: 512, sizeGiB: 64, expansionId: 'exp-c', tenantId: 'acme', tenantName: 'Acme Corp', vmId: 'vm-2', state: 'degraded' },
  ],
};

export const activeExpansion: AdminExpansion = {
  id: 'exp-a',
  tenantId: 'acme',
  vmId: 'vm-1',
  hostId: 'h-r1-0',
  sizeGiB: 64,
  tier: 'any',
  placedTier: 'pooled',
  layout: 'pack',
  interleaveWays: null,
  maxAddedLatencyNs: null,
  state: 'active',
  reason: null,
  extents: [{ deviceId: 'cxl-r1-p0', offsetGiB: 0, sizeGiB: 64 }],
  createdAt: '2026-11-21T09:00:00.000Z',
  updatedAt: '2026-11-21T09:00:02.400Z',
};

export const attachingExpansion: AdminExpansion = {
  ...activeExpansion,
  id: 'exp-d',
  tenantId: 'globex',
  vmId: 'vm-7',
  sizeGiB: 32,
  layout: 'interleave',
  interleaveWays: 2,
  state: 'attaching',
  extents: [],
};

export const expansionsPage: Page<AdminExpansion> = { items: [activeExpansion, attachingExpansion], nextCursor: 'cursor-2' };

export const expansionDetail: AdminExpansionDetail = {
  ...activeExpansion,
  timeline: [
    { from: null, to: 'requested', at: '2026-11-21T09:00:00.000Z', reason: null, requestId: 'req-1' },
    { from: 'requested', to: 'placed', at: '2026-11-21T09:00:00.050Z', reason: null, requestId: 'req-1' },
    { from: 'placed', to: 'attaching', at: '2026-11-21T09:00:00.100Z', reason: null, requestId: null },
    { from: 'attaching', to: 'active', at: '2026-11-21T09:00:02.400Z', reason: 'memory online', requestId: null },
  ],
  operations: [
    {
      id: 'op-add-1',
      kind: 'hot-add',
      force: false,
      state: 'done',
      createdAt: '2026-11-21T09:00:00.060Z',
      startedAt: '2026-11-21T09:00:00.100Z',
      finishedAt: '2026-11-21T09:00:02.100Z',
      attempts: 2,
      lastError: null,
      steps: [
        { name: 'bind-switch-port', phase: 'do', finishedAt: '2026-11-21T09:00:00.600Z', durationMs: 500, attempts: 1, errors: [] },
        { name: 'program-hdm-decoder', phase: 'do', finishedAt: '2026-11-21T09:00:01.600Z', durationMs: 1000, attempts: 3, errors: ['decoder busy', 'decoder busy'] },
        { name: 'online-memory', phase: 'do', finishedAt: '2026-11-21T09:00:02.100Z', durationMs: 500, attempts: 1, errors: [] },
      ],
    },
  ],
};

export const acme: Tenant = {
  id: 'acme',
  name: 'Acme Corp',
  quotaGiB: 512,
  usedGiB: 128,
  plan: 'standard',
  apiKeyPrefix: 'mxs_acme',
  createdAt: '2026-10-01T12:00:00.000Z',
  updatedAt: '2026-11-01T12:00:00.000Z',
};

export const globex: Tenant = { ...acme, id: 'globex', name: 'Globex', quotaGiB: 256, usedGiB: 240, plan: 'premium', apiKeyPrefix: 'mxs_glbx' };

export const tenantsPage: Page<Tenant> = { items: [acme, globex], nextCursor: null };

export const acmePlan: TenantPlan = {
  tenantId: 'acme',
  current: null,
  history: [{ planId: 'standard-2026', effectiveFrom: '2026-10-01T00:00:00.000Z' }],
};

const pooledUsageLine: InvoiceLine = {
  kind: 'usage',
  planId: 'standard-2026',
  tier: 'pooled',
  expansionId: 'exp-a',
  description: 'Pooled CXL memory',
  quantityGiBSeconds: '171417600',
  quantityGiBHours: '47616',
  unitPrice: '0.025',
  amountMinor: 119040,
};

export const acmeInvoice: Invoice = {
  id: 'inv-acme-2026-10',
  tenantId: 'acme',
  period: '2026-10',
  status: 'finalized',
  ratedAt: '2026-11-01T00:05:00.000Z',
  finalizedAt: '2026-11-01T00:10:00.000Z',
  finalizedBy: 'billing-close',
  currency: 'EUR',
  chargesMinor: 123456,
  creditsMinor: -2500,
  totalMinor: 120956,
  total: '1209.56',
  lines: [
    pooledUsageLine,
    {
      kind: 'minimum',
      planId: 'standard-2026',
      tier: null,
      expansionId: null,
      description: 'Monthly minimum top-up',
      quantityGiBSeconds: null,
      quantityGiBHours: null,
      unitPrice: null,
      amountMinor: 4416,
    },
    {
      kind: 'credit',
      planId: 'standard-2026',
      tier: null,
      expansionId: 'exp-a',
      description: 'SLA credit: 99.5% uptime',
      quantityGiBSeconds: null,
      quantityGiBHours: null,
      unitPrice: null,
      amountMinor: -2500,
    },
  ],
  uptime: [{ expansionId: 'exp-a', windowSeconds: 2678400, downtimeSeconds: 13392, creditPct: 10 }],
};

export const acmeEstimate: Estimate = {
  ...acmeInvoice,
  tenantId: 'acme',
  period: '2026-11',
  asOf: '2026-11-21T10:00:00.000Z',
  chargesMinor: 80000,
  creditsMinor: 0,
  totalMinor: 80000,
  total: '800.00',
  projectedTotalMinor: 114286,
  lines: [pooledUsageLine],
  uptime: [],
};

function latency(p50Ms: number, count = 40): LatencySummary {
  return { count, minMs: p50Ms / 2, maxMs: p50Ms * 4, meanMs: p50Ms * 1.1, p50Ms, p95Ms: p50Ms * 2, p99Ms: p50Ms * 3, p999Ms: p50Ms * 3.5 };
}

export const fleetSla: FleetSla = {
  period: '2026-11',
  fleet: {
    timeToReady: latency(900, 1200),
    hotRemove: latency(400, 800),
    uptime: { windowSeconds: 1814400, downtimeSeconds: 120, uptimePct: '99.993' },
  },
  slos: [
    {
      name: 'time-to-ready',
      objective: 0.99,
      thresholdMs: 5000,
      good: 1190,
      bad: 10,
      errorBudget: { allowedBad: 12, consumedFraction: 10 / 12, remainingFraction: 2 / 12 },
      burnAlerts: [
        { name: 'fast', factor: 14.4, longBurn: 16.2, shortBurn: 20.1, firing: true },
        { name: 'slow', factor: 6, longBurn: 2.1, shortBurn: 1.4, firing: false },
      ],
    },
    {
      name: 'hot-remove',
      objective: 0.995,
      thresholdMs: 2000,
      good: 800,
      bad: 0,
      errorBudget: { allowedBad: 4, consumedFraction: 0, remainingFraction: 1 },
      burnAlerts: [{ name: 'fast', factor: 14.4, longBurn: 0, shortBurn: 0, firing: false }],
    },
  ],
  capacity: { capacityGiB: 2304, placeableCapacityGiB: 1280, usedGiB: 448, freeGiB: 1856, utilization: 448 / 2304, strandedGiB: 128, fragmentation: 0.21 },
  tenants: [
    { tenantId: 'acme', timeToReady: latency(850), hotRemove: latency(380), uptime: { windowSeconds: 1814400, downtimeSeconds: 0, uptimePct: '100.000' }, creditsMinor: 2500, currency: 'EUR' },
    { tenantId: 'globex', timeToReady: latency(0, 0), hotRemove: latency(0, 0), uptime: { windowSeconds: 1814400, downtimeSeconds: 0, uptimePct: '100.000' }, creditsMinor: null, currency: null },
  ],
};

export const slaHistory: SlaHistory = {
  from: '2026-11-20T10:00:00.000Z',
  to: '2026-11-21T10:00:00.000Z',
  bucketMinutes: 60,
  buckets: Array.from({ length: 24 }, (_, hour) => ({
    start: new Date(Date.UTC(2026, 10, 20, 10 + hour)).toISOString(),
    // The night is quiet: empty buckets must be gaps, not zeros.
    timeToReady: hour % 6 === 0 ? latency(0, 0) : latency(800 + hour * 10),
    hotRemove: latency(350 + hour * 5),
  })),
};
