/// <reference types="jest" />
import type { DeviceHealthInfo } from '@mxs/host-agent';
import { generateFleetSpec } from '@mxs/topology';
import { DEFAULT_THRESHOLDS, nextHealth, verdictOf } from './device-verdict';
import { expansionCut, pathCut } from './fabric-paths';

const fine: DeviceHealthInfo = {
  deviceId: 'd1', mediaStatus: 'normal', lifeUsedPct: 12, temperatureC: 41, correctedVolatileErrors: 3, correctedPersistentErrors: 0, poison: [], events: [],
};

describe('device verdict', () => {
  it('keeps a device under every threshold healthy', () => {
    expect(verdictOf(fine, false, DEFAULT_THRESHOLDS)).toEqual({ health: 'healthy', reason: null });
  });

  it('degrades a device past a threshold and says which, with the figures', () => {
    expect(verdictOf({ ...fine, lifeUsedPct: 93 }, false, DEFAULT_THRESHOLDS)).toEqual({ health: 'degraded', reason: 'life used 93% ≥ 90%' });
    expect(verdictOf({ ...fine, correctedVolatileErrors: 700, correctedPersistentErrors: 300 }, false, DEFAULT_THRESHOLDS).reason).toBe('corrected errors 1000 ≥ 1000');
    expect(verdictOf({ ...fine, lifeUsedPct: 95, poison: [{ dpa: 4096, lengthBytes: 64 }] }, false, DEFAULT_THRESHOLDS).reason).toBe('life used 95% ≥ 90%; 1 poison record ≥ 1');
  });

  it('fails a device whose media failed or lost data, or that the fabric reports failed', () => {
    expect(verdictOf({ ...fine, mediaStatus: 'failed' }, false, DEFAULT_THRESHOLDS)).toEqual({ health: 'failed', reason: 'media status failed' });
    expect(verdictOf({ ...fine, mediaStatus: 'data-lost' }, false, DEFAULT_THRESHOLDS).health).toBe('failed');
    expect(verdictOf(fine, true, DEFAULT_THRESHOLDS).health).toBe('failed');
  });

  it('honours configured thresholds', () => {
    expect(verdictOf({ ...fine, lifeUsedPct: 93 }, false, { ...DEFAULT_THRESHOLDS, lifeUsedPct: 95 }).health).toBe('healthy');
  });
});

describe('which health telemetry stores', () => {
  const degraded = { health: 'degraded' as const, reason: 'life used 93% ≥ 90%' };

  it('moves a healthy device, and back only what it moved itself', () => {
    expect(nextHealth({ health: 'healthy', reason: null }, null, degraded)).toEqual(degraded);
    expect(nextHealth(degraded, degraded, { health: 'healthy', reason: null })).toEqual({ health: 'healthy', reason: null });
    expect(nextHealth(degraded, degraded, degraded)).toBeNull();
  });

  it("never overrides an operator's drain or a health set by hand", () => {
    expect(nextHealth({ health: 'draining', reason: 'rack move' }, null, { health: 'failed', reason: 'media status failed' })).toBeNull();
    expect(nextHealth({ health: 'degraded', reason: 'suspect DIMM' }, degraded, { health: 'healthy', reason: null })).toBeNull();
  });
});

describe('fabric paths', () => {
  const fleet = generateFleetSpec({ preset: 'small', seed: 7, vmsPerHost: 0 });
  const switched = fleet.devices.find((d) => d.attachment.kind === 'switch');
  const host = fleet.hosts.find((h) => switched?.attachment.kind === 'switch' && h.switchIds.includes(switched.attachment.switchId));
  if (switched === undefined || host === undefined || switched.attachment.kind !== 'switch') throw new Error('the small fleet has a switched device');
  const switchId = switched.attachment.switchId;
  const report = (failed: boolean, up: boolean, linkDown: string[] = []) => ({
    deviceFailed: new Map([[switched.id, failed]]),
    switches: new Map([[switchId, { up, linkDownHostIds: linkDown }]]),
  });

  it('is whole when the device and the switch and the host link are up', () => {
    expect(pathCut(fleet, report(false, true), host.id, switched.id)).toBeNull();
  });

  it('names what cut it: the device, the switch, or only this host link', () => {
    expect(pathCut(fleet, report(true, true), host.id, switched.id)).toBe(`device ${switched.id} failed`);
    expect(pathCut(fleet, report(false, false), host.id, switched.id)).toBe(`switch ${switchId} down`);
    expect(pathCut(fleet, report(false, true, [host.id]), host.id, switched.id)).toBe(`link between ${host.id} and switch ${switchId} down`);
    expect(pathCut(fleet, report(false, true, ['another-host']), host.id, switched.id)).toBeNull();
  });

  it('cannot tell (and so moves nothing) when a device was not seen', () => {
    expect(pathCut(fleet, { deviceFailed: new Map(), switches: new Map() }, host.id, switched.id)).toBeUndefined();
    expect(expansionCut(fleet, report(false, true), host.id, [switched.id, 'unseen'])).toBeUndefined();
    expect(expansionCut(fleet, report(true, true), host.id, [switched.id, 'unseen'])).toBe(`device ${switched.id} failed`);
  });
});
