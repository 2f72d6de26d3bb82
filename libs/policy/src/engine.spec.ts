/// <reference types="jest" />
import type { PlacedDecision, PlacementDecision } from './engine';
import { PlacementEngine } from './engine';
import { explainDecision } from './explain';
import type { PlacementRequest } from './request';
import { fill, tinyFleet } from './testing/fixtures';

const engine = new PlacementEngine();

function placed(decision: PlacementDecision): PlacedDecision {
  if (decision.outcome !== 'placed') throw new Error(`rejected: ${decision.reason.message}`);
  return decision;
}

const request = (r: Partial<PlacementRequest> = {}): PlacementRequest => ({ vmId: 'vm1', sizeGiB: 64, tier: 'any', ...r });

describe('PlacementEngine', () => {
  it('pack on tier any prefers the host’s own direct device (capacity nobody else can use)', () => {
    const d = placed(engine.place(tinyFleet(), request()));
    expect(d.extents).toEqual([{ deviceId: 'direct-1', offsetGiB: 0, sizeGiB: 64, bandwidthGBps: 64 * 0.02 }]);
    expect(d.explanation.chosen.map((c) => c.deviceId)).toEqual(['direct-1']);
  });

  it('pack picks the device whose free space fits best and, within it, the smallest run that holds the share', () => {
    const fleet = tinyFleet();
    // pool-b: free runs [0, 64) and [128, 512); pool-a: all 1024 GiB free.
    fill(fleet, 'pool-b', 64, 64);
    fill(fleet, 'pool-b', 128, 320, 'vm1'); // pool-b runs: [0,64) and [448,512)
    const d = placed(engine.place(fleet, request({ tier: 'pooled', sizeGiB: 64 })));
    expect(d.extents).toEqual([expect.objectContaining({ deviceId: 'pool-b', offsetGiB: 0, sizeGiB: 64 })]);
  });

  it('places a request of exactly the free space', () => {
    const fleet = tinyFleet();
    fill(fleet, 'direct-1', 0, 200, 'vm3');
    const d = placed(engine.place(fleet, request({ tier: 'direct', sizeGiB: 56 })));
    expect(d.extents).toEqual([expect.objectContaining({ deviceId: 'direct-1', offsetGiB: 200, sizeGiB: 56 })]);
  });

  it('pack splits a share over the largest runs of one device when no run holds it whole', () => {
    const fleet = tinyFleet();
    fill(fleet, 'direct-1', 100, 56, 'vm3'); // runs [0,100) and [156,256)
    const d = placed(engine.place(fleet, request({ tier: 'direct', sizeGiB: 150 })));
    expect(d.extents.map((e) => [e.deviceId, e.offsetGiB, e.sizeGiB])).toEqual([
      ['direct-1', 156, 100],
      ['direct-1', 0, 50],
    ]);
    expect(d.extents.reduce((sum, e) => sum + e.bandwidthGBps, 0)).toBeCloseTo(150 * 0.02);
  });

  it('spread chooses a device away from the VM’s other memory', () => {
    const fleet = tinyFleet();
    fleet.allocate('first', 'vm1', [{ deviceId: 'direct-1', offsetGiB: 0, sizeGiB: 8 }]);
    const d = placed(engine.place(fleet, request({ layout: 'spread', tier: 'any' })));
    expect(d.extents[0]?.deviceId).toBe('pool-a');
    expect(d.explanation.chosen[0]?.parts.domain).toBe(1);
  });

  it('when a host nears its limit, its own device goes before a better-fitting shared one', () => {
    const withHostDram = (dramGiB: number) => {
      const fleet = tinyFleet((s) => ({ ...s, hosts: s.hosts.map((h) => (h.id === 'h1' ? { ...h, dramGiB } : h)) }));
      fill(fleet, 'pool-b', 0, 448); // pool-b keeps exactly 64 GiB: a perfect fit
      return placed(engine.place(fleet, request({ sizeGiB: 64 })));
    };
    // 128 GiB DRAM: 385 GiB movable room, plenty after 64 GiB: best fit wins.
    const relaxed = withHostDram(128);
    expect(relaxed.extents[0]?.deviceId).toBe('pool-b');
    expect(relaxed.explanation.hostUnderPressure).toBe(false);
    // 96 GiB DRAM: 288 GiB room; 64 GiB from the pool would leave 224 for direct-1's 256 free.
    const pressed = withHostDram(96);
    expect(pressed.extents[0]?.deviceId).toBe('direct-1');
    expect(pressed.explanation.hostUnderPressure).toBe(true);
    expect(explainDecision(pressed)).toContain('  host h1 is near its limit: devices only it reaches go first');
  });

  it('interleave takes N distinct devices with equal contiguous shares', () => {
    const fleet = tinyFleet();
    const d = placed(engine.place(fleet, request({ tier: 'any', sizeGiB: 96, layout: 'interleave', interleaveWays: 3, vmCxlToDramRatioCap: 8 })));
    expect(d.extents).toHaveLength(3);
    expect(new Set(d.extents.map((e) => e.deviceId)).size).toBe(3);
    expect(d.extents.every((e) => e.sizeGiB === 32)).toBe(true);
    fleet.allocate('i', 'vm1', d.extents);
    expect(fleet.vm('vm1').cxlGiB).toBe(96);
  });

  it('never changes the fleet it reads', () => {
    const fleet = tinyFleet();
    const before = JSON.stringify(fleet.toSpec());
    engine.place(fleet, request({ sizeGiB: 300, vmCxlToDramRatioCap: 8 }));
    engine.place(fleet, request({ sizeGiB: 2048, tier: 'direct' }));
    expect(JSON.stringify(fleet.toSpec())).toBe(before);
    expect(fleet.usedGiB).toBe(0);
  });

  it('explains every dropped candidate and the choice', () => {
    const fleet = tinyFleet();
    fleet.setDeviceHealth('pool-a', 'draining');
    const d = engine.place(fleet, request({ tier: 'pooled', maxAddedLatencyNs: 400 }));
    expect(d.explanation.candidates).toBe(3);
    expect(d.explanation.dropped).toEqual(
      [
        { deviceId: 'direct-1', filter: 'tier' },
        { deviceId: 'pool-a', filter: 'health' },
        { deviceId: 'pool-b', filter: 'latency', limit: 400, actual: 450 },
      ].map((x) => expect.objectContaining(x)),
    );
    expect(explainDecision(d)).toEqual([
      'VM vm1 on host h1: 64 GiB; 3 reachable device(s), 3 dropped',
      '  direct-1 dropped by tier: it is not of the requested tier',
      '  pool-a dropped by health: it is not healthy',
      '  pool-b dropped by latency: it adds 450 ns, over the 400 ns bound',
      'rejected (latency-bound): needs 64 GiB within 400 ns, no reachable pooled device can take it: 1 not healthy (degraded, draining or failed), 1 beyond the latency bound (the nearest adds 450 ns)',
    ]);
  });

  it('explains a placement with the scores that chose it', () => {
    const lines = explainDecision(engine.place(tinyFleet(), request()));
    expect(lines[0]).toBe('VM vm1 on host h1: 64 GiB; 3 reachable device(s), 0 dropped');
    expect(lines[1]).toMatch(/^ {2}chose direct-1: score 0\.\d{3} \(fit 0\.25, latency 0\.88, domain 1\.00, sharing 1\.00\)$/);
    expect(lines[2]).toBe('  extent direct-1 @ 0 GiB + 64 GiB');
  });

  it('cuts shares to whole memory blocks of the host (2 GiB on large hosts)', () => {
    const fleet = tinyFleet((s) => ({ ...s, hosts: s.hosts.map((h) => (h.id === 'h1' ? { ...h, memoryBlockSizeMiB: 2048 } : h)) }));
    const odd = engine.place(fleet, request({ sizeGiB: 3 }));
    expect(odd).toMatchObject({ outcome: 'rejected', reason: { code: 'block-size' } });
    if (odd.outcome === 'rejected') expect(odd.reason.message).toContain('taking only multiples of 2 GiB');
    // direct-1 free runs of 3 GiB each: a 4 GiB share takes 2 GiB from two of them.
    fill(fleet, 'direct-1', 3, 1, 'vm3');
    fill(fleet, 'direct-1', 7, 249, 'vm3');
    const d = placed(engine.place(fleet, request({ sizeGiB: 4, tier: 'direct' })));
    expect(d.extents.map((e) => e.sizeGiB)).toEqual([2, 2]);
    expect(d.extents.every((e) => e.offsetGiB === 0 || e.offsetGiB === 4)).toBe(true);
    fleet.allocate('even', 'vm1', d.extents);
    // Two 1 GiB leftovers remain: free, but no whole 2 GiB block for this host.
    expect(engine.place(fleet, request({ sizeGiB: 2, tier: 'direct' }))).toMatchObject({ outcome: 'rejected', reason: { code: 'no-capacity' } });
  });

  it('refuses an unknown VM with the fleet’s coded error', () => {
    expect(() => engine.place(tinyFleet(), request({ vmId: 'nope' }))).toThrow(expect.objectContaining({ code: 'unknown-vm' }));
  });
});
