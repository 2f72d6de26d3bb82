/** Every way the availability maths refuses an input, as a stable code. */
export type AvailabilityErrorCode = 'invalid-interval' | 'invalid-window' | 'invalid-month';

export class AvailabilityError extends Error {
  override readonly name = 'AvailabilityError';

  constructor(
    readonly code: AvailabilityErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A stretch of downtime, half-open `[startMs, endMs)` in epoch milliseconds. */
export interface DowntimeInterval {
  readonly startMs: number;
  readonly endMs: number;
}

/** The period availability is measured over, half-open `[startMs, endMs)`, non-empty. */
export interface MeasurementWindow {
  readonly startMs: number;
  readonly endMs: number;
}

export interface MonthlyUptime {
  readonly windowMs: number;
  readonly downtimeMs: number;
  readonly uptimeFraction: number;
  readonly uptimePct: number;
}

function assertInterval(interval: DowntimeInterval): void {
  const { startMs, endMs } = interval;
  // Whole milliseconds, so downtime totals stay exact integers for the credit-tier comparison.
  if (!Number.isSafeInteger(startMs) || !Number.isSafeInteger(endMs) || endMs < startMs) {
    throw new AvailabilityError(
      'invalid-interval',
      `interval must be whole epoch ms with startMs <= endMs, got [${startMs}, ${endMs})`,
    );
  }
}

function assertWindow(window: MeasurementWindow): void {
  const { startMs, endMs } = window;
  if (!Number.isSafeInteger(startMs) || !Number.isSafeInteger(endMs) || endMs <= startMs) {
    throw new AvailabilityError(
      'invalid-window',
      `window must be whole epoch ms with startMs < endMs, got [${startMs}, ${endMs})`,
    );
  }
}

/**
 * Sorted, disjoint, non-empty intervals covering exactly the same milliseconds as `intervals`;
 * touching intervals (`[a, b)` and `[b, c)`) become one. The input is not modified.
 */
export function mergeIntervals(intervals: readonly DowntimeInterval[]): DowntimeInterval[] {
  intervals.forEach(assertInterval);
  const sorted = intervals
    .filter(({ startMs, endMs }) => endMs > startMs)
    .sort((a, b) => a.startMs - b.startMs);
  const merged: DowntimeInterval[] = [];
  for (const { startMs, endMs } of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && startMs <= last.endMs) {
      merged[merged.length - 1] = { startMs: last.startMs, endMs: Math.max(last.endMs, endMs) };
    } else {
      merged.push({ startMs, endMs });
    }
  }
  return merged;
}

/** Milliseconds of `window` covered by at least one interval: overlaps count once. */
export function downtimeMs(
  intervals: readonly DowntimeInterval[],
  window: MeasurementWindow,
): number {
  assertWindow(window);
  intervals.forEach(assertInterval);
  const clip = (ms: number): number => Math.min(Math.max(ms, window.startMs), window.endMs);
  const clipped = intervals.map(({ startMs, endMs }) => ({
    startMs: clip(startMs),
    endMs: clip(endMs),
  }));
  return mergeIntervals(clipped).reduce((total, { startMs, endMs }) => total + endMs - startMs, 0);
}

/** Fraction of `window` not covered by downtime, in [0, 1]. */
export function availability(
  intervals: readonly DowntimeInterval[],
  window: MeasurementWindow,
): number {
  const windowMs = window.endMs - window.startMs;
  return (windowMs - downtimeMs(intervals, window)) / windowMs;
}

/** The calendar month `[first ms of the month, first ms of the next)` in UTC. */
export function monthWindowUtc(year: number, month1to12: number): MeasurementWindow {
  // Date.UTC reads years 0..99 as 1900..1999, so those are refused rather than misread.
  if (!Number.isInteger(year) || year < 1970 || year > 9999) {
    throw new AvailabilityError(
      'invalid-month',
      `year must be an integer in 1970..9999, got ${year}`,
    );
  }
  if (!Number.isInteger(month1to12) || month1to12 < 1 || month1to12 > 12) {
    throw new AvailabilityError(
      'invalid-month',
      `month must be an integer in 1..12, got ${month1to12}`,
    );
  }
  return { startMs: Date.UTC(year, month1to12 - 1, 1), endMs: Date.UTC(year, month1to12, 1) };
}

/** Uptime over one UTC calendar month; downtime outside the month is ignored. */
export function monthlyUptime(
  intervals: readonly DowntimeInterval[],
  year: number,
  month1to12: number,
): MonthlyUptime {
  const window = monthWindowUtc(year, month1to12);
  const windowMs = window.endMs - window.startMs;
  const monthDowntimeMs = downtimeMs(intervals, window);
  const uptimeFraction = (windowMs - monthDowntimeMs) / windowMs;
  return {
    windowMs,
    downtimeMs: monthDowntimeMs,
    uptimeFraction,
    uptimePct: ((windowMs - monthDowntimeMs) * 100) / windowMs,
  };
}
