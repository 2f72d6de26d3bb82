import { Link } from 'react-router';
import type { Device } from '../../api/types';
import { CapacityBar } from '../../components/CapacityBar';
import { StateBadge } from '../../components/StateBadge';
import { formatGiB, formatPercent, plural } from '../../format';

export function utilizationOf(device: Pick<Device, 'usedGiB' | 'capacityGiB'>): number {
  return device.capacityGiB > 0 ? device.usedGiB / device.capacityGiB : 0;
}

/** Pale blue when empty to deep blue when full: the map reads as a heat map at a glance. */
export function heatColour(utilization: number): string {
  const clamped = Math.min(Math.max(utilization, 0), 1);
  return `hsl(210, 75%, ${Math.round(96 - clamped * 52)}%)`;
}

export function attachmentText(device: Device): string {
  const { kind, hostId, switchId, hostIds } = device.attachment;
  switch (kind) {
    case 'direct':
      return `direct to ${hostId ?? '?'}`;
    case 'switch':
      return `behind ${switchId ?? '?'}`;
    case 'multi-headed':
      return `multi-headed: ${(hostIds ?? []).join(', ')}`;
  }
}

export function DeviceTile({ device }: { device: Device }): React.JSX.Element {
  const utilization = utilizationOf(device);
  return (
    <Link
      to={`/devices/${encodeURIComponent(device.id)}`}
      className={`tile health-${device.health}${utilization > 0.6 ? ' tile-dark' : ''}`}
      data-testid={`device-${device.id}`}
      style={{ backgroundColor: heatColour(utilization) }}
      title={device.healthReason ?? undefined}
    >
      <span className="tile-head">
        <strong>{device.id}</strong>
        <StateBadge state={device.health} />
      </span>
      <span className="tile-meta">
        {device.tier} · {attachmentText(device)}
      </span>
      <CapacityBar capacityGiB={device.capacityGiB} usedGiB={device.usedGiB} freeGiB={device.freeGiB} strandedGiB={device.strandedGiB} />
      <span className="tile-meta">
        {formatPercent(utilization, 0)} of {formatGiB(device.capacityGiB)} · {plural(device.liveExtents, 'extent')}
      </span>
    </Link>
  );
}
