import { useCallback, useState } from 'react';
import { Loaded } from '../../components/Loaded';
import { PageHeader } from '../../components/PageHeader';
import { billingPollMs, usePolling } from '../../hooks/usePolling';
import { useApi } from '../../session/SessionContext';
import type { SlaWindow } from './slaWindows';
import { slaWindows } from './slaWindows';
import { SlaView } from './SlaView';

export function SlaPage(): React.JSX.Element {
  const api = useApi();
  const [windowId, setWindowId] = useState<SlaWindow['id']>('24h');
  const chosen = slaWindows.find((candidate) => candidate.id === windowId);
  const hours = chosen?.hours ?? 24;
  const bucketMinutes = chosen?.bucketMinutes ?? 60;
  const load = useCallback(async () => {
    const [sla, history] = await Promise.all([api.sla(), api.slaHistory(hours, bucketMinutes)]);
    return { sla, history };
  }, [api, hours, bucketMinutes]);
  const { data, error, updatedAt } = usePolling(load, billingPollMs, { keepPreviousData: true });
  return (
    <>
      <PageHeader title="SLA" updatedAt={updatedAt} />
      <Loaded data={data} error={error}>
        {({ sla, history }) => <SlaView sla={sla} history={history} windowId={windowId} onWindowChange={setWindowId} />}
      </Loaded>
    </>
  );
}
