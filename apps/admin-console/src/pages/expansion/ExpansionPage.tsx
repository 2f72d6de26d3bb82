import { useCallback } from 'react';
import { Link, useParams } from 'react-router';
import { Loaded } from '../../components/Loaded';
import { PageHeader } from '../../components/PageHeader';
import { usePolling } from '../../hooks/usePolling';
import { useApi } from '../../session/SessionContext';
import { ExpansionView } from './ExpansionView';

export function ExpansionPage(): React.JSX.Element {
  const api = useApi();
  const expansionId = useParams()['id'] ?? '';
  const load = useCallback(() => api.expansion(expansionId), [api, expansionId]);
  const { data, error, updatedAt, reload } = usePolling(load);
  return (
    <>
      <PageHeader title={`Expansion ${expansionId}`} updatedAt={updatedAt}>
        <Link to="/expansions" className="muted">
          all expansions
        </Link>
      </PageHeader>
      <Loaded data={data} error={error}>
        {(expansion) => <ExpansionView expansion={expansion} onForceRelease={() => api.forceRelease(expansionId)} onChanged={reload} />}
      </Loaded>
    </>
  );
}
