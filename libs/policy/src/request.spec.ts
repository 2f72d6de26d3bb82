/// <reference types="jest" />
import { PolicyError } from './errors';
import type { PlacementRequest } from './request';
import { DEFAULT_PLACEMENT_CONFIG, needOf, resolveConfig } from './request';

const base: PlacementRequest = { vmId: 'vm1', sizeGiB: 64, tier: 'any' };

function invalid(request: Partial<PlacementRequest> | Record<string, unknown>): PolicyError {
  try {
    needOf({ ...base, ...request } as PlacementRequest, DEFAULT_PLACEMENT_CONFIG);
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error('expected needOf to refuse the request');
}

describe('needOf', () => {
  it('fills defaults: pack, one way, no latency bound, bandwidth by size', () => {
    const need = needOf(base, DEFAULT_PLACEMENT_CONFIG);
    expect(need).toMatchObject({ layout: 'pack', ways: 1, shareGiB: 64, maxAddedLatencyNs: Number.POSITIVE_INFINITY });
    expect(need.shareBandwidthGBps).toBeCloseTo(64 * DEFAULT_PLACEMENT_CONFIG.defaultBandwidthGBpsPerGiB);
    expect(need.maxExtentsPerDevice).toBe(DEFAULT_PLACEMENT_CONFIG.maxExtentsPerDevice);
  });

  it('splits an interleave into equal ways, each one contiguous extent', () => {
    const need = needOf({ ...base, sizeGiB: 96, layout: 'interleave', interleaveWays: 4, bandwidthGBps: 8 }, DEFAULT_PLACEMENT_CONFIG);
    expect(need).toMatchObject({ ways: 4, shareGiB: 24, shareBandwidthGBps: 2, maxExtentsPerDevice: 1 });
  });

  it('takes sizes 1 and 2048 GiB, the edges of the range', () => {
    expect(needOf({ ...base, sizeGiB: 1 }, DEFAULT_PLACEMENT_CONFIG).sizeGiB).toBe(1);
    expect(needOf({ ...base, sizeGiB: 2048 }, DEFAULT_PLACEMENT_CONFIG).sizeGiB).toBe(2048);
  });

  it.each([
    [{ sizeGiB: 0 }, 'sizeGiB'],
    [{ sizeGiB: 2049 }, 'sizeGiB'],
    [{ sizeGiB: 1.5 }, 'sizeGiB'],
    [{ tier: 'fast' }, 'tier'],
    [{ layout: 'zigzag' }, 'layout'],
    [{ interleaveWays: 2 }, 'only for layout'],
    [{ layout: 'interleave', interleaveWays: 9 }, 'interleaveWays'],
    [{ layout: 'interleave', interleaveWays: 1 }, 'interleaveWays'],
    [{ layout: 'interleave', interleaveWays: 3, sizeGiB: 64 }, 'multiple of 3'],
    [{ maxAddedLatencyNs: 0 }, 'maxAddedLatencyNs'],
    [{ bandwidthGBps: -1 }, 'bandwidthGBps'],
    [{ bandwidthGBps: Number.POSITIVE_INFINITY }, 'bandwidthGBps'],
    [{ tenantQuotaGiB: Number.NaN }, 'tenantQuotaGiB'],
    [{ tenantQuotaGiB: -1 }, 'tenantQuotaGiB'],
    [{ tenantUsedGiB: -1000 }, 'tenantUsedGiB'],
    [{ tenantUsedGiB: Number.NaN }, 'tenantUsedGiB'],
    [{ vmCxlToDramRatioCap: Number.NaN }, 'vmCxlToDramRatioCap'],
    [{ vmCxlToDramRatioCap: -4 }, 'vmCxlToDramRatioCap'],
    [{ vmCxlToDramRatioCap: Number.POSITIVE_INFINITY }, 'vmCxlToDramRatioCap'],
  ])('refuses %o naming %s', (request, field) => {
    const error = invalid(request);
    expect(error.code).toBe('invalid-request');
    expect(error.message).toContain(field);
  });
});

describe('resolveConfig', () => {
  it('keeps defaults and applies overrides', () => {
    expect(resolveConfig({ vmCxlToDramRatioCap: 2 })).toEqual({ ...DEFAULT_PLACEMENT_CONFIG, vmCxlToDramRatioCap: 2 });
  });

  it('takes the weights of one layout and keeps the others', () => {
    const pack = { fit: 1, latency: 0, domain: 0, sharing: 0 };
    const config = resolveConfig({ weights: { pack } });
    expect(config.weights.pack).toEqual(pack);
    expect(config.weights.spread).toEqual(DEFAULT_PLACEMENT_CONFIG.weights.spread);
  });

  it.each([
    { bandwidthHeadroomFraction: 1 },
    { bandwidthHeadroomFraction: -0.1 },
    { defaultBandwidthGBpsPerGiB: -1 },
    { vmCxlToDramRatioCap: 0 },
    { maxExtentsPerDevice: 0 },
    { weights: { ...DEFAULT_PLACEMENT_CONFIG.weights, pack: { fit: -1, latency: 0, domain: 0, sharing: 0 } } },
    { weights: { spread: { fit: Number.POSITIVE_INFINITY, latency: 0, domain: 0, sharing: 0 } } },
    { strandingSharingBonus: -1 },
  ])('refuses %o', (overrides) => {
    expect(() => resolveConfig(overrides)).toThrow(expect.objectContaining({ code: 'invalid-config' }));
  });
});
