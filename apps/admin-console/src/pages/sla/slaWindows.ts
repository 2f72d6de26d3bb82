import type { LatencySummary, SlaHistory } from '../../api/types';
import { formatBucketStart } from '../../format';

export interface SlaWindow {
  id: '24h' | '7d' | '30d';
  label: string;
  hours: number;
  bucketMinutes: number;
}

// About 24-30 points per chart whatever the window.
export const slaWindows: readonly SlaWindow[] = [
  { id: '24h', label: '24 h', hours: 24, bucketMinutes: 60 },
  { id: '7d', label: '7 d', hours: 168, bucketMinutes: 360 },
  { id: '30d', label: '30 d', hours: 720, bucketMinutes: 1440 },
];

export interface LatencyPoint {
  label: string;
  count: number;
  /** null where the bucket saw nothing: a gap in the line, not a fake zero. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export function latencyPoints(history: SlaHistory, metric: 'timeToReady' | 'hotRemove'): LatencyPoint[] {
  const withDate = history.bucketMinutes >= 360;
  return history.buckets.map((bucket) => {
    const summary: LatencySummary = bucket[metric];
    const seen = summary.count > 0;
    return {
      label: formatBucketStart(bucket.start, withDate),
      count: summary.count,
      p50: seen ? summary.p50Ms : null,
      p95: seen ? summary.p95Ms : null,
      p99: seen ? summary.p99Ms : null,
    };
  });
}
