/// <reference types="jest" />
import { REQUESTED_TIERS } from '@mxs/policy';
import { ReplayError } from './errors';
import { traceEvents } from './events';
import type { TraceGenOptions } from './generator';
import { DEFAULT_TRACE_GEN, generateTrace, synthesizeExpansions } from './generator';
import { formatTrace, parseTrace } from './trace';

const isPowerOfTwo = (n: number) => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
const trace = generateTrace({ seed: 42, vms: 1500 });

describe('generateTrace', () => {
  it('is the same for the same seed and differs for another', () => {
    expect(formatTrace(generateTrace({ seed: 42, vms: 1500 }))).toBe(formatTrace(trace));
    expect(formatTrace(generateTrace({ seed: 43, vms: 1500 }))).not.toBe(formatTrace(trace));
  });

  it('round-trips through the file format, ids included', () => {
    expect(parseTrace(formatTrace(trace))).toEqual(trace);
  });

  it('numbers VMs in arrival order and lists expansions by time, within their VM’s life and the trace', () => {
    expect(trace.vms).toHaveLength(1500);
    expect(trace.vms[0]?.vmId).toBe('vm-000001');
    const arrivals = trace.vms.map((v) => v.arrivalSec);
    expect(arrivals).toEqual([...arrivals].sort((a, b) => a - b));
    const times = trace.expansions.map((x) => x.atSec);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const vm of trace.vms) {
      expect(vm.arrivalSec).toBeGreaterThanOrEqual(0);
      expect(vm.arrivalSec).toBeLessThan(DEFAULT_TRACE_GEN.durationSec);
      if (vm.departureSec !== null) expect(vm.departureSec).toBeLessThanOrEqual(DEFAULT_TRACE_GEN.durationSec);
    }
    for (const x of trace.expansions) if (x.releaseSec !== null) expect(x.releaseSec).toBeLessThanOrEqual(DEFAULT_TRACE_GEN.durationSec);
  });

  it('draws VM DRAM and expansion sizes as powers of two (VMs 4..256 GiB, mostly small; requests at least 2 GiB)', () => {
    expect(trace.vms.every((v) => isPowerOfTwo(v.dramGiB) && v.dramGiB >= 4 && v.dramGiB <= 256)).toBe(true);
    expect(trace.vms.filter((v) => v.dramGiB <= 16).length).toBeGreaterThan(trace.vms.length / 2);
    expect(trace.expansions.every((x) => isPowerOfTwo(x.sizeGiB) && x.sizeGiB >= DEFAULT_TRACE_GEN.minExpansionGiB)).toBe(true);
  });

  it('never lets a VM’s live requests pass 4× its DRAM, counted as a replay applies them', () => {
    const dram = new Map(trace.vms.map((v) => [v.vmId, v.dramGiB]));
    const live = new Map<string, number>();
    let checked = 0;
    for (const event of traceEvents(trace)) {
      if (event.kind === 'request') {
        const held = (live.get(event.expansion.vmId) ?? 0) + event.expansion.sizeGiB;
        expect(held).toBeLessThanOrEqual((dram.get(event.expansion.vmId) ?? 0) * DEFAULT_TRACE_GEN.vmCxlToDramRatioCap);
        live.set(event.expansion.vmId, held);
        checked++;
      } else if (event.kind === 'release') {
        live.set(event.expansion.vmId, (live.get(event.expansion.vmId) ?? 0) - event.expansion.sizeGiB);
      }
    }
    expect(checked).toBe(trace.expansions.length);
  });

  it('has heavy tails: some VMs outlive the trace, some requests are held until their VM leaves, lifetimes span orders of magnitude', () => {
    const lifetimes = trace.vms.flatMap((v) => (v.departureSec === null ? [] : [v.departureSec - v.arrivalSec])).sort((a, b) => a - b);
    expect(trace.vms.some((v) => v.departureSec === null)).toBe(true);
    expect(lifetimes[0]).toBeGreaterThanOrEqual(DEFAULT_TRACE_GEN.lifetime.minSec);
    expect((lifetimes[lifetimes.length - 1] as number) / (lifetimes[Math.floor(lifetimes.length / 2)] as number)).toBeGreaterThan(5);
    const heldToEnd = trace.expansions.filter((x) => x.releaseSec === null).length;
    expect(heldToEnd / trace.expansions.length).toBeGreaterThan(DEFAULT_TRACE_GEN.heldToDepartureShare / 2);
    expect(trace.expansions.some((x) => x.releaseSec !== null)).toBe(true);
  });

  it('draws tiers from the requested set in about the documented mix, and expansions per VM near the mean', () => {
    const tiers = new Map<string, number>();
    for (const x of trace.expansions) tiers.set(x.tier, (tiers.get(x.tier) ?? 0) + 1);
    expect([...tiers.keys()].every((t) => (REQUESTED_TIERS as readonly string[]).includes(t))).toBe(true);
    expect((tiers.get('any') ?? 0) / trace.expansions.length).toBeCloseTo(0.5, 1);
    expect(trace.expansions.length / trace.vms.length).toBeGreaterThan(1.2);
    expect(trace.expansions.length / trace.vms.length).toBeLessThan(1.6);
    expect(generateTrace({ seed: 1, vms: 200, expansionsPerVm: 0 }).expansions).toEqual([]);
  });

  it('spreads VMs over Zipf-weighted tenants, max(2, vms / 50) by default', () => {
    expect(new Set(trace.vms.map((v) => v.tenantId)).size).toBeLessThanOrEqual(30);
    expect(trace.vms.filter((v) => v.tenantId === 'tenant-001').length).toBeGreaterThan(trace.vms.length / 10);
    expect(new Set(generateTrace({ seed: 1, vms: 10 }).vms.map((v) => v.tenantId))).toEqual(new Set(['tenant-001', 'tenant-002']));
  });

  it('bursts: with burstiness 1 arrivals crowd into a few minutes, with 0 they do not', () => {
    const busiestMinute = (burstiness: number) => {
      const perMinute = new Map<number, number>();
      for (const v of generateTrace({ seed: 5, vms: 1000, burstiness }).vms) perMinute.set(Math.floor(v.arrivalSec / 60), (perMinute.get(Math.floor(v.arrivalSec / 60)) ?? 0) + 1);
      return Math.max(...perMinute.values());
    };
    expect(busiestMinute(1)).toBeGreaterThan(2 * busiestMinute(0));
  });

  it.each<[string, Partial<TraceGenOptions>]>([
    ['vms', { vms: 0 }],
    ['vms', { vms: 2.5 }],
    ['seed', { seed: 0.5 }],
    ['durationSec', { durationSec: 10 }],
    ['tenants', { tenants: 0 }],
    ['expansionsPerVm', { expansionsPerVm: -1 }],
    ['burstiness', { burstiness: 1.5 }],
  ])('refuses a bad %s with code invalid-trace-options', (field, bad) => {
    const attempt = () => generateTrace({ seed: 1, vms: 10, ...bad });
    expect(attempt).toThrow(ReplayError);
    expect(attempt).toThrow(expect.objectContaining({ code: 'invalid-trace-options', message: expect.stringContaining(field) }));
  });
});

describe('synthesizeExpansions', () => {
  // VMs as a converted public trace gives them: large ones too, some still running at the end.
  const vms = parseTrace(['vm,az-1,t1,0,3600,1024', 'vm,az-2,t1,0,,16', 'vm,az-3,t2,1800,86400,4096', 'vm,az-4,t2,86000,,8'].join('\n')).vms;

  it('adds seeded requests within each VM’s life, as the generator draws them, that round-trip through the format', () => {
    const trace = synthesizeExpansions(vms, { seed: 3, expansionsPerVm: 6, durationSec: 86_400 });
    expect(trace.vms).toBe(vms);
    expect(formatTrace(synthesizeExpansions(vms, { seed: 3, expansionsPerVm: 6, durationSec: 86_400 }))).toBe(formatTrace(trace));
    expect(parseTrace(formatTrace(trace))).toEqual(trace);
    expect(trace.expansions.length).toBeGreaterThan(10);
    for (const x of trace.expansions) {
      expect(isPowerOfTwo(x.sizeGiB) && x.sizeGiB >= 2 && x.sizeGiB <= 2048).toBe(true);
      if (x.releaseSec !== null) expect(x.releaseSec).toBeLessThanOrEqual(86_400);
    }
    expect(trace.expansions.some((x) => x.vmId === 'az-3' && x.sizeGiB === 2048)).toBe(true);
  });

  it('refuses bad options with code invalid-trace-options', () => {
    expect(() => synthesizeExpansions(vms, { seed: 1, expansionsPerVm: Number.NaN })).toThrow(expect.objectContaining({ code: 'invalid-trace-options' }));
  });
});
