import { useCallback } from 'react';
import { Loaded } from '../../components/Loaded';
import { PageHeader } from '../../components/PageHeader';
import { usePolling } from '../../hooks/usePolling';
import { useApi } from '../../session/SessionContext';
import { FleetView } from './FleetView';

export function FleetPage(): React.JSX.Element {
  const api = useApi();
  const load = useCallback(() => api.fleet(), [api]);
  const { data, error, updatedAt, reload } = usePolling(load);
  return (
    <>
      <PageHeader title="Fleet" updatedAt={updatedAt} />
      <Loaded data={data} error={error}>
        {(fleet) => <FleetView fleet={fleet} onFault={(fault) => api.injectFault(fault)} onChanged={reload} />}
      </Loaded>
    </>
  );
}
