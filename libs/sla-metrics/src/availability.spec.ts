/// <reference types="jest" />
import fc from 'fast-check';
import {
  AvailabilityError,
  availability,
  downtimeMs,
  mergeIntervals,
  monthWindowUtc,
  monthlyUptime,
} from './availability';
import type { DowntimeInterval } from './availability';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof AvailabilityError) return error.code;
    throw error;
  }
  return undefined;
}

// Small integer timelines, so a brute-force "which ms are down" count is cheap.
const interval = fc
  .tuple(fc.integer({ min: -20, max: 220 }), fc.integer({ min: 0, max: 60 }))
  .map(([startMs, lengthMs]): DowntimeInterval => ({ startMs, endMs: startMs + lengthMs }));

function bruteForceDownMs(intervals: readonly DowntimeInterval[], fromMs: number, toMs: number) {
  let count = 0;
  for (let ms = fromMs; ms < toMs; ms++) {
    if (intervals.some(({ startMs, endMs }) => startMs <= ms && ms < endMs)) count++;
  }
  return count;
}

describe('mergeIntervals', () => {
  it('merges overlapping and touching intervals, drops empty ones and sorts', () => {
    const input = [
      { startMs: 50, endMs: 60 },
      { startMs: 10, endMs: 20 },
      { startMs: 15, endMs: 30 },
      { startMs: 30, endMs: 35 },
      { startMs: 40, endMs: 40 },
      { startMs: 55, endMs: 58 },
    ];
    const copy = structuredClone(input);
    expect(mergeIntervals(input)).toEqual([
      { startMs: 10, endMs: 35 },
      { startMs: 50, endMs: 60 },
    ]);
    expect(input).toEqual(copy);
  });

  it('keeps a 1 ms gap as a gap', () => {
    expect(mergeIntervals([{ startMs: 0, endMs: 5 }, { startMs: 6, endMs: 9 }])).toHaveLength(2);
  });

  it.each([
    [{ startMs: 10, endMs: 9 }],
    [{ startMs: Number.NaN, endMs: 9 }],
    [{ startMs: 0, endMs: Number.POSITIVE_INFINITY }],
    [{ startMs: 0.5, endMs: 9 }],
  ])('rejects %p', (bad) => {
    expect(codeOf(() => mergeIntervals([bad]))).toBe('invalid-interval');
  });

  it('returns sorted, disjoint, non-touching intervals covering the same milliseconds', () => {
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 12 }), (intervals) => {
        const merged = mergeIntervals(intervals);
        merged.forEach(({ startMs, endMs }, i) => {
          expect(endMs).toBeGreaterThan(startMs);
          const next = merged[i + 1];
          if (next !== undefined) expect(next.startMs).toBeGreaterThan(endMs);
        });
        const coverage = (list: readonly DowntimeInterval[]) =>
          Array.from({ length: 320 }, (_, i) =>
            list.some(({ startMs, endMs }) => startMs <= i - 25 && i - 25 < endMs),
          );
        expect(coverage(merged)).toEqual(coverage(intervals));
      }),
    );
  });
});

describe('downtimeMs and availability', () => {
  const window = { startMs: 0, endMs: 200 };

  it('counts overlapping downtime once and clips to the window', () => {
    const intervals = [
      { startMs: -50, endMs: 10 }, // 10 ms inside
      { startMs: 5, endMs: 30 }, // overlaps the first: 20 more
      { startMs: 190, endMs: 400 }, // 10 ms inside
      { startMs: -100, endMs: 0 }, // ends where the window starts
      { startMs: 200, endMs: 300 }, // starts where the window ends
    ];
    expect(downtimeMs(intervals, window)).toBe(40);
    expect(availability(intervals, window)).toBe(0.8);
  });

  it('is 1 with no downtime and 0 when the whole window is down', () => {
    expect(availability([], window)).toBe(1);
    expect(availability([{ startMs: -1, endMs: 201 }], window)).toBe(0);
  });

  it.each([
    [{ startMs: 5, endMs: 5 }],
    [{ startMs: 5, endMs: 4 }],
    [{ startMs: 0, endMs: 1.5 }],
  ])('rejects the window %p', (badWindow) => {
    expect(codeOf(() => availability([], badWindow))).toBe('invalid-window');
  });

  it('rejects a backwards interval even when it lies outside the window', () => {
    expect(codeOf(() => downtimeMs([{ startMs: 900, endMs: 800 }], window))).toBe(
      'invalid-interval',
    );
  });

  it('equals a brute-force count of down milliseconds, in any order', () => {
    fc.assert(
      fc.property(
        fc.array(interval, { maxLength: 12 }),
        fc.integer({ min: -10, max: 150 }),
        fc.integer({ min: 1, max: 120 }),
        (intervals, fromMs, lengthMs) => {
          const measured = { startMs: fromMs, endMs: fromMs + lengthMs };
          const expected = bruteForceDownMs(intervals, measured.startMs, measured.endMs);
          expect(downtimeMs(intervals, measured)).toBe(expected);
          expect(downtimeMs([...intervals].reverse(), measured)).toBe(expected);
          const fraction = availability(intervals, measured);
          expect(fraction).toBeGreaterThanOrEqual(0);
          expect(fraction).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});

describe('monthWindowUtc', () => {
  it.each([
    [2024, 2, 29],
    [2023, 2, 28],
    [2000, 2, 29],
    [2100, 2, 28],
    [2025, 4, 30],
    [2025, 12, 31],
  ])('%i-%i has %i days', (year, month, days) => {
    const { startMs, endMs } = monthWindowUtc(year, month);
    expect(endMs - startMs).toBe(days * DAY_MS);
  });

  it('starts at midnight UTC on the 1st and ends where the next month starts', () => {
    expect(monthWindowUtc(2025, 12)).toEqual({
      startMs: Date.parse('2025-12-01T00:00:00Z'),
      endMs: Date.parse('2026-01-01T00:00:00Z'),
    });
  });

  it.each([
    [2025, 0],
    [2025, 13],
    [2025, 1.5],
    [99, 1],
    [1969, 12],
    [2025.5, 1],
  ])('rejects %p-%p', (year, month) => {
    expect(codeOf(() => monthWindowUtc(year, month))).toBe('invalid-month');
  });
});

describe('monthlyUptime', () => {
  it('is 100% with no downtime', () => {
    expect(monthlyUptime([], 2025, 6)).toEqual({
      windowMs: 30 * DAY_MS,
      downtimeMs: 0,
      uptimeFraction: 1,
      uptimePct: 100,
    });
  });

  it('is 0% when the whole month is down', () => {
    const { startMs, endMs } = monthWindowUtc(2025, 1);
    const result = monthlyUptime([{ startMs: startMs - DAY_MS, endMs: endMs + DAY_MS }], 2025, 1);
    expect(result).toEqual({
      windowMs: 31 * DAY_MS,
      downtimeMs: 31 * DAY_MS,
      uptimeFraction: 0,
      uptimePct: 0,
    });
  });

  it('uses 29 days for February 2024 and 28 for February 2023', () => {
    const day = (iso: string) => Date.parse(iso);
    const oneDayDown = (year: number) => [
      { startMs: day(`${year}-02-10T00:00:00Z`), endMs: day(`${year}-02-11T00:00:00Z`) },
    ];
    expect(monthlyUptime(oneDayDown(2024), 2024, 2).uptimeFraction).toBe(28 / 29);
    expect(monthlyUptime(oneDayDown(2023), 2023, 2).uptimeFraction).toBe(27 / 28);
  });

  it('splits downtime spanning two months between them', () => {
    const outage = {
      startMs: Date.parse('2024-01-31T23:00:00Z'),
      endMs: Date.parse('2024-02-01T01:30:00Z'),
    };
    expect(monthlyUptime([outage], 2024, 1).downtimeMs).toBe(HOUR_MS);
    expect(monthlyUptime([outage], 2024, 2).downtimeMs).toBe(1.5 * HOUR_MS);
    expect(monthlyUptime([outage], 2024, 3).downtimeMs).toBe(0);
  });

  it('reports exactly 99.99% for 0.01% of a 30-day month down', () => {
    const { startMs } = monthWindowUtc(2025, 9);
    const result = monthlyUptime([{ startMs, endMs: startMs + 259_200 }], 2025, 9);
    expect(result.downtimeMs).toBe(259_200);
    expect(result.uptimePct).toBe(99.99);
  });

  it('adds up across consecutive months to the downtime of the whole span', () => {
    const yearStartMs = Date.UTC(2024, 0, 1);
    const yearMs = Date.UTC(2025, 0, 1) - yearStartMs;
    const outage = fc
      .tuple(fc.integer({ min: -DAY_MS, max: yearMs }), fc.integer({ min: 0, max: 40 * DAY_MS }))
      .map(([offsetMs, lengthMs]) => ({
        startMs: yearStartMs + offsetMs,
        endMs: yearStartMs + offsetMs + lengthMs,
      }));
    fc.assert(
      fc.property(fc.array(outage, { maxLength: 6 }), (outages) => {
        let monthsTotalMs = 0;
        for (let month = 1; month <= 12; month++) {
          monthsTotalMs += monthlyUptime(outages, 2024, month).downtimeMs;
        }
        const wholeYear = { startMs: yearStartMs, endMs: yearStartMs + yearMs };
        expect(monthsTotalMs).toBe(downtimeMs(outages, wholeYear));
      }),
      { numRuns: 100 },
    );
  });
});
