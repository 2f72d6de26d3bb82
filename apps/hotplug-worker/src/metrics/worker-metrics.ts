import type { Queue } from 'bullmq';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

const STEP_BUCKETS = [0.001, 0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** The worker's Prometheus metrics (base units, no tenant labels: DESIGN §8). */
export class WorkerMetrics {
  private readonly steps: Histogram<'saga' | 'step'>;
  private readonly sagas: Histogram<'saga' | 'outcome'>;
  private readonly leaseWaits: Histogram<'saga'>;
  private readonly retries: Counter<'saga' | 'step' | 'code'>;
  private readonly failures: Counter<'saga' | 'step' | 'reason'>;
  private readonly watched: Queue[] = [];

  constructor(registry: Registry) {
    this.steps = new Histogram({ name: 'mxs_hotplug_step_duration_seconds', help: 'Time of each saga step, retries included', labelNames: ['saga', 'step'], buckets: STEP_BUCKETS, registers: [registry] });
    this.sagas = new Histogram({ name: 'mxs_hotplug_saga_duration_seconds', help: 'Time of a whole saga run, from its first step to its end', labelNames: ['saga', 'outcome'], buckets: STEP_BUCKETS, registers: [registry] });
    this.leaseWaits = new Histogram({
      name: 'mxs_hotplug_lease_wait_seconds',
      help: 'Time from a hotplug job\'s queueing to its saga holding the host\'s lease: the fetch, and the wait for a busy host or a retry',
      labelNames: ['saga'],
      buckets: STEP_BUCKETS,
      registers: [registry],
    });
    this.retries = new Counter({ name: 'mxs_hotplug_retries_total', help: 'Transient failures retried, by the agent error code', labelNames: ['saga', 'step', 'code'], registers: [registry] });
    this.failures = new Counter({ name: 'mxs_hotplug_failures_total', help: 'Sagas that failed for good and ran their compensation', labelNames: ['saga', 'step', 'reason'], registers: [registry] });
    const watched = this.watched;
    new Gauge({
      name: 'mxs_queue_jobs',
      help: 'Jobs on each queue, by BullMQ state',
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        for (const queue of watched) {
          const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized').catch(() => null);
          if (counts === null) continue;
          for (const [state, n] of Object.entries(counts)) this.set({ queue: queue.name, state }, n);
        }
      },
    });
  }

  watchQueue(queue: Queue): void {
    this.watched.push(queue);
  }

  stepDone(saga: string, step: string, seconds: number): void {
    this.steps.observe({ saga, step }, seconds);
  }

  sagaDone(saga: string, outcome: string, seconds: number): void {
    this.sagas.observe({ saga, outcome }, seconds);
  }

  /** A run took the host's lease `seconds` after its job was queued (every run that takes it). */
  leaseTaken(saga: string, seconds: number): void {
    this.leaseWaits.observe({ saga }, seconds);
  }

  retried(saga: string, step: string, code: string): void {
    this.retries.inc({ saga, step, code });
  }

  failed(saga: string, step: string, reason: string): void {
    this.failures.inc({ saga, step, reason });
  }
}
