import { Link } from 'react-router';
import type { DeviceDetail, Fault } from '../../api/types';
import { CapacityBar } from '../../components/CapacityBar';
import { Figure } from '../../components/Figure';
import { StateBadge } from '../../components/StateBadge';
import { formatGiB, formatPercent, formatTimestamp } from '../../format';
import { attachmentText } from '../fleet/DeviceTile';
import type { SetDeviceHealth } from './DeviceActions';
import { DeviceActions } from './DeviceActions';
import { ExtentMap } from './ExtentMap';
import { ExtentTable } from './ExtentTable';

interface DeviceViewProps {
  device: DeviceDetail;
  onSetHealth: SetDeviceHealth;
  onFault: (fault: Fault) => Promise<{ seq: number }>;
  onChanged: () => Promise<void>;
}

export function DeviceView({ device, onSetHealth, onFault, onChanged }: DeviceViewProps): React.JSX.Element {
  return (
    <>
      <section className="card">
        <dl className="figures">
          <Figure label="Health">
            <span data-testid="device-health">
              <StateBadge state={device.health} />
              {device.healthReason !== null && <span className="muted"> {device.healthReason}</span>}
            </span>
          </Figure>
          <Figure label="Tier">{device.tier}</Figure>
          <Figure label="Attachment">{attachmentText(device)}</Figure>
          <Figure label="Rack">{device.rackId}</Figure>
          <Figure label="Capacity">{formatGiB(device.capacityGiB)}</Figure>
          <Figure label="Largest free run">{formatGiB(device.largestFreeRunGiB)}</Figure>
          <Figure label="Fragmentation">{formatPercent(device.fragmentation)}</Figure>
          <Figure label="Base latency">{device.baseLatencyNs} ns</Figure>
          <Figure label="Extent block">{formatGiB(device.extentBlockGiB)}</Figure>
        </dl>
        <CapacityBar capacityGiB={device.capacityGiB} usedGiB={device.usedGiB} freeGiB={device.freeGiB} strandedGiB={device.strandedGiB} showLegend />
        <p className="muted">Hosts with a path: {device.hostIds.length > 0 ? device.hostIds.join(', ') : 'none'}</p>
        <DeviceActions device={device} onSetHealth={onSetHealth} onFault={onFault} onChanged={onChanged} />
      </section>

      <h2>Address map</h2>
      <ExtentMap deviceId={device.id} capacityGiB={device.capacityGiB} extents={device.extents} />

      <h2>Extents</h2>
      <ExtentTable extents={device.extents} />

      <h2>Telemetry</h2>
      {device.telemetry === null ? (
        <p className="muted">No telemetry polled yet.</p>
      ) : (
        <>
          <p className="muted">as polled {formatTimestamp(device.telemetryAt)}</p>
          <table className="telemetry">
            <tbody>
              {Object.entries(device.telemetry).map(([name, value]) => (
                <tr key={name}>
                  <th scope="row">{name}</th>
                  <td>
                    <code>{typeof value === 'object' ? JSON.stringify(value) : String(value)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <p>
        <Link to="/">← Fleet</Link>
      </p>
    </>
  );
}
