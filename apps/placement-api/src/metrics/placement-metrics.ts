import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';

/** The placement API's own Prometheus metrics (base units, no tenant labels: DESIGN §8). */
export class PlacementMetrics {
  private readonly placements: Counter<'tier'>;
  private readonly placedBytes: Counter<'tier'>;
  private readonly rejections: Counter<'reason'>;
  private readonly conflicts: Counter;

  constructor(registry: Registry) {
    this.placements = new Counter({ name: 'mxs_placements_total', help: 'Expansions placed, by the tier they landed on', labelNames: ['tier'], registers: [registry] });
    this.placedBytes = new Counter({ name: 'mxs_placed_bytes_total', help: 'Capacity granted by placements', labelNames: ['tier'], registers: [registry] });
    this.rejections = new Counter({ name: 'mxs_placement_rejections_total', help: 'Placement requests the engine turned down, by reason', labelNames: ['reason'], registers: [registry] });
    this.conflicts = new Counter({ name: 'mxs_placement_conflicts_total', help: 'Decisions the database refused (another replica took the space first) and re-planned', registers: [registry] });
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
}
