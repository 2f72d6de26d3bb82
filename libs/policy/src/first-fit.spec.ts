/// <reference types="jest" />
import type { PlacedDecision, PlacementDecision } from './engine';
import { PlacementEngine } from './engine';
import { FirstFitPolicy } from './first-fit';
import type { PlacementRequest } from './request';
import { fill, tinyFleet } from './testing/fixtures';

const firstFit = new FirstFitPolicy();

function placed(decision: PlacementDecision): PlacedDecision {
  if (decision.outcome !== 'placed') throw new Error(`rejected: ${decision.reason.message}`);
  return decision;
}

const request = (r: Partial<PlacementRequest> = {}): PlacementRequest => ({ vmId: 'vm1', sizeGiB: 64, tier: 'any', ...r });
const where = (d: PlacedDecision) => d.extents.map((e) => [e.deviceId, e.offsetGiB, e.sizeGiB]);

describe('FirstFitPolicy', () => {
  it('takes the first device in fleet order that passes the filters, where the engine picks by score', () => {
    // Fleet order: pool-a, pool-b, direct-1, direct-2; the engine prefers vm1's own direct-1.
    expect(where(placed(firstFit.place(tinyFleet(), request())))).toEqual([['pool-a', 0, 64]]);
    expect(where(placed(new PlacementEngine().place(tinyFleet(), request())))).toEqual([['direct-1', 0, 64]]);
  });

  it('takes the lowest free offset that holds the request, not the best-fitting run', () => {
    const fleet = tinyFleet();
    fill(fleet, 'pool-a', 64, 64); // pool-a runs [0,64) and [128,1024)
    expect(where(placed(firstFit.place(fleet, request({ sizeGiB: 32 }))))).toEqual([['pool-a', 0, 32]]);
    expect(where(placed(firstFit.place(fleet, request({ sizeGiB: 100 }))))).toEqual([['pool-a', 128, 100]]);
  });

  it('skips devices a filter drops: wrong tier, no room, unhealthy', () => {
    const fleet = tinyFleet();
    expect(where(placed(firstFit.place(fleet, request({ tier: 'direct' }))))).toEqual([['direct-1', 0, 64]]);
    fill(fleet, 'pool-a', 0, 1000);
    expect(where(placed(firstFit.place(fleet, request({ sizeGiB: 32 }))))).toEqual([['pool-b', 0, 32]]);
    fleet.setDeviceHealth('pool-b', 'degraded');
    expect(where(placed(firstFit.place(fleet, request({ sizeGiB: 32 }))))).toEqual([['direct-1', 0, 32]]);
  });

  it('interleaves over the first devices in fleet order', () => {
    const d = placed(firstFit.place(tinyFleet(), request({ layout: 'interleave', interleaveWays: 2 })));
    expect(where(d)).toEqual([
      ['pool-a', 0, 32],
      ['pool-b', 0, 32],
    ]);
  });

  it('refuses with the code the engine would give', () => {
    const fleet = tinyFleet();
    fill(fleet, 'direct-1', 0, 250, 'vm1');
    const full = firstFit.place(fleet, request({ tier: 'direct', sizeGiB: 8 }));
    expect(full.outcome === 'rejected' && full.reason.code).toBe('no-capacity');
    expect(new PlacementEngine().place(fleet, request({ tier: 'direct', sizeGiB: 8 }))).toMatchObject({ reason: { code: 'no-capacity' } });
    fleet.setDeviceHealth('direct-1', 'failed');
    const failed = firstFit.place(fleet, request({ tier: 'direct', sizeGiB: 8 }));
    expect(failed.outcome === 'rejected' && failed.reason.code).toBe('no-healthy-device');
    const overCap = firstFit.place(tinyFleet(), request({ vmId: 'vm3', sizeGiB: 128 })); // 16 GiB DRAM × 4
    expect(overCap.outcome === 'rejected' && overCap.reason.code).toBe('vm-ratio-cap');
  });
});
