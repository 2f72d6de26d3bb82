/// <reference types="jest" />
import fc from 'fast-check';
import type { OperationSample } from './sla-figures';
import { bucketByEnd, historyWindow } from './sla-history';

const HOUR_MS = 3_600_000;
const sample = (endedAtMs: number, durationMs = 1_000, failed = false): OperationSample => ({ tenantId: 't', durationMs, endedAtMs, failed });

describe('historyWindow', () => {
  it('runs from the bucket holding now − hours through the bucket holding now, aligned on the epoch', () => {
    const now = Date.UTC(2026, 2, 10, 12, 34, 56, 789);
    expect(historyWindow(now, 24, 60)).toEqual({ fromMs: Date.UTC(2026, 2, 9, 12), toMs: Date.UTC(2026, 2, 10, 13), bucketMs: HOUR_MS, count: 25 });
    // 7-minute buckets do not divide an hour: alignment is on multiples of 7 minutes since 1970.
    const w = historyWindow(now, 1, 7);
    expect([w.fromMs % (7 * 60_000), w.toMs % (7 * 60_000)]).toEqual([0, 0]);
    expect(w.fromMs).toBeLessThanOrEqual(now - HOUR_MS);
    expect(w.fromMs).toBeGreaterThan(now - HOUR_MS - 7 * 60_000);
    expect(w.toMs).toBeGreaterThan(now);
    expect(w.toMs - 7 * 60_000).toBeLessThanOrEqual(now);
    expect(w.count).toBe((w.toMs - w.fromMs) / (7 * 60_000));
  });

  it('counts hours / bucket + 1 buckets when now sits on a boundary, as many as the span touches otherwise', () => {
    const onBoundary = Date.UTC(2026, 0, 1);
    expect(historyWindow(onBoundary, 24, 60)).toMatchObject({ fromMs: onBoundary - 24 * HOUR_MS, toMs: onBoundary + HOUR_MS, count: 25 });
    expect(historyWindow(onBoundary + 1, 2160, 1440).count).toBe(91);
    expect(historyWindow(onBoundary + 1, 1, 1440)).toMatchObject({ fromMs: onBoundary - 86_400_000, count: 2 });
  });

  it('always covers now − hours and now, with whole aligned buckets', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }), fc.integer({ min: 1, max: 2160 }), fc.integer({ min: 1, max: 1440 }), (now, hours, bucketMinutes) => {
        const w = historyWindow(now, hours, bucketMinutes);
        const bucketMs = bucketMinutes * 60_000;
        expect(Number.isInteger(w.count)).toBe(true);
        expect([w.fromMs % bucketMs, w.toMs % bucketMs]).toEqual([0, 0]);
        expect(w.fromMs <= now - hours * HOUR_MS && now - hours * HOUR_MS < w.fromMs + bucketMs).toBe(true);
        expect(w.toMs - bucketMs <= now && now < w.toMs).toBe(true);
      }),
    );
  });
});

describe('bucketByEnd', () => {
  const window = historyWindow(Date.UTC(2026, 2, 10, 3, 30), 3, 60); // 00:00 to 04:00, four buckets

  it('puts a sample in the bucket it ended in: a boundary belongs to the bucket it starts', () => {
    const at = (h: number, ms = 0): number => Date.UTC(2026, 2, 10, h) + ms;
    const buckets = bucketByEnd([sample(at(0)), sample(at(1, -1)), sample(at(1)), sample(at(3, 59 * 60_000)), sample(at(2, 0.4))], window);
    expect(buckets.map((b) => b.map((s) => s.endedAtMs))).toEqual([[at(0), at(1, -1)], [at(1)], [at(2, 0.4)], [at(3, 59 * 60_000)]]);
  });

  it('leaves out samples before the first bucket or from the last one’s end, and keeps empty buckets', () => {
    const buckets = bucketByEnd([sample(window.fromMs - 1), sample(window.toMs), sample(window.fromMs + 2 * HOUR_MS + 5, 7, true)], window);
    expect(buckets).toEqual([[], [], [sample(window.fromMs + 2 * HOUR_MS + 5, 7, true)], []]);
  });

  it('places every sample of the window exactly once, in the bucket whose span holds its end', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: window.fromMs - HOUR_MS, max: window.toMs + HOUR_MS, noNaN: true }), { maxLength: 50 }), (ends) => {
        const buckets = bucketByEnd(ends.map((e) => sample(e)), window);
        expect(buckets).toHaveLength(window.count);
        buckets.forEach((list, i) => {
          for (const s of list) expect(s.endedAtMs >= window.fromMs + i * window.bucketMs && s.endedAtMs < window.fromMs + (i + 1) * window.bucketMs).toBe(true);
        });
        expect(buckets.flat().length).toBe(ends.filter((e) => e >= window.fromMs && e < window.toMs).length);
      }),
    );
  });
});
