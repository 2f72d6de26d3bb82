import { Link } from 'react-router';
import type { DeviceExtent } from '../../api/types';
import { StateBadge } from '../../components/StateBadge';
import { formatGiB } from '../../format';
import { tenantColour } from './tenantColour';

export function ExtentTable({ extents }: { extents: DeviceExtent[] }): React.JSX.Element {
  return (
    <table>
      <thead>
        <tr>
          <th>Offset</th>
          <th>Size</th>
          <th>Tenant</th>
          <th>Expansion</th>
          <th>VM</th>
          <th>State</th>
        </tr>
      </thead>
      <tbody>
        {extents.map((extent) => (
          <tr key={`${extent.expansionId}@${extent.offsetGiB}`}>
            <td className="num">{formatGiB(extent.offsetGiB)}</td>
            <td className="num">{formatGiB(extent.sizeGiB)}</td>
            <td>
              <span className="swatch" style={{ backgroundColor: tenantColour(extent.tenantId) }} />
              <Link to={`/tenants/${encodeURIComponent(extent.tenantId)}`}>{extent.tenantName}</Link>
            </td>
            <td>
              <Link to={`/expansions/${encodeURIComponent(extent.expansionId)}`}>{extent.expansionId}</Link>
            </td>
            <td>{extent.vmId}</td>
            <td>
              <StateBadge state={extent.state} />
            </td>
          </tr>
        ))}
        {extents.length === 0 && (
          <tr>
            <td colSpan={6} className="muted">
              No live extents.
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
