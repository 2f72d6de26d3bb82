import type { Tier } from '@mxs/topology';
import { PolicyError } from './errors';

export type RequestedTier = Tier | 'any';
export type Layout = 'pack' | 'spread' | 'interleave';

export const REQUESTED_TIERS: readonly RequestedTier[] = ['direct', 'pooled', 'any'];
export const LAYOUTS: readonly Layout[] = ['pack', 'spread', 'interleave'];
export const MAX_REQUEST_GIB = 2048;
export const INTERLEAVE_WAYS = { min: 2, max: 8 } as const;

export interface PlacementRequest {
  readonly vmId: string;
  readonly sizeGiB: number;
  readonly tier: RequestedTier;
  /** Upper bound on the added latency over local DRAM of every device chosen. */
  readonly maxAddedLatencyNs?: number;
  /** `pack` (default): fewest, fullest devices; `spread`: away from the VM's other memory; `interleave`: N equal ways. */
  readonly layout?: Layout;
  readonly interleaveWays?: number;
  /** Expected bandwidth demand; defaults to `sizeGiB × defaultBandwidthGBpsPerGiB`. */
  readonly bandwidthGBps?: number;
  /** The tenant's quota; undefined means no quota. */
  readonly tenantQuotaGiB?: number;
  /** GiB the tenant holds now; defaults to what the fleet's live allocations say. */
  readonly tenantUsedGiB?: number;
  /** Cap on the VM's CXL memory as a multiple of its DRAM; defaults to the engine's. */
  readonly vmCxlToDramRatioCap?: number;
}

export interface ScoreWeights {
  readonly fit: number;
  readonly latency: number;
  readonly domain: number;
  readonly sharing: number;
}

export interface PlacementConfig {
  /** Fraction of each device's bandwidth kept free. */
  readonly bandwidthHeadroomFraction: number;
  readonly defaultBandwidthGBpsPerGiB: number;
  readonly vmCxlToDramRatioCap: number;
  /** How many separate free runs one device may contribute to a `pack`/`spread` placement. */
  readonly maxExtentsPerDevice: number;
  readonly weights: Readonly<Record<Layout, ScoreWeights>>;
  /** Added to the `sharing` weight when a host would otherwise strand its own devices' space. */
  readonly strandingSharingBonus: number;
}

export const DEFAULT_PLACEMENT_CONFIG: PlacementConfig = {
  bandwidthHeadroomFraction: 0.1,
  defaultBandwidthGBpsPerGiB: 0.02,
  vmCxlToDramRatioCap: 4,
  maxExtentsPerDevice: 4,
  weights: {
    pack: { fit: 0.45, sharing: 0.3, latency: 0.15, domain: 0.1 },
    spread: { fit: 0.3, sharing: 0.15, latency: 0.15, domain: 0.4 },
    interleave: { fit: 0.3, sharing: 0.2, latency: 0.3, domain: 0.2 },
  },
  strandingSharingBonus: 1,
};

function invalidConfig(message: string): never {
  throw new PolicyError('invalid-config', message);
}

function finiteAtLeast(value: number | undefined, min: number): boolean {
  return value === undefined || (Number.isFinite(value) && value >= min);
}

function invalidRequest(message: string): never {
  throw new PolicyError('invalid-request', message);
}

export type PlacementConfigOverrides = Partial<Omit<PlacementConfig, 'weights'>> & {
  readonly weights?: Partial<Readonly<Record<Layout, ScoreWeights>>>;
};

export function resolveConfig(overrides: PlacementConfigOverrides = {}): PlacementConfig {
  const config: PlacementConfig = {
    ...DEFAULT_PLACEMENT_CONFIG,
    ...overrides,
    weights: { ...DEFAULT_PLACEMENT_CONFIG.weights, ...overrides.weights },
  };
  const bad = invalidConfig;
  if (!(config.bandwidthHeadroomFraction >= 0 && config.bandwidthHeadroomFraction < 1)) bad('bandwidthHeadroomFraction must be in [0, 1)');
  if (!(config.defaultBandwidthGBpsPerGiB >= 0)) bad('defaultBandwidthGBpsPerGiB must be >= 0');
  if (!(config.vmCxlToDramRatioCap > 0)) bad('vmCxlToDramRatioCap must be > 0');
  if (!Number.isInteger(config.maxExtentsPerDevice) || config.maxExtentsPerDevice < 1) bad('maxExtentsPerDevice must be an integer >= 1');
  if (!(config.strandingSharingBonus >= 0 && Number.isFinite(config.strandingSharingBonus))) bad('strandingSharingBonus must be a finite number >= 0');
  for (const layout of LAYOUTS) {
    const w = config.weights[layout];
    const parts = [w.fit, w.latency, w.domain, w.sharing];
    if (parts.some((x) => !(x >= 0) || !Number.isFinite(x))) bad(`weights.${layout} needs fit, latency, domain and sharing as finite numbers >= 0`);
  }
  return config;
}

/** What one request needs from each device it may use. */
export interface Need {
  readonly tier: RequestedTier;
  readonly layout: Layout;
  readonly ways: number;
  readonly sizeGiB: number;
  /** The GiB each chosen device must hold: the whole size, or one interleave way. */
  readonly shareGiB: number;
  readonly shareBandwidthGBps: number;
  readonly maxAddedLatencyNs: number;
  readonly maxExtentsPerDevice: number;
  readonly bandwidthHeadroomFraction: number;
}

/** Checks the request's own fields; throws `invalid-request` naming the field. */
export function needOf(request: PlacementRequest, config: PlacementConfig): Need {
  const bad = invalidRequest;
  const { sizeGiB, tier } = request;
  if (!Number.isInteger(sizeGiB) || sizeGiB < 1 || sizeGiB > MAX_REQUEST_GIB) bad(`sizeGiB must be an integer in 1..${MAX_REQUEST_GIB}, got ${sizeGiB}`);
  if (!REQUESTED_TIERS.includes(tier)) bad(`tier must be one of ${REQUESTED_TIERS.join(', ')}`);
  const layout = request.layout ?? 'pack';
  if (!LAYOUTS.includes(layout)) bad(`layout must be one of ${LAYOUTS.join(', ')}`);
  if (layout !== 'interleave' && request.interleaveWays !== undefined) bad('interleaveWays is only for layout "interleave"');
  const ways = layout === 'interleave' ? (request.interleaveWays ?? INTERLEAVE_WAYS.min) : 1;
  if (!Number.isInteger(ways) || ways < 1 || (layout === 'interleave' && (ways < INTERLEAVE_WAYS.min || ways > INTERLEAVE_WAYS.max))) {
    bad(`interleaveWays must be an integer in ${INTERLEAVE_WAYS.min}..${INTERLEAVE_WAYS.max}`);
  }
  if (sizeGiB % ways !== 0) bad(`sizeGiB ${sizeGiB} does not split into ${ways} equal interleave ways; use a multiple of ${ways}`);
  const maxAddedLatencyNs = request.maxAddedLatencyNs ?? Number.POSITIVE_INFINITY;
  if (!(maxAddedLatencyNs > 0)) bad('maxAddedLatencyNs must be a positive number');
  const bandwidthGBps = request.bandwidthGBps ?? sizeGiB * config.defaultBandwidthGBpsPerGiB;
  if (!(bandwidthGBps >= 0) || !Number.isFinite(bandwidthGBps)) bad('bandwidthGBps must be a finite number >= 0');
  // Limits passed in must be numbers: NaN compares false and would wave a request through.
  if (!finiteAtLeast(request.tenantQuotaGiB, 0)) bad('tenantQuotaGiB must be a finite number >= 0');
  if (!finiteAtLeast(request.tenantUsedGiB, 0)) bad('tenantUsedGiB must be a finite number >= 0');
  const cap = request.vmCxlToDramRatioCap;
  if (cap !== undefined && !(Number.isFinite(cap) && cap > 0)) bad('vmCxlToDramRatioCap must be a finite number > 0');
  return {
    tier,
    layout,
    ways,
    sizeGiB,
    shareGiB: sizeGiB / ways,
    shareBandwidthGBps: bandwidthGBps / ways,
    maxAddedLatencyNs,
    maxExtentsPerDevice: layout === 'interleave' ? 1 : config.maxExtentsPerDevice,
    bandwidthHeadroomFraction: config.bandwidthHeadroomFraction,
  };
}
