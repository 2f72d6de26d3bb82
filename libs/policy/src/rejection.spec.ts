/// <reference types="jest" />
import { PlacementEngine } from './engine';
import type { PlacementRequest } from './request';
import { fill, tinyFleet } from './testing/fixtures';

const engine = new PlacementEngine();

function reasonFor(fleet = tinyFleet(), request: Partial<PlacementRequest> = {}) {
  const decision = engine.place(fleet, { vmId: 'vm1', sizeGiB: 64, tier: 'any', ...request });
  if (decision.outcome !== 'rejected') throw new Error(`expected a rejection, got ${JSON.stringify(decision.extents)}`);
  return decision.reason;
}

describe('request limits', () => {
  it('quota: exactly the quota passes, one GiB over is refused with the figures', () => {
    const fleet = tinyFleet();
    fleet.allocate('held', 'vm3', [{ deviceId: 'pool-a', offsetGiB: 0, sizeGiB: 36 }]);
    expect(engine.place(fleet, { vmId: 'vm1', sizeGiB: 64, tier: 'any', tenantQuotaGiB: 100 }).outcome).toBe('placed');
    const reason = reasonFor(fleet, { sizeGiB: 65, tenantQuotaGiB: 100 });
    expect(reason.code).toBe('over-quota');
    // vm1 and vm3 are both tenant t1: 36 + 64 GiB in use after the first placement was not committed.
    expect(reason.message).toBe('needs 65 GiB, tenant quota is 100 GiB with 36 GiB in use (64 GiB left)');
  });

  it('quota: a usage figure passed in wins over the fleet view', () => {
    expect(reasonFor(tinyFleet(), { tenantQuotaGiB: 100, tenantUsedGiB: 90 }).code).toBe('over-quota');
  });

  it('VM ratio cap: CXL memory is capped at a multiple of the VM DRAM', () => {
    // vm3 has 16 GiB DRAM: the default cap of 4x allows 64 GiB.
    expect(engine.place(tinyFleet(), { vmId: 'vm3', sizeGiB: 64, tier: 'any' }).outcome).toBe('placed');
    const reason = reasonFor(tinyFleet(), { vmId: 'vm3', sizeGiB: 65 } as Partial<PlacementRequest>);
    expect(reason).toEqual({
      code: 'vm-ratio-cap',
      message: 'needs 65 GiB, VM vm3 may hold at most 64 GiB of CXL memory (4x its 16 GiB DRAM) and holds 0 GiB',
    });
    expect(reasonFor(tinyFleet(), { vmId: 'vm3', sizeGiB: 64, vmCxlToDramRatioCap: 2 } as Partial<PlacementRequest>).code).toBe('vm-ratio-cap');
  });

  it('host window: the CFMWS window bounds what a host can map', () => {
    const fleet = tinyFleet((s) => ({ ...s, hosts: s.hosts.map((h) => ({ ...h, cfmwsWindowGiB: 100 })) }));
    fleet.allocate('held', 'vm1', [{ deviceId: 'direct-1', offsetGiB: 0, sizeGiB: 40 }]);
    expect(reasonFor(fleet, { sizeGiB: 61 })).toEqual({ code: 'host-window', message: 'needs 61 GiB, host h1 can map at most 60 GiB more in its CXL window' });
  });

  it('host movable ratio: auto_movable_ratio over the host DRAM bounds what can be onlined', () => {
    // 64 GiB DRAM at 301% may online 192 GiB as movable.
    const fleet = tinyFleet((s) => ({ ...s, hosts: s.hosts.map((h) => ({ ...h, dramGiB: 64 })) }));
    expect(engine.place(fleet, { vmId: 'vm1', sizeGiB: 192, tier: 'any', vmCxlToDramRatioCap: 10 }).outcome).toBe('placed');
    const reason = reasonFor(fleet, { sizeGiB: 193, vmCxlToDramRatioCap: 10 });
    expect(reason.code).toBe('host-movable-ratio');
    expect(reason.message).toContain('at most 192 GiB more as movable memory');
  });

  it('a host that is not healthy takes no new memory', () => {
    const fleet = tinyFleet();
    fleet.setHostState('h1', 'maintenance');
    expect(reasonFor(fleet)).toEqual({ code: 'host-unavailable', message: 'host h1 of VM vm1 is maintenance; it takes no new memory' });
  });
});

describe('rejections from device filters', () => {
  it('no capacity within a latency bound, in words a tenant can act on', () => {
    const fleet = tinyFleet();
    fill(fleet, 'pool-a', 0, 612);
    const reason = reasonFor(fleet, { sizeGiB: 500, tier: 'pooled', maxAddedLatencyNs: 300, vmCxlToDramRatioCap: 8 });
    expect(reason).toEqual({
      code: 'no-capacity',
      message: 'needs 500 GiB, at most 412 GiB reachable within 300 ns on one pooled device; other devices: 1 beyond the latency bound (the nearest adds 450 ns)',
    });
  });

  it('latency bound below every device names the nearest', () => {
    expect(reasonFor(tinyFleet(), { tier: 'pooled', maxAddedLatencyNs: 250 })).toEqual({
      code: 'latency-bound',
      message: 'needs 64 GiB within 250 ns, no reachable pooled device can take it: 2 beyond the latency bound (the nearest adds 300 ns)',
    });
  });

  it('no healthy device of the tier', () => {
    const fleet = tinyFleet();
    fleet.setDeviceHealth('direct-1', 'failed');
    expect(reasonFor(fleet, { tier: 'direct' })).toEqual({
      code: 'no-healthy-device',
      message: 'needs 64 GiB, no reachable direct device can take it: 1 not healthy (degraded, draining or failed)',
    });
  });

  it('names the devices dropped on the way when capacity is what stopped the closest', () => {
    const fleet = tinyFleet();
    fleet.setDeviceHealth('pool-b', 'degraded');
    fill(fleet, 'pool-a', 0, 1000);
    expect(reasonFor(fleet, { tier: 'pooled' })).toEqual({
      code: 'no-capacity',
      message: 'needs 64 GiB, at most 24 GiB reachable on one pooled device; other devices: 1 not healthy (degraded, draining or failed)',
    });
  });

  it('a request for a tier the host does not reach', () => {
    const fleet = tinyFleet((s) => ({ ...s, devices: s.devices.filter((d) => d.attachment.kind !== 'direct') }));
    expect(reasonFor(fleet, { tier: 'direct' })).toEqual({ code: 'no-matching-tier', message: 'needs 64 GiB, host h1 reaches no direct device; try tier "any"' });
  });

  it('every path down', () => {
    const fleet = tinyFleet();
    fleet.setSwitchState('sw1', 'down');
    expect(reasonFor(fleet, { tier: 'pooled' })).toEqual({
      code: 'path-down',
      message: 'needs 64 GiB, no reachable pooled device can take it: 2 behind a switch that is down',
    });
  });

  it('an interleave wider than the devices with room', () => {
    const reason = reasonFor(tinyFleet(), { tier: 'pooled', sizeGiB: 64, layout: 'interleave', interleaveWays: 4 });
    expect(reason).toEqual({ code: 'no-capacity', message: 'needs 4 devices with 16 GiB each, only 2 reachable pooled device(s) have room; try fewer interleave ways' });
  });

  it('slots and bandwidth name their figures', () => {
    const slots = tinyFleet((s) => ({ ...s, devices: s.devices.map((d) => (d.attachment.kind === 'switch' ? { ...d, maxLogicalDevices: 1 } : d)) }));
    fill(slots, 'pool-a', 0, 1);
    fill(slots, 'pool-b', 0, 1);
    expect(reasonFor(slots, { tier: 'pooled' }).code).toBe('no-slots');
    const reason = reasonFor(tinyFleet(), { tier: 'pooled', bandwidthGBps: 60 });
    expect(reason).toEqual({
      code: 'no-bandwidth',
      message: 'needs 64 GiB, no reachable pooled device can take it: 2 with at most 57.6 GB/s left of the 60.0 GB/s needed',
    });
  });

  it('a host with no device at all', () => {
    const lonely = tinyFleet((s) => ({
      ...s,
      hosts: [...s.hosts, { ...s.hosts[0], id: 'h3', switchIds: [] } as (typeof s.hosts)[number]],
      vms: [...s.vms, { id: 'vm9', tenantId: 't1', hostId: 'h3', dramGiB: 64 }],
    }));
    expect(reasonFor(lonely, { vmId: 'vm9' } as Partial<PlacementRequest>)).toEqual({ code: 'no-reachable-device', message: 'host h3 reaches no CXL device' });
  });
});
