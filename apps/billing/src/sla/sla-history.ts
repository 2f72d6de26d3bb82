import type { OperationSample } from './sla-figures';

/** The most buckets one history answers: `hours × 60 / bucketMinutes` may not exceed it. */
export const MAX_HISTORY_BUCKETS = 1000;

/** Buckets of `bucketMs` aligned on the Unix epoch: `[fromMs, toMs)`, `count` of them. */
export interface HistoryWindow {
  readonly fromMs: number;
  readonly toMs: number;
  readonly bucketMs: number;
  readonly count: number;
}

/** From the bucket holding `nowMs − hours` through the bucket holding `nowMs`. */
export function historyWindow(nowMs: number, hours: number, bucketMinutes: number): HistoryWindow {
  const bucketMs = bucketMinutes * 60_000;
  const fromMs = Math.floor((nowMs - hours * 3_600_000) / bucketMs) * bucketMs;
  const toMs = (Math.floor(nowMs / bucketMs) + 1) * bucketMs;
  return { fromMs, toMs, bucketMs, count: (toMs - fromMs) / bucketMs };
}

/** The samples of each bucket of `window`, oldest bucket first, by when they ended; others are left out. */
export function bucketByEnd(samples: readonly OperationSample[], window: HistoryWindow): OperationSample[][] {
  const buckets = Array.from({ length: window.count }, (): OperationSample[] => []);
  for (const s of samples) {
    if (s.endedAtMs < window.fromMs || s.endedAtMs >= window.toMs) continue;
    buckets[Math.floor((s.endedAtMs - window.fromMs) / window.bucketMs)]?.push(s);
  }
  return buckets;
}
