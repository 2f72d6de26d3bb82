/// <reference types="jest" />
import type { Fault } from '@mxs/host-agent';
import type { FaultablePlant } from './fault-executor';
import { FaultExecutor } from './fault-executor';
import type { FaultTargets, PlannedFault, SoakFaultKind } from './faults';
import { SOAK_FAULT_KINDS, countByKind, planFaults } from './faults';
import { SoakError } from './soak-error';

const TARGETS: FaultTargets = {
  deviceIds: ['dev-a', 'dev-b', 'dev-c'],
  switches: [{ switchId: 'sw-1', hostIds: ['h1', 'h2'] }],
  hostIds: ['h1', 'h2', 'h3'],
  workers: 2,
};
const TEN_MINUTES_MS = 600_000;

function plan(seed: number, overrides: Partial<Parameters<typeof planFaults>[0]> = {}): PlannedFault[] {
  return planFaults({ seed, durationMs: TEN_MINUTES_MS, meanGapMs: 10_000, kinds: SOAK_FAULT_KINDS, targets: TARGETS, ...overrides });
}

/** The faults in effect at `atMs`. */
function inEffectAt(faults: readonly PlannedFault[], atMs: number): PlannedFault[] {
  return faults.filter((f) => f.atMs <= atMs && atMs < f.healAtMs);
}

describe('planFaults', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    expect(plan(7)).toEqual(plan(7));
    expect(plan(7)).not.toEqual(plan(8));
  });

  it('heals every fault before the quiet tail, after it was injected, in time order', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const faults = plan(seed, { quietTailMs: 20_000 });
      expect(faults.length).toBeGreaterThan(10);
      for (const f of faults) {
        expect(f.healAtMs).toBeGreaterThan(f.atMs);
        expect(f.healAtMs).toBeLessThanOrEqual(TEN_MINUTES_MS - 20_000);
      }
      expect(faults.map((f) => f.atMs)).toEqual([...faults.map((f) => f.atMs)].sort((a, b) => a - b));
      expect(faults.map((f) => f.id)).toEqual(faults.map((_, i) => i + 1));
    }
  });

  it('draws every kind asked for, and only those', () => {
    expect(Object.values(countByKind(plan(11))).every((n) => n > 0)).toBe(true);
    const two: SoakFaultKind[] = ['host-crash', 'worker-kill'];
    const faults = plan(11, { kinds: two });
    expect(new Set(faults.map((f) => f.kind))).toEqual(new Set(two));
    expect(faults.every((f) => f.target.kind === f.kind)).toBe(true);
  });

  it('never breaks a target twice at once, keeps to maxConcurrent and never kills every worker', () => {
    for (const seed of [21, 22, 23]) {
      const faults = plan(seed, { meanGapMs: 2_000, maxConcurrent: 3 });
      for (const f of faults) {
        const overlapping = inEffectAt(faults, f.atMs);
        expect(overlapping.length).toBeLessThanOrEqual(3);
        expect(overlapping.filter((o) => o.kind === 'worker-kill').length).toBeLessThan(TARGETS.workers);
        const same = overlapping.filter((o) => o.id !== f.id && JSON.stringify(o.target) === JSON.stringify(f.target));
        expect(same).toEqual([]);
        if (f.target.kind === 'switch-link-down') {
          const { switchId, hostId } = f.target;
          const clash = overlapping.filter((o) => o.id !== f.id && o.target.kind === 'switch-link-down' && o.target.switchId === switchId && (hostId === null || o.target.hostId === null));
          expect(clash).toEqual([]);
        }
      }
    }
  });

  it('leaves out kinds with nothing to break', () => {
    const faults = plan(5, { targets: { ...TARGETS, switches: [] } });
    expect(faults.length).toBeGreaterThan(0);
    expect(faults.some((f) => f.kind === 'switch-link-down')).toBe(false);
    expect(plan(5, { kinds: ['switch-link-down'], targets: { ...TARGETS, switches: [] } })).toEqual([]);
  });

  it('refuses a non-positive duration and unknown kinds with coded errors', () => {
    expect(() => plan(1, { durationMs: 0 })).toThrow(SoakError);
    expect(() => plan(1, { kinds: ['meteor-strike' as SoakFaultKind] })).toThrow(/unknown fault kinds: meteor-strike/);
  });
});

/** Records what it was asked to do, in order; a device id of `dev-broken` fails its injection. */
class RecordingPlant implements FaultablePlant {
  readonly calls: string[] = [];
  readonly sim = {
    injectFault: (fault: Fault): Promise<number> => {
      if ('deviceId' in fault && fault.deviceId === 'dev-broken' && fault.kind === 'device-fail') return Promise.reject(new Error('simulator said no'));
      this.calls.push(`${fault.kind} ${'deviceId' in fault ? fault.deviceId : 'hostId' in fault ? (fault.hostId ?? '') : ''}`.trim());
      return Promise.resolve(this.calls.length);
    },
  };
  killWorker(i: number): void {
    this.calls.push(`kill worker ${i}`);
  }
  restartWorker(i: number): Promise<void> {
    this.calls.push(`restart worker ${i}`);
    return Promise.resolve();
  }
  restartRedis(downMs = 0): Promise<void> {
    this.calls.push(`restart redis down ${downMs} ms`);
    return Promise.resolve();
  }
}

describe('FaultExecutor', () => {
  const faults: PlannedFault[] = [
    { id: 1, kind: 'device-failure', atMs: 0, healAtMs: 30, target: { kind: 'device-failure', deviceId: 'dev-a' } },
    { id: 2, kind: 'worker-kill', atMs: 10, healAtMs: 20, target: { kind: 'worker-kill', worker: 1 } },
    { id: 3, kind: 'redis-restart', atMs: 15, healAtMs: 18, target: { kind: 'redis-restart' } },
    { id: 4, kind: 'device-failure', atMs: 5, healAtMs: 25, target: { kind: 'device-failure', deviceId: 'dev-broken' } },
  ];

  it('injects and heals every fault, each heal after its injection, and logs both', async () => {
    const plant = new RecordingPlant();
    const executor = new FaultExecutor(plant, faults);
    await executor.run(new AbortController().signal);
    const order = (call: string): number => plant.calls.indexOf(call);
    expect(order('device-fail dev-a')).toBeLessThan(order('device-restore dev-a'));
    expect(order('kill worker 1')).toBeLessThan(order('restart worker 1'));
    expect(plant.calls.filter((c) => c.startsWith('restart redis'))).toEqual(['restart redis down 3 ms']);
    expect(executor.entries.filter((e) => e.faultId === 3).map((e) => [e.action, e.ok])).toEqual([['inject', true], ['heal', true]]);
    // The failed injection is logged as failed and still healed.
    expect(plant.calls).toContain('device-restore dev-broken');
    expect(executor.entries.filter((e) => !e.ok).map((e) => [e.faultId, e.action, e.error])).toEqual([[4, 'inject', 'simulator said no']]);
    expect(executor.injectedByKind()).toEqual({ 'device-failure': 1, 'switch-link-down': 0, 'host-crash': 0, 'worker-kill': 1, 'redis-restart': 1 });
    expect(executor.failedHeals()).toEqual([]);
  });

  it('on abort injects nothing more and heals what is broken at once', async () => {
    const plant = new RecordingPlant();
    const long: PlannedFault[] = [
      { id: 1, kind: 'host-crash', atMs: 0, healAtMs: 3_600_000, target: { kind: 'host-crash', hostId: 'h1' } },
      { id: 2, kind: 'host-crash', atMs: 3_000_000, healAtMs: 3_100_000, target: { kind: 'host-crash', hostId: 'h2' } },
    ];
    const stop = new AbortController();
    const executor = new FaultExecutor(plant, long, (entry) => {
      if (entry.action === 'inject') stop.abort();
    });
    await executor.run(stop.signal);
    expect(plant.calls).toEqual(['host-crash h1', 'host-restart h1']);
  });
});
