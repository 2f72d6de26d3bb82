import type { Processor, WorkerOptions } from 'bullmq';
import { Worker } from 'bullmq';

/**
 * BullMQ workers on one queue that share `concurrency` between `lanes` of them. A BullMQ worker
 * moves waiting jobs to active one after another until its slots are full, and starts none of
 * them before that: with 256 slots, a burst of jobs waited for every other job's fetch (the
 * first hot-add of a 200-expansion burst began about 100 ms after it was queued). Lanes fetch
 * side by side, and each starts its jobs after a few fetches.
 */
export function workerLanes(name: string, processor: Processor, options: WorkerOptions & { readonly concurrency: number }, lanes: number): Worker[] {
  const count = Math.max(1, Math.min(lanes, options.concurrency));
  // The first lanes take one slot more where the slots do not divide evenly.
  return Array.from({ length: count }, (_, i) => {
    const slots = Math.floor(options.concurrency / count) + (i < options.concurrency % count ? 1 : 0);
    return new Worker(name, processor, { ...options, concurrency: slots });
  });
}
