/// <reference types="jest" />
import type { BurstExpansion } from './hotplug-latency';
import { burstFigures, sustainedFigures } from './hotplug-latency';

// Each POST was sent 4 ms before its decision, but a2's, sent 20 ms before.
// Queue times (when its job was added and fetched) are known for a1 and c1 only.
const queue: Record<string, { queuedAt: number; fetchedAt: number }> = { a1: { queuedAt: 4, fetchedAt: 7 }, c1: { queuedAt: 1001, fetchedAt: 1002 } };
const x = (id: string, hostId: string, decidedAt: number, begunAt: number | null, readyAt: number | null, steps: [number, number][]): BurstExpansion =>
  ({ id, hostId, sentAt: decidedAt - (id === 'a2' ? 20 : 4), decidedAt, queuedAt: queue[id]?.queuedAt ?? null, fetchedAt: queue[id]?.fetchedAt ?? null, begunAt, readyAt, steps });

// Host A: a1 runs first; a2, decided while the host was free but started after a1, waits for it.
// Host B: b1 never went active and ran no step, so it is in no figure.
const first = [
  x('a1', 'A', 0, 10, 40, [[20, 30], [30, 40]]),
  x('a2', 'A', 5, 41, 70, [[52, 60], [61, 70]]),
  x('b1', 'B', 0, null, null, []),
];
// Host A again: c1 ends before c2 is decided, so c2 is a first saga on an idle host too.
const second = [
  x('c1', 'A', 1000, 1003, 1020, [[1010, 1020]]),
  x('c2', 'A', 1030, 1031, 1040, [[1035, 1040]]),
];

describe('bench:hotplug latency figures over bursts', () => {
  it('takes the time the host spent on steps meanwhile out of each total, and pools the bursts', () => {
    const f = burstFigures([first, second]);
    // a1: 40 in all, its own steps 20 → 20. a2: 65 in all, the host busy 37 (a1's 20, its own 17) → 28.
    // c1: 20 − 10 → 10. c2: 10 − 5 → 5.
    expect(f.expansions).toBe(4);
    expect(f.overheadP50Ms).toBe(10);
    expect(f.overheadP99Ms).toBe(28);
    expect(f.overheadP99ByBurstMs).toEqual([28, 10]);
    expect(f.readyP99Ms).toBe(65);
    // Counting the wait for a busy host: a2's total minus only its own steps, 65 − 17.
    expect(f.overheadWithHostWaitP99Ms).toBe(48);
    expect(f.hostP50Ms).toBe(10);
    // From the POST: a2 was sent at −15, so 85 in all; the host's steps then are still 37 → 48.
    expect(f.readyFromPostP99Ms).toBe(85);
    expect(f.overheadFromPostP99Ms).toBe(48);
  });

  it('splits the waiting into a first saga’s wait for its lease and first step, handoffs, and gaps between steps', () => {
    const { breakdown } = burstFigures([first, second]);
    // Every expansion's POST-to-decision, b1's too: 4, 20, 4, 4, 4.
    expect(breakdown.postToDecision).toEqual({ p50: 4, p99: 20, n: 5 });
    // First sagas on an idle host: a1 (10, then 10), c1 (3, then 7), c2 (1, then 4).
    expect(breakdown.decisionToBegin).toEqual({ p50: 3, p99: 10, n: 3 });
    expect(breakdown.beginToFirstStep).toEqual({ p50: 7, p99: 10, n: 3 });
    // Split where the job's times are known: a1 (4 to queued, 3 to fetched, 3 to the lease), c1 (1, 1, 1).
    expect(breakdown.decisionToQueued).toEqual({ p50: 1, p99: 4, n: 2 });
    expect(breakdown.queuedToFetched).toEqual({ p50: 1, p99: 3, n: 2 });
    expect(breakdown.fetchedToBegin).toEqual({ p50: 1, p99: 3, n: 2 });
    // a2 started 12 ms after a1's last step.
    expect(breakdown.handoff).toEqual({ p50: 12, p99: 12, n: 1 });
    // a2 waited 1 ms between its steps; the others none.
    expect(breakdown.betweenSteps).toEqual({ p50: 0, p99: 1, n: 4 });
  });

  it('tells the overhead apart by a saga’s place on its host, and when each burst’s first sagas all held their leases', () => {
    const f = burstFigures([first, second]);
    // First on their host: a1 (20) and c1 (10); second: a2 (28) and c2 (5); none later.
    expect(f.overheadByPlaceMs).toEqual([{ p50: 10, p99: 20, n: 2 }, { p50: 5, p99: 28, n: 2 }, { p50: NaN, p99: NaN, n: 0 }, { p50: NaN, p99: NaN, n: 0 }]);
    // a1 took host A's lease 10 ms after the burst's first decision (b1 ran nothing); c1, 3 ms after c1's.
    expect(f.firstLeasesDoneMsByBurst).toEqual([10, 3]);
  });

  it('counts the fourth saga on a host and those after it together', () => {
    // Five sagas on one host, one after another, the host idle 1 ms before each: the i-th counts i ms.
    const line = [0, 1, 2, 3, 4].map((i) => x(`l${i}`, 'L', 0, 10 * i, 10 * i + 10, [[10 * i + 1, 10 * i + 10]]));
    const f = burstFigures([line]);
    expect(f.overheadByPlaceMs.map((s) => s.n)).toEqual([1, 1, 1, 2]);
    // The fifth waited for four before it, and counts the host's idle millisecond before each of the five.
    expect(f.overheadByPlaceMs[3]).toEqual({ p50: 4, p99: 5, n: 2 });
    expect(f.firstLeasesDoneMsByBurst).toEqual([0]);
  });

  it('orders a host’s sagas by their first steps, not by their decisions or the order they are listed in', () => {
    // On host M, m2 was decided first but ran second; m1, listed last, ran first. n1 on host N
    // was decided before anything on M and ran no step, but still starts the burst's clock.
    const burst = [
      x('m2', 'M', 10, 40, 60, [[45, 60]]),
      x('n1', 'N', 0, null, null, []),
      x('m1', 'M', 20, 25, 40, [[30, 40]]),
    ];
    const f = burstFigures([burst]);
    // m1: 20 in all, 10 of steps → 10, first on M. m2: 50 in all, the host busy 25 → 25, second.
    expect(f.overheadByPlaceMs.slice(0, 2)).toEqual([{ p50: 10, p99: 10, n: 1 }, { p50: 25, p99: 25, n: 1 }]);
    // m1's lease at 25, from n1's decision at 0.
    expect(f.firstLeasesDoneMsByBurst).toEqual([25]);
  });

  it('keeps an expansion that went active without a recorded step in every figure but its place', () => {
    const f = burstFigures([[x('a1', 'A', 0, 10, 40, [[20, 40]]), x('z', 'Z', 0, 5, 30, [])]]);
    // a1: 40 − 20 → 20; z: 30, no step.
    expect(f.expansions).toBe(2);
    expect(f.overheadP99Ms).toBe(30);
    expect(f.overheadByPlaceMs[0]).toEqual({ p50: 20, p99: 20, n: 1 });
  });

  it('gives no figures for no bursts, rather than zeros', () => {
    const f = burstFigures([]);
    expect(f.expansions).toBe(0);
    expect(f.overheadP99Ms).toBeNaN();
    expect(f.breakdown.handoff.n).toBe(0);
    expect(f.overheadByPlaceMs.every((s) => s.n === 0)).toBe(true);
    expect(f.firstLeasesDoneMsByBurst).toEqual([]);
  });

  it('under a sustained load, takes out the time a host spent on sagas that are not measured', () => {
    // Host A removed another expansion from 5 to 50 (a saga not measured), then ran d1's one step,
    // then d1's own removal from 85; d2 on host B ran alone. Only what ran within [decision, ready] counts.
    const d1 = x('d1', 'A', 10, 52, 80, [[60, 80]]);
    const d2 = x('d2', 'B', 0, 2, 30, [[5, 25]]);
    const hostSteps = new Map([['A', [[0, 5], [5, 50], [60, 80], [85, 120]] as [number, number][]], ['B', [[5, 25]] as [number, number][]]]);
    const f = sustainedFigures([d1, d2], hostSteps, { from: -4, to: 11, slices: 3 });
    // d1: 70 in all, the host busy 40 (the removal from 10 to 50) and 20 (its own) → 10. d2: 30 − 20 → 10.
    const { bySlice, ...figures } = f;
    expect(figures).toEqual({ readyP50Ms: 30, readyP99Ms: 70, overheadP50Ms: 10, overheadP99Ms: 10, hostP50Ms: 20, expansions: 2 });
    // By when each was sent (4 ms before its decision): d2 at −4 in the first 5 ms slice, none in the second, d1 at 6 in the third.
    expect(bySlice).toEqual([{ p50: 10, p99: 10, n: 1 }, { p50: NaN, p99: NaN, n: 0 }, { p50: 10, p99: 10, n: 1 }]);
    // Counting only the measured sagas' steps, as a lone burst does, the removal would count as overhead.
    expect(burstFigures([[d1, d2]]).overheadP99Ms).toBe(50);
  });
});
