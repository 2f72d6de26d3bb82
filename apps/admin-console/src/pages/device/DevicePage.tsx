import { useCallback } from 'react';
import { useParams } from 'react-router';
import { Loaded } from '../../components/Loaded';
import { PageHeader } from '../../components/PageHeader';
import { usePolling } from '../../hooks/usePolling';
import { useApi } from '../../session/SessionContext';
import { DeviceView } from './DeviceView';

export function DevicePage(): React.JSX.Element {
  const api = useApi();
  const deviceId = useParams()['id'] ?? '';
  const load = useCallback(() => api.device(deviceId), [api, deviceId]);
  const { data, error, updatedAt, reload } = usePolling(load);
  return (
    <>
      <PageHeader title={`Device ${deviceId}`} updatedAt={updatedAt} />
      <Loaded data={data} error={error}>
        {(device) => (
          <DeviceView
            device={device}
            onSetHealth={(health) => api.setDeviceHealth(deviceId, health)}
            onFault={(fault) => api.injectFault(fault)}
            onChanged={reload}
          />
        )}
      </Loaded>
    </>
  );
}
