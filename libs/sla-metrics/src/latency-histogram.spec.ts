/// <reference types="jest" />
import fc from 'fast-check';
import {
  LATENCY_MAX_MS,
  LATENCY_MIN_MS,
  LatencyHistogram,
  LatencyHistogramError,
} from './latency-histogram';

function histogramOf(durationsMs: readonly number[]): LatencyHistogram {
  const histogram = new LatencyHistogram();
  for (const durationMs of durationsMs) histogram.record(durationMs);
  return histogram;
}

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof LatencyHistogramError) return error.code;
    throw error;
  }
  return undefined;
}

/** Nearest rank on the sorted data, with the rank in exact integer arithmetic. */
function exactPercentileMs(durationsMs: readonly number[], perHundredThousand: number): number {
  const sorted = [...durationsMs].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((perHundredThousand * sorted.length) / 100_000));
  return sorted[rank - 1] ?? Number.NaN;
}

// 3 significant digits: 0.1% of the value, plus 1 µs for rounding to whole microseconds.
const withinHdrError = (actualMs: number, exactMs: number): boolean =>
  Math.abs(actualMs - exactMs) <= exactMs * 0.001 + 0.001;

const durationMs = fc.oneof(
  fc.double({ min: 0, max: LATENCY_MAX_MS, noNaN: true }),
  fc.integer({ min: 0, max: 10_000_000 }).map((us) => us / 1000),
);

describe('LatencyHistogram', () => {
  it('reports all zeros when nothing was recorded', () => {
    const histogram = new LatencyHistogram();
    expect(histogram.count).toBe(0);
    expect(histogram.percentileMs(99)).toBe(0);
    expect(histogram.summary()).toEqual({
      count: 0,
      minMs: 0,
      maxMs: 0,
      meanMs: 0,
      p50Ms: 0,
      p95Ms: 0,
      p99Ms: 0,
      p999Ms: 0,
    });
  });

  it('reports a single recording exactly at every percentile', () => {
    const summary = histogramOf([12.345]).summary();
    expect(summary).toEqual({
      count: 1,
      minMs: 12.345,
      maxMs: 12.345,
      meanMs: 12.345,
      p50Ms: 12.345,
      p95Ms: 12.345,
      p99Ms: 12.345,
      p999Ms: 12.345,
    });
  });

  it('summarises 1..1000 ms within 0.1%, with exact min, max and mean', () => {
    const durationsMs = Array.from({ length: 1000 }, (_, i) => i + 1);
    const summary = histogramOf(durationsMs).summary();
    expect(summary.count).toBe(1000);
    expect(summary.minMs).toBe(1);
    expect(summary.maxMs).toBe(1000);
    expect(summary.meanMs).toBe(500.5);
    expect(withinHdrError(summary.p50Ms, 500)).toBe(true);
    expect(withinHdrError(summary.p95Ms, 950)).toBe(true);
    expect(withinHdrError(summary.p99Ms, 990)).toBe(true);
    expect(withinHdrError(summary.p999Ms, 999)).toBe(true);
    expect(summary.p99Ms).toBeLessThan(summary.p999Ms);
  });

  it('keeps fractional milliseconds to the microsecond', () => {
    const histogram = histogramOf([0.25, 0.0014, 1.5]);
    expect(histogram.summary().minMs).toBe(0.001);
    expect(histogram.percentileMs(0)).toBe(0.001);
    expect(histogram.percentileMs(100)).toBe(1.5);
    expect(histogram.summary().meanMs).toBeCloseTo((0.25 + 0.001 + 1.5) / 3, 12);
  });

  it('clamps recordings to 1 µs .. 1 hour', () => {
    const histogram = histogramOf([0, 0.0001, 5 * LATENCY_MAX_MS, Number.MAX_VALUE]);
    const summary = histogram.summary();
    expect(summary.count).toBe(4);
    expect(summary.minMs).toBe(LATENCY_MIN_MS);
    expect(summary.maxMs).toBe(LATENCY_MAX_MS);
    expect(summary.p50Ms).toBe(LATENCY_MIN_MS);
    expect(summary.p99Ms).toBe(LATENCY_MAX_MS);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0.001, -5])(
    'rejects the duration %p and records nothing',
    (badMs) => {
      const histogram = histogramOf([3]);
      expect(codeOf(() => histogram.record(badMs))).toBe('invalid-duration');
      expect(histogram.count).toBe(1);
      expect(() => histogram.record(badMs)).toThrow(/durationMs must be a finite number >= 0/);
    },
  );

  it.each([-1, 100.0001, Number.NaN, Number.POSITIVE_INFINITY])(
    'rejects the percentile %p',
    (badPercentile) => {
      const histogram = histogramOf([3]);
      expect(codeOf(() => histogram.percentileMs(badPercentile))).toBe('invalid-percentile');
    },
  );

  it('matches an exact sort-based percentile within 0.1% + 1 µs', () => {
    fc.assert(
      fc.property(
        fc.array(durationMs, { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 0, max: 100_000 }),
        (durationsMs, perHundredThousand) => {
          const actualMs = histogramOf(durationsMs).percentileMs(perHundredThousand / 1000);
          const exactMs = exactPercentileMs(durationsMs, perHundredThousand);
          expect(withinHdrError(actualMs, exactMs)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps percentiles within the recorded min and max, never decreasing with p', () => {
    fc.assert(
      fc.property(
        fc.array(durationMs, { minLength: 1, maxLength: 200 }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (durationsMs, p, q) => {
          const histogram = histogramOf(durationsMs);
          const { minMs, maxMs } = histogram.summary();
          const [lowP, highP] = p <= q ? [p, q] : [q, p];
          const lowMs = histogram.percentileMs(lowP);
          const highMs = histogram.percentileMs(highP);
          expect(lowMs).toBeGreaterThanOrEqual(minMs);
          expect(highMs).toBeLessThanOrEqual(maxMs);
          expect(lowMs).toBeLessThanOrEqual(highMs);
        },
      ),
    );
  });

  it('merges to the same summary as recording everything in one histogram', () => {
    fc.assert(
      fc.property(
        fc.array(durationMs, { maxLength: 150 }),
        fc.array(durationMs, { maxLength: 150 }),
        (leftMs, rightMs) => {
          const left = histogramOf(leftMs);
          const right = histogramOf(rightMs);
          const rightBefore = right.summary();
          expect(left.merge(right)).toBe(left);
          const merged = left.summary();
          const together = histogramOf([...leftMs, ...rightMs]).summary();
          expect(right.summary()).toEqual(rightBefore);
          expect({ ...merged, meanMs: 0 }).toEqual({ ...together, meanMs: 0 });
          expect(merged.meanMs).toBeCloseTo(together.meanMs, 6);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('doubles every count when merged with itself', () => {
    const histogram = histogramOf([1, 2, 3, 4]);
    histogram.merge(histogram);
    expect(histogram.count).toBe(8);
    expect(histogram.summary().meanMs).toBe(2.5);
    expect(histogram.percentileMs(25)).toBe(1);
  });
});
