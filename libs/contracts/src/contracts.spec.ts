/// <reference types="jest" />
import {
  EXPANSION_STATES,
  LIVE_STATES,
  QUEUES,
  TRANSITIONS,
  canTransition,
  expansionRequestSchema,
  hotplugJobSchema,
  placementRequestJobSchema,
  usageEventSchema,
} from './index';

describe('expansion request', () => {
  it('accepts the documented fields', () => {
    const r = expansionRequestSchema.parse({ sizeGiB: 64, tier: 'pooled', layout: 'interleave', interleaveWays: 4, maxAddedLatencyNs: 300 });
    expect(r).toEqual({ sizeGiB: 64, tier: 'pooled', layout: 'interleave', interleaveWays: 4, maxAddedLatencyNs: 300 });
  });

  it.each([
    [{ sizeGiB: 0, tier: 'any' }, 'sizeGiB'],
    [{ sizeGiB: 2049, tier: 'any' }, 'sizeGiB'],
    [{ sizeGiB: 1.5, tier: 'any' }, 'sizeGiB'],
    [{ sizeGiB: '8', tier: 'any' }, 'sizeGiB'],
    [{ sizeGiB: 8, tier: 'dram' }, 'tier'],
    [{ sizeGiB: 8, tier: 'any', colour: 'red' }, ''],
    [{ sizeGiB: 8, tier: 'any', interleaveWays: 2 }, 'interleaveWays'],
    [{ sizeGiB: 8, tier: 'any', layout: 'interleave', interleaveWays: 9 }, 'interleaveWays'],
  ])('refuses %j at %s', (body, path) => {
    const result = expansionRequestSchema.safeParse(body);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it('a placement job is the same request plus who asks', () => {
    const job = { sizeGiB: 8, tier: 'direct', tenantId: 'acme', vmId: 'vm-1', idempotencyKey: 'k1' };
    expect(placementRequestJobSchema.parse(job)).toEqual(job);
    expect(placementRequestJobSchema.safeParse({ ...job, sizeGiB: 0 }).success).toBe(false);
    // A misspelt field must not be dropped silently: the job would run without its bound.
    expect(placementRequestJobSchema.safeParse({ ...job, maxAddedLatncyNs: 300 }).success).toBe(false);
    expect(placementRequestJobSchema.safeParse({ ...job, interleaveWays: 2 }).success).toBe(false);
    expect(placementRequestJobSchema.safeParse({ ...job, idempotencyKey: '' }).success).toBe(false);
    // PostgreSQL text cannot hold NUL: such a job must fail validation, not the insert.
    expect(placementRequestJobSchema.safeParse({ ...job, idempotencyKey: 'a\u0000b' }).success).toBe(false);
    expect(placementRequestJobSchema.safeParse({ ...job, requestId: 'r\u0000' }).success).toBe(false);
    expect(placementRequestJobSchema.safeParse({ ...job, requestId: 'req-1' }).success).toBe(true);
  });

  it('a hotplug job needs a uuid operation id, since it is the BullMQ job id', () => {
    const base = {
      kind: 'hot-add', expansionId: '2d7c8a8e-9c1b-4f57-9d3e-4c8b7a6f5e41', tenantId: 'acme', vmId: 'vm-1',
      hostId: 'host-1', sizeGiB: 8, extents: [{ deviceId: 'd1', offsetGiB: 0, sizeGiB: 8 }], requestId: null,
    };
    expect(hotplugJobSchema.safeParse({ ...base, operationId: 'job:1' }).success).toBe(false);
    expect(hotplugJobSchema.safeParse({ ...base, operationId: '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b' }).success).toBe(true);
  });
});

describe('expansion states', () => {
  it('every state has a transition entry and terminal states have none', () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...EXPANSION_STATES].sort());
    for (const terminal of ['released', 'rejected', 'failed'] as const) expect(TRANSITIONS[terminal]).toEqual([]);
  });

  it('capacity is held until the fabric releases it', () => {
    expect(LIVE_STATES).toContain('detaching');
    expect(LIVE_STATES).not.toContain('released');
    expect(canTransition('detaching', 'released')).toBe(true);
    expect(canTransition('released', 'active')).toBe(false);
  });

  it('queue names carry no Redis key separators', () => {
    for (const name of Object.values(QUEUES)) expect(name).toMatch(/^[a-z-]+$/);
  });
});

describe('usage events', () => {
  const event = {
    eventId: '0b6f2d1c-3a4e-4f5a-8b6c-7d8e9f0a1b2c', type: 'expansion.activated', expansionId: '2d7c8a8e-9c1b-4f57-9d3e-4c8b7a6f5e41',
    tenantId: 'acme', vmId: 'vm-1', hostId: 'host-1', tier: 'pooled', sizeGiB: 8, at: '2026-11-21T10:00:00.000Z', reason: null,
  };

  it('carry a unique id, the host moment and the size from then on', () => {
    expect(usageEventSchema.parse(event)).toEqual(event);
    expect(usageEventSchema.safeParse({ ...event, type: 'expansion.released', sizeGiB: 0 }).success).toBe(true);
  });

  it.each([['eventId', 'e-1'], ['type', 'expansion.placed'], ['tier', 'any'], ['sizeGiB', -1], ['at', 'yesterday']])('refuse a bad %s', (field, value) => {
    expect(usageEventSchema.safeParse({ ...event, [field]: value }).success).toBe(false);
  });

  it('a hot-remove that gives up leaves the expansion active, never half-removed', () => {
    expect(canTransition('detaching', 'active')).toBe(true);
    expect(canTransition('detaching', 'degraded')).toBe(false);
  });
});
