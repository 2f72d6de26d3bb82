import { useCallback, useState } from 'react';
import { Loaded } from '../../components/Loaded';
import { PageHeader } from '../../components/PageHeader';
import { usePolling } from '../../hooks/usePolling';
import { useApi } from '../../session/SessionContext';
import { TenantsView } from './TenantsView';

export function TenantsPage(): React.JSX.Element {
  const api = useApi();
  const [cursor, setCursor] = useState<string | null>(null);
  const load = useCallback(() => api.tenants(cursor), [api, cursor]);
  const { data, error, updatedAt } = usePolling(load, undefined, { keepPreviousData: true });
  return (
    <>
      <PageHeader title="Tenants" updatedAt={updatedAt} />
      <Loaded data={data} error={error}>
        {(page) => <TenantsView page={page} isFirstPage={cursor === null} onNextPage={setCursor} onFirstPage={() => setCursor(null)} />}
      </Loaded>
    </>
  );
}
