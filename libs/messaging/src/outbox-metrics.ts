import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

type Backlog = () => Promise<{ pending: number; oldestAgeSeconds: number }>;

/**
 * The relay's metrics. Registered once per registry: every process that relays (API replicas,
 * workers) exposes the same series, whatever module created the relay first.
 */
export class OutboxMetrics {
  private static readonly byRegistry = new WeakMap<Registry, OutboxMetrics>();
  private readonly relayedJobs: Counter;
  private lastBacklog: Promise<{ pending: number; oldestAgeSeconds: number }> | null = null;

  static on(registry: Registry, backlog: Backlog): OutboxMetrics {
    let metrics = OutboxMetrics.byRegistry.get(registry);
    if (metrics === undefined) {
      metrics = new OutboxMetrics(registry, backlog);
      OutboxMetrics.byRegistry.set(registry, metrics);
    }
    return metrics;
  }

  private constructor(registry: Registry, backlog: Backlog) {
    this.relayedJobs = new Counter({ name: 'mxs_outbox_relayed_total', help: 'Outbox rows put on their queue', registers: [registry] });
    const pending = (): Promise<{ pending: number; oldestAgeSeconds: number }> => {
      // Both gauges are read in one scrape: one query serves them.
      this.lastBacklog ??= backlog().finally(() => {
        setImmediate(() => (this.lastBacklog = null));
      });
      return this.lastBacklog;
    };
    new Gauge({
      name: 'mxs_outbox_pending',
      help: 'Outbox rows committed but not yet on their queue',
      registers: [registry],
      async collect() {
        this.set((await pending()).pending);
      },
    });
    new Gauge({
      name: 'mxs_outbox_lag_seconds',
      help: 'Age of the oldest outbox row not yet on its queue (0 when none)',
      registers: [registry],
      async collect() {
        this.set((await pending()).oldestAgeSeconds);
      },
    });
  }

  relayed(count: number): void {
    if (count > 0) this.relayedJobs.inc(count);
  }
}
