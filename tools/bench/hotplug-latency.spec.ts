/// <reference types="jest" />
import type { BurstExpansion } from './hotplug-latency';
import { burstFigures } from './hotplug-latency';

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

  it('gives no figures for no bursts, rather than zeros', () => {
    const f = burstFigures([]);
    expect(f.expansions).toBe(0);
    expect(f.overheadP99Ms).toBeNaN();
    expect(f.breakdown.handoff.n).toBe(0);
  });
});
