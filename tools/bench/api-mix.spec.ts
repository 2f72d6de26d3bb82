/// <reference types="jest" />
import { expansionRequestSchema } from '@mxs/contracts';
import type { BenchVm } from './api-mix';
import { ExpansionMix, LatencyRecorder, countStatuses, percentile } from './api-mix';
import { parseMachineLine, parseProcessTicks, split } from './cpu-accounting';

const vms: BenchVm[] = Array.from({ length: 10 }, (_, i) => ({ id: `vm-${i}`, tenantKey: `key-${i % 3}` }));

describe('ExpansionMix', () => {
  it('sends the same requests for the same seed, and other ones for another seed', () => {
    const take = (seed: number) => {
      const mix = new ExpansionMix(vms, seed, 'run');
      return Array.from({ length: 50 }, () => mix.next());
    };
    expect(take(7)).toEqual(take(7));
    expect(take(7)).not.toEqual(take(8));
  });

  it('goes round the VMs, every VM once a round, each request with a key of its own', () => {
    const mix = new ExpansionMix(vms, 1, 'run');
    const requests = Array.from({ length: 30 }, () => mix.next());
    for (let round = 0; round < 3; round++) {
      expect(new Set(requests.slice(round * 10, round * 10 + 10).map((r) => r.vmId)).size).toBe(10);
    }
    expect(requests.slice(0, 10).map((r) => r.vmId)).toEqual(requests.slice(10, 20).map((r) => r.vmId));
    expect(new Set(requests.map((r) => r.idempotencyKey)).size).toBe(30);
    expect(requests[0]?.idempotencyKey).toBe('run-0');
    expect(mix.sent).toBe(30);
  });

  it('keeps each VM with its tenant key', () => {
    const mix = new ExpansionMix(vms, 3, 'run');
    for (let i = 0; i < 20; i++) {
      const r = mix.next();
      expect(r.tenantKey).toBe(`key-${Number(r.vmId.slice(3)) % 3}`);
    }
  });

  it('sends only bodies the API accepts: modest sizes in whole 2 GiB blocks, mixed tiers and layouts', () => {
    const mix = new ExpansionMix(vms, 11, 'run');
    const bodies = Array.from({ length: 2000 }, () => mix.next().body);
    for (const body of bodies) {
      expect(expansionRequestSchema.safeParse(body).success).toBe(true);
      expect(body.sizeGiB).toBeLessThanOrEqual(32);
      expect(body.sizeGiB % 2).toBe(0);
      if (body.layout === 'interleave') {
        expect(body.tier).toBe('pooled');
        expect(body.sizeGiB % (2 * (body.interleaveWays ?? 0))).toBe(0);
      }
    }
    expect(new Set(bodies.map((b) => b.tier))).toEqual(new Set(['any', 'pooled', 'direct']));
    expect(new Set(bodies.map((b) => b.layout))).toEqual(new Set(['pack', 'spread', 'interleave']));
    const meanGiB = bodies.reduce((sum, b) => sum + b.sizeGiB, 0) / bodies.length;
    expect(meanGiB).toBeGreaterThan(6);
    expect(meanGiB).toBeLessThan(14);
  });

  it('needs a VM', () => {
    expect(() => new ExpansionMix([], 1, 'run')).toThrow('at least one VM');
  });
});

describe('stats', () => {
  it('takes nearest-rank percentiles', () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile(new Float64Array(0), 99)).toBe(0);
  });

  it('summarizes latencies past its first buffer', () => {
    const recorder = new LatencyRecorder();
    for (let i = 40_000; i >= 1; i--) recorder.record(i / 100);
    expect(recorder.summary()).toEqual({ count: 40_000, p50Ms: 200, p90Ms: 360, p99Ms: 396, maxMs: 400, meanMs: 200.01 });
    expect(new LatencyRecorder().summary()).toEqual({ count: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, maxMs: 0, meanMs: 0 });
  });

  it('counts 202, 409 and 422 apart from any other status', () => {
    expect(countStatuses(new Map([[202, 5], [422, 2], [500, 1], [429, 3]]))).toEqual({ '202': 5, '409': 0, '422': 2, other: { '429': 3, '500': 1 } });
  });
});

describe('cpu accounting', () => {
  it('reads busy, total and stolen time from /proc/stat', () => {
    expect(parseMachineLine('cpu  100 5 50 800 10 1 2 3 0 0')).toEqual({ busy: 161, total: 971, steal: 3 });
  });

  it('reads utime + stime from /proc/<pid>/stat, whatever the process name', () => {
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 40 0 0 20 0 11 0 1000 1 1';
    expect(parseProcessTicks(stat)).toBe(290);
  });

  it('splits a run between groups, the rest of the machine and what the hypervisor took', () => {
    const before = { machineBusyMs: 1_000, machineTotalMs: 4_000, machineStealMs: 100, byPid: new Map([[1, 100], [2, 50], [3, 0]]) };
    const after = { machineBusyMs: 3_000, machineTotalMs: 6_000, machineStealMs: 400, byPid: new Map([[1, 900], [2, 650], [3, 100]]) };
    expect(split(before, after, { api: [1], postgres: [2, 9], client: [3] })).toEqual({
      machineBusyPct: 100,
      machineStealPct: 15,
      groupsMs: { api: 800, postgres: 600, client: 100 },
      othersMs: 200,
    });
  });
});
