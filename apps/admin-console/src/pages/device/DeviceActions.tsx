import type { DeviceDetail, DeviceHealthChange, Fault } from '../../api/types';
import { ConfirmAction } from '../../components/ConfirmAction';
import { plural } from '../../format';

export type SetDeviceHealth = (health: 'draining' | 'healthy') => Promise<DeviceHealthChange>;

interface DeviceActionsProps {
  device: DeviceDetail;
  onSetHealth: SetDeviceHealth;
  onFault: (fault: Fault) => Promise<{ seq: number }>;
  onChanged: () => Promise<void>;
}

export function DeviceActions({ device, onSetHealth, onFault, onChanged }: DeviceActionsProps): React.JSX.Element {
  const { id, health, liveExtents } = device;
  const setHealth = async (next: 'draining' | 'healthy'): Promise<string> => {
    const change = await onSetHealth(next);
    return `${change.id} is now ${change.health}.`;
  };
  const fault = async (label: string, injected: Fault): Promise<string> => {
    const { seq } = await onFault(injected);
    return `${label}: injected (simulator event #${seq}).`;
  };
  return (
    <div className="actions">
      {health === 'healthy' && (
        <ConfirmAction
          label="Drain"
          title={`Drain ${id}?`}
          description={`No new extents will be placed on ${id}. The ${plural(liveExtents, 'live extent')} on it stay until their expansions are released.`}
          action={() => setHealth('draining')}
          onDone={onChanged}
        />
      )}
      {(health === 'draining' || health === 'degraded') && (
        <ConfirmAction
          label="Put back"
          title={`Put ${id} back in service?`}
          description={`${id} is marked healthy again, so new expansions may be placed on it.`}
          action={() => setHealth('healthy')}
          onDone={onChanged}
        />
      )}
      <ConfirmAction
        label="Fail device"
        title={`Fail ${id}?`}
        description={`The simulator makes ${id} fail as broken hardware would. Expansions with extents on it (${plural(liveExtents, 'extent')} now) degrade, and nothing new is placed there until it is restored.`}
        action={() => fault('Fail device', { kind: 'device-fail', deviceId: id })}
        onDone={onChanged}
        danger
      />
      <ConfirmAction
        label="Restore device"
        title={`Restore ${id}?`}
        description={`The simulator repairs ${id}; the worker sees it healthy on its next poll.`}
        action={() => fault('Restore device', { kind: 'device-restore', deviceId: id })}
        onDone={onChanged}
      />
    </div>
  );
}
