import { useCallback, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { ExpansionFilter } from '../../api/types';
import { expansionStates } from '../../api/types';
import { LoadError } from '../../components/Loaded';
import { PageHeader } from '../../components/PageHeader';
import { usePolling } from '../../hooks/usePolling';
import { useApi } from '../../session/SessionContext';
import { ExpansionsView } from './ExpansionsView';

/** The filter lives in the URL, so a filtered list can be shared and survives a reload. */
function filterFrom(params: URLSearchParams): ExpansionFilter {
  const state = expansionStates.find((known) => known === params.get('state'));
  const text = (name: string): string | undefined => params.get(name) ?? undefined;
  return { state, tenantId: text('tenantId'), vmId: text('vmId') };
}

export function ExpansionsPage(): React.JSX.Element {
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const [cursor, setCursor] = useState<string | null>(null);
  const filter = filterFrom(params);
  const { state, tenantId, vmId } = filter;

  const load = useCallback(
    () => api.expansions({ state, tenantId: tenantId?.trim(), vmId: vmId?.trim() }, cursor),
    [api, state, tenantId, vmId, cursor],
  );
  const { data, error, updatedAt } = usePolling(load, undefined, { keepPreviousData: true });

  const changeFilter = (next: ExpansionFilter): void => {
    const search = new URLSearchParams();
    if (next.state !== undefined) search.set('state', next.state);
    if (next.tenantId !== undefined) search.set('tenantId', next.tenantId);
    if (next.vmId !== undefined) search.set('vmId', next.vmId);
    setParams(search, { replace: true });
    setCursor(null);
  };

  return (
    <>
      <PageHeader title="Expansions" updatedAt={updatedAt} />
      <LoadError error={error} />
      <ExpansionsView
        page={data}
        filter={filter}
        isFirstPage={cursor === null}
        onFilterChange={changeFilter}
        onNextPage={setCursor}
        onFirstPage={() => setCursor(null)}
      />
    </>
  );
}
