import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

type Backlog = () => Promise<{ pending: number; oldestAgeSeconds: number }>;

/** The placement API's own Prometheus metrics (base units, no tenant labels: DESIGN §8). */
export class PlacementMetrics {
  private readonly placements: Counter<'tier'>;
  private readonly placedBytes: Counter<'tier'>;
  private readonly rejections: Counter<'reason'>;
  private readonly conflicts: Counter;
  private readonly relayedJobs: Counter;
  private backlog: Backlog | null = null;
  private lastBacklog: Promise<{ pending: number; oldestAgeSeconds: number }> | null = null;

  constructor(registry: Registry) {
    this.placements = new Counter({ name: 'mxs_placements_total', help: 'Expansions placed, by the tier they landed on', labelNames: ['tier'], registers: [registry] });
    this.placedBytes = new Counter({ name: 'mxs_placed_bytes_total', help: 'Capacity granted by placements', labelNames: ['tier'], registers: [registry] });
    this.rejections = new Counter({ name: 'mxs_placement_rejections_total', help: 'Placement requests the engine turned down, by reason', labelNames: ['reason'], registers: [registry] });
    this.conflicts = new Counter({ name: 'mxs_placement_conflicts_total', help: 'Decisions the database refused (another replica took the space first) and re-planned', registers: [registry] });
    this.relayedJobs = new Counter({ name: 'mxs_outbox_relayed_total', help: 'Outbox rows put on their queue', registers: [registry] });
    const pending = (): Promise<{ pending: number; oldestAgeSeconds: number }> => {
      // Both gauges are read in one scrape: one query serves them.
      this.lastBacklog ??= (this.backlog?.() ?? Promise.resolve({ pending: 0, oldestAgeSeconds: 0 })).finally(() => {
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

  watchOutbox(backlog: Backlog): void {
    this.backlog = backlog;
  }

  placed(tier: 'direct' | 'pooled', sizeGiB: number): void {
    this.placements.inc({ tier });
    this.placedBytes.inc({ tier }, sizeGiB * 2 ** 30);
  }

  rejected(reason: string): void {
    this.rejections.inc({ reason });
  }

  conflict(): void {
    this.conflicts.inc();
  }

  relayed(count: number): void {
    if (count > 0) this.relayedJobs.inc(count);
  }
}
