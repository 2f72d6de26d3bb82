import type { Device, Host, Rack, Switch } from '../../api/types';
import { ConfirmAction } from '../../components/ConfirmAction';
import { StateBadge } from '../../components/StateBadge';
import { formatGiB, plural } from '../../format';
import { DeviceTile } from './DeviceTile';
import type { FaultControl, InjectFault } from './faults';
import { hostFault, injectAndDescribe, switchFault } from './faults';

export interface RackContents {
  rack: Rack;
  hosts: Host[];
  switches: Switch[];
  devices: Device[];
}

interface RackCardProps extends RackContents {
  onFault: InjectFault;
  onChanged: () => Promise<void>;
}

export function RackCard({ rack, hosts, switches, devices, onFault, onChanged }: RackCardProps): React.JSX.Element {
  const faultButton = (control: FaultControl): React.JSX.Element => (
    <ConfirmAction
      label={control.label}
      title={control.title}
      description={control.description}
      action={() => injectAndDescribe(onFault, control)}
      onDone={onChanged}
      danger
    />
  );
  return (
    <section className="rack card" data-testid={`rack-${rack.id}`} aria-label={`Rack ${rack.id}`}>
      <header className="rack-head">
        <h2>Rack {rack.id}</h2>
        <span className="muted">
          {rack.regionId} · {plural(hosts.length, 'host')} · {plural(switches.length, 'switch')} · {plural(devices.length, 'device')}
        </span>
      </header>

      <h3>Hosts</h3>
      <ul className="plain chips">
        {hosts.map((host) => (
          <li key={host.id} className={`chip state-${host.state}`} data-testid={`host-${host.id}`}>
            <span className="chip-head">
              <strong>{host.id}</strong>
              <StateBadge state={host.state} />
              {faultButton(hostFault(host))}
            </span>
            <span className="muted small">
              {formatGiB(host.mappedGiB)} of {formatGiB(host.cfmwsWindowGiB)} window mapped · DRAM {formatGiB(host.dramGiB)}
            </span>
          </li>
        ))}
        {hosts.length === 0 && <li className="muted">no hosts</li>}
      </ul>

      <h3>Switches</h3>
      <ul className="plain chips">
        {switches.map((fabricSwitch) => (
          <li key={fabricSwitch.id} className={`chip state-${fabricSwitch.state}`} data-testid={`switch-${fabricSwitch.id}`}>
            <span className="chip-head">
              <strong>{fabricSwitch.id}</strong>
              <StateBadge state={fabricSwitch.state} />
              {faultButton(switchFault(fabricSwitch))}
            </span>
          </li>
        ))}
        {switches.length === 0 && <li className="muted">no switches</li>}
      </ul>

      <h3>Devices</h3>
      <div className="tiles">
        {devices.map((device) => (
          <DeviceTile key={device.id} device={device} />
        ))}
        {devices.length === 0 && <p className="muted">no devices</p>}
      </div>
    </section>
  );
}
