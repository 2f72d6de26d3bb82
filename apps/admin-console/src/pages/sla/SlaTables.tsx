import { Link } from 'react-router';
import type { CapacitySummary, FleetSla, LatencySummary } from '../../api/types';
import { CapacityBar } from '../../components/CapacityBar';
import { Figure } from '../../components/Figure';
import { Money } from '../../components/Money';
import { formatCount, formatGiB, formatMs, formatPercent } from '../../format';

export function LatencyTable({ rows }: { rows: { name: string; summary: LatencySummary }[] }): React.JSX.Element {
  return (
    <table>
      <thead>
        <tr>
          <th>This month</th>
          <th className="num">Count</th>
          <th className="num">p50</th>
          <th className="num">p95</th>
          <th className="num">p99</th>
          <th className="num">p99.9</th>
          <th className="num">Max</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ name, summary }) => (
          <tr key={name}>
            <td>{name}</td>
            <td className="num">{formatCount(summary.count)}</td>
            <td className="num">{formatMs(summary.p50Ms)}</td>
            <td className="num">{formatMs(summary.p95Ms)}</td>
            <td className="num">{formatMs(summary.p99Ms)}</td>
            <td className="num">{formatMs(summary.p999Ms)}</td>
            <td className="num">{formatMs(summary.maxMs)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function TenantCredits({ tenants }: { tenants: FleetSla['tenants'] }): React.JSX.Element {
  return (
    <table data-testid="tenant-credits">
      <thead>
        <tr>
          <th>Tenant</th>
          <th className="num">Time to ready p95</th>
          <th className="num">Hot remove p95</th>
          <th className="num">Uptime</th>
          <th className="num">Credits</th>
        </tr>
      </thead>
      <tbody>
        {tenants.map((tenant) => (
          <tr key={tenant.tenantId}>
            <td>
              <Link to={`/tenants/${encodeURIComponent(tenant.tenantId)}`}>{tenant.tenantId}</Link>
            </td>
            <td className="num">{tenant.timeToReady.count > 0 ? formatMs(tenant.timeToReady.p95Ms) : '—'}</td>
            <td className="num">{tenant.hotRemove.count > 0 ? formatMs(tenant.hotRemove.p95Ms) : '—'}</td>
            <td className="num">{tenant.uptime.uptimePct}%</td>
            <td className="num">
              {tenant.creditsMinor === null || tenant.currency === null ? (
                <span className="muted">—</span>
              ) : (
                <Money amountMinor={tenant.creditsMinor} currency={tenant.currency} />
              )}
            </td>
          </tr>
        ))}
        {tenants.length === 0 && (
          <tr>
            <td colSpan={5} className="muted">
              No tenant activity this month.
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

export function CapacityCard({ capacity }: { capacity: CapacitySummary | null }): React.JSX.Element {
  if (capacity === null) return <p className="muted">Capacity unavailable: billing has no fleet figures.</p>;
  return (
    <section className="card" data-testid="sla-capacity">
      <dl className="figures">
        <Figure label="Capacity">{formatGiB(capacity.capacityGiB)}</Figure>
        <Figure label="Placeable">{formatGiB(capacity.placeableCapacityGiB)}</Figure>
        <Figure label="Utilization">{formatPercent(capacity.utilization)}</Figure>
        <Figure label="Stranded">{formatGiB(capacity.strandedGiB)}</Figure>
        <Figure label="Fragmentation">{formatPercent(capacity.fragmentation)}</Figure>
      </dl>
      <CapacityBar capacityGiB={capacity.capacityGiB} usedGiB={capacity.usedGiB} freeGiB={capacity.freeGiB} strandedGiB={capacity.strandedGiB} showLegend />
    </section>
  );
}
