import { Link } from 'react-router';
import type { AdminExpansion, AdminExpansionDetail } from '../../api/types';
import { ConfirmAction } from '../../components/ConfirmAction';
import { Figure } from '../../components/Figure';
import { StateBadge } from '../../components/StateBadge';
import { formatGiB, formatTimestamp } from '../../format';
import { SagaView } from './SagaView';
import { StateTimeline } from './StateTimeline';

interface ExpansionViewProps {
  expansion: AdminExpansionDetail;
  onForceRelease: () => Promise<AdminExpansion>;
  onChanged: () => Promise<void>;
}

/** Force release is for memory in use: an expansion still attaching or already going has its saga running. */
export function canForceRelease(expansion: Pick<AdminExpansion, 'state'>): boolean {
  return expansion.state === 'active' || expansion.state === 'degraded';
}

export function ExpansionView({ expansion, onForceRelease, onChanged }: ExpansionViewProps): React.JSX.Element {
  const forceRelease = async (): Promise<string> => {
    const released = await onForceRelease();
    return `Force release started: ${released.id} is ${released.state}.`;
  };
  return (
    <>
      <section className="card">
        <dl className="figures">
          <Figure label="State">
            <span data-testid="expansion-state">
              <StateBadge state={expansion.state} />
            </span>
            {expansion.reason !== null && <span className="muted"> {expansion.reason}</span>}
          </Figure>
          <Figure label="Tenant">
            <Link to={`/tenants/${encodeURIComponent(expansion.tenantId)}`}>{expansion.tenantId}</Link>
          </Figure>
          <Figure label="VM">{expansion.vmId}</Figure>
          <Figure label="Host">{expansion.hostId}</Figure>
          <Figure label="Size">{formatGiB(expansion.sizeGiB)}</Figure>
          <Figure label="Tier">
            {expansion.tier}
            {expansion.placedTier !== null && ` (placed ${expansion.placedTier})`}
          </Figure>
          <Figure label="Layout">
            {expansion.layout}
            {expansion.interleaveWays !== null && ` ×${expansion.interleaveWays}`}
          </Figure>
          <Figure label="Max added latency">{expansion.maxAddedLatencyNs === null ? 'any' : `${expansion.maxAddedLatencyNs} ns`}</Figure>
          <Figure label="Created">{formatTimestamp(expansion.createdAt)}</Figure>
          <Figure label="Updated">{formatTimestamp(expansion.updatedAt)}</Figure>
        </dl>
        {canForceRelease(expansion) && (
          <div className="actions">
            <ConfirmAction
              label="Force release"
              title={`Force release ${expansion.id}?`}
              description={`The ${formatGiB(expansion.sizeGiB)} are taken from VM ${expansion.vmId} on host ${expansion.hostId} without waiting for the guest to give them up, and the extents are freed. Anything the VM still keeps there is lost.`}
              action={forceRelease}
              onDone={onChanged}
              danger
            />
          </div>
        )}
      </section>

      <h2>Extents</h2>
      <table>
        <thead>
          <tr>
            <th>Device</th>
            <th className="num">Offset</th>
            <th className="num">Size</th>
          </tr>
        </thead>
        <tbody>
          {expansion.extents.map((extent) => (
            <tr key={`${extent.deviceId}@${extent.offsetGiB}`}>
              <td>
                <Link to={`/devices/${encodeURIComponent(extent.deviceId)}`}>{extent.deviceId}</Link>
              </td>
              <td className="num">{formatGiB(extent.offsetGiB)}</td>
              <td className="num">{formatGiB(extent.sizeGiB)}</td>
            </tr>
          ))}
          {expansion.extents.length === 0 && (
            <tr>
              <td colSpan={3} className="muted">
                No extents.
              </td>
            </tr>
          )}
        </tbody>
      </table>

      <h2>State changes</h2>
      <StateTimeline timeline={expansion.timeline} />

      <h2>Sagas</h2>
      {expansion.operations.map((operation) => (
        <SagaView key={operation.id} operation={operation} />
      ))}
      {expansion.operations.length === 0 && <p className="muted">No saga has run for it yet.</p>}
    </>
  );
}
