import type { Fleet } from '../../api/types';
import { CapacityBar } from '../../components/CapacityBar';
import { Figure } from '../../components/Figure';
import { formatGiB, formatPercent } from '../../format';

export function FleetTotals({ fleet }: { fleet: Fleet }): React.JSX.Element {
  const { totals, devices } = fleet;
  const unhealthy = devices.filter((device) => device.health !== 'healthy').length;
  return (
    <section className="card" data-testid="fleet-totals" aria-label="Fleet totals">
      <dl className="figures">
        <Figure label="Capacity">{formatGiB(totals.capacityGiB)}</Figure>
        <Figure label="Used">{formatGiB(totals.usedGiB)}</Figure>
        <Figure label="Free">{formatGiB(totals.freeGiB)}</Figure>
        <Figure label="Utilization">{formatPercent(totals.utilization)}</Figure>
        <Figure label="Stranded">{formatGiB(totals.strandedGiB)}</Figure>
        <Figure label="Fragmentation">{formatPercent(totals.fragmentation)}</Figure>
        <Figure label="Devices">
          {devices.length}
          {unhealthy > 0 && <span className="muted"> ({unhealthy} not healthy)</span>}
        </Figure>
      </dl>
      <CapacityBar capacityGiB={totals.capacityGiB} usedGiB={totals.usedGiB} freeGiB={totals.freeGiB} strandedGiB={totals.strandedGiB} showLegend />
    </section>
  );
}
