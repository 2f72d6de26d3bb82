/// <reference types="jest" />
import type { PlacementRequest } from './request';
import { DEFAULT_PLACEMENT_CONFIG, needOf } from './request';
import { domainScore, fitScore, latencyScore, scoreParts, sharingScore, strandsExclusive, weightedScore } from './scorers';
import { fill, pathTo, tinyFleet } from './testing/fixtures';

const need = (request: Partial<PlacementRequest> = {}) => needOf({ vmId: 'vm1', sizeGiB: 64, tier: 'any', ...request }, DEFAULT_PLACEMENT_CONFIG);


describe('fitScore', () => {
  it('pack: an exact fit scores 1, a share of a larger run scores its fraction', () => {
    const fleet = tinyFleet();
    fill(fleet, 'pool-b', 0, 448);
    expect(fitScore(fleet.device('pool-b'), need({ sizeGiB: 64 }), 'pack')).toBe(1);
    expect(fitScore(fleet.device('pool-a'), need({ sizeGiB: 64 }), 'pack')).toBe(64 / 1024);
  });

  it('pack: a share that needs several runs scores below any single-run fit', () => {
    const fleet = tinyFleet();
    fill(fleet, 'pool-b', 200, 100); // runs of 200 and 212 GiB: 300 GiB needs both
    const split = fitScore(fleet.device('pool-b'), need({ sizeGiB: 300 }), 'pack');
    const whole = fitScore(fleet.device('pool-a'), need({ sizeGiB: 300 }), 'pack');
    expect(split).toBeLessThan(whole);
  });

  it('spread: the emptier device scores higher', () => {
    const fleet = tinyFleet();
    fill(fleet, 'pool-b', 0, 256);
    expect(fitScore(fleet.device('pool-b'), need(), 'spread')).toBe(0.5);
    expect(fitScore(fleet.device('pool-a'), need(), 'spread')).toBe(1);
  });
});

describe('latencyScore', () => {
  it('falls with added latency and is 0 from 1 µs on', () => {
    const fleet = tinyFleet();
    expect(latencyScore(pathTo(fleet, 'h1', 'direct-1'))).toBeCloseTo(0.88);
    expect(latencyScore(pathTo(fleet, 'h1', 'pool-a'))).toBeCloseTo(0.7);
    const far = tinyFleet((s) => ({ ...s, devices: s.devices.map((d) => (d.id === 'pool-b' ? { ...d, baseLatencyNs: 900 } : d)) }));
    expect(latencyScore(pathTo(far, 'h1', 'pool-b'))).toBe(0);
  });
});

describe('domainScore', () => {
  it('is 1 for a VM with no memory, 0 on a device it uses, 0.5 behind a switch it uses', () => {
    const fleet = tinyFleet();
    const vm = fleet.vm('vm1');
    expect(domainScore(pathTo(fleet, 'h1', 'pool-a'), vm)).toBe(1);
    fleet.allocate('a1', 'vm1', [{ deviceId: 'pool-a', offsetGiB: 0, sizeGiB: 8 }]);
    expect(domainScore(pathTo(fleet, 'h1', 'pool-a'), vm)).toBe(0);
    expect(domainScore(pathTo(fleet, 'h1', 'pool-b'), vm)).toBe(0.5);
    expect(domainScore(pathTo(fleet, 'h1', 'direct-1'), vm)).toBe(1);
    fleet.release('a1');
    expect(domainScore(pathTo(fleet, 'h1', 'pool-a'), vm)).toBe(1);
  });
});

describe('sharingScore', () => {
  it('puts capacity only this host can use first, then a slot it holds, then a free slot', () => {
    const fleet = tinyFleet();
    expect(sharingScore(pathTo(fleet, 'h1', 'direct-1'))).toBe(1);
    expect(sharingScore(pathTo(fleet, 'h1', 'pool-a'))).toBe(0.4);
    fleet.allocate('a1', 'vm1', [{ deviceId: 'pool-a', offsetGiB: 0, sizeGiB: 8 }]);
    expect(sharingScore(pathTo(fleet, 'h1', 'pool-a'))).toBe(0.6);
    // h2 is not bound; one of 16 slots is taken by h1.
    expect(sharingScore(pathTo(fleet, 'h2', 'pool-a'))).toBeCloseTo(0.4 * (15 / 16));
  });
});

describe('weightedScore', () => {
  it('is the weighted sum of the parts', () => {
    const fleet = tinyFleet();
    const path = pathTo(fleet, 'h1', 'pool-a');
    const vm = fleet.vm('vm1');
    const n = need();
    const parts = scoreParts(path, n, vm);
    const w = DEFAULT_PLACEMENT_CONFIG.weights.pack;
    expect(weightedScore(path, n, w, vm)).toBeCloseTo(parts.fit * w.fit + parts.latency * w.latency + parts.domain * w.domain + parts.sharing * w.sharing);
  });
});

describe('strandsExclusive', () => {
  it('is true when what the host could still take falls below its own devices’ free space', () => {
    // h1: 96 GiB DRAM at 301% may online 288 GiB; direct-1 has 256 GiB free.
    const fleet = tinyFleet((s) => ({ ...s, hosts: s.hosts.map((h) => (h.id === 'h1' ? { ...h, dramGiB: 96 } : h)) }));
    const h1 = fleet.host('h1');
    expect(strandsExclusive(h1, 32)).toBe(false); // 288 - 32 = 256: exactly enough
    expect(strandsExclusive(h1, 33)).toBe(true);
    fill(fleet, 'direct-1', 0, 256, 'vm1'); // nothing left to strand
    expect(strandsExclusive(fleet.host('h1'), 32)).toBe(false);
  });

  it('ignores own devices that take no new memory', () => {
    const fleet = tinyFleet((s) => ({ ...s, hosts: s.hosts.map((h) => (h.id === 'h1' ? { ...h, dramGiB: 96 } : h)) }));
    fleet.setDeviceHealth('direct-1', 'draining');
    expect(strandsExclusive(fleet.host('h1'), 100)).toBe(false);
  });
});
