import type { Fleet } from '../../api/types';
import { formatTimestamp } from '../../format';
import { FleetTotals } from './FleetTotals';
import type { InjectFault } from './faults';
import type { RackContents } from './RackCard';
import { RackCard } from './RackCard';

interface FleetViewProps {
  fleet: Fleet;
  onFault: InjectFault;
  onChanged: () => Promise<void>;
}

/** Racks in the order the fleet lists them; anything naming an unknown rack gets a card of its own. */
export function groupByRack(fleet: Fleet): RackContents[] {
  const racks = [...fleet.racks];
  const known = new Set(racks.map((rack) => rack.id));
  for (const item of [...fleet.hosts, ...fleet.switches, ...fleet.devices]) {
    if (!known.has(item.rackId)) {
      known.add(item.rackId);
      racks.push({ id: item.rackId, regionId: '?' });
    }
  }
  return racks.map((rack) => ({
    rack,
    hosts: fleet.hosts.filter((host) => host.rackId === rack.id),
    switches: fleet.switches.filter((fabricSwitch) => fabricSwitch.rackId === rack.id),
    devices: fleet.devices.filter((device) => device.rackId === rack.id),
  }));
}

export function FleetView({ fleet, onFault, onChanged }: FleetViewProps): React.JSX.Element {
  return (
    <>
      <p className="muted">
        {fleet.name} · layout v{fleet.version} · loaded {formatTimestamp(fleet.loadedAt)}
      </p>
      <FleetTotals fleet={fleet} />
      <div className="map-legend muted">
        Tiles: darker = fuller. Bars: <span className="key key-used">used</span> <span className="key key-free">free</span>{' '}
        <span className="key key-stranded">stranded</span>. Outline: health.
      </div>
      <div className="rack-map">
        {groupByRack(fleet).map((contents) => (
          <RackCard key={contents.rack.id} {...contents} onFault={onFault} onChanged={onChanged} />
        ))}
      </div>
    </>
  );
}
