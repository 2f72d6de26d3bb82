import { useCallback, useState } from 'react';
import { useParams } from 'react-router';
import { settle } from '../../api/settled';
import { Loaded } from '../../components/Loaded';
import { PageHeader } from '../../components/PageHeader';
import { billingPollMs, usePolling } from '../../hooks/usePolling';
import { useApi } from '../../session/SessionContext';
import type { TenantDetails } from './TenantView';
import { TenantView } from './TenantView';

export function TenantPage(): React.JSX.Element {
  const api = useApi();
  const tenantId = useParams()['id'] ?? '';
  // The invoice page belongs to one tenant: following a link to another starts at its first page.
  const [invoicePage, setInvoicePage] = useState<{ tenantId: string; cursor: string | null }>({ tenantId, cursor: null });
  const invoiceCursor = invoicePage.tenantId === tenantId ? invoicePage.cursor : null;
  const setInvoiceCursor = (cursor: string | null): void => setInvoicePage({ tenantId, cursor });
  // Billing's parts may fail alone (billing down, nothing rated yet); the tenant itself may not.
  const load = useCallback(async (): Promise<TenantDetails> => {
    const [tenant, plan, estimate, invoices] = await Promise.all([
      api.tenant(tenantId),
      settle(api.plan(tenantId)),
      settle(api.estimate(tenantId)),
      settle(api.invoices(tenantId, invoiceCursor)),
    ]);
    return { tenant, plan, estimate, invoices };
  }, [api, tenantId, invoiceCursor]);
  const { data, error, updatedAt } = usePolling(load, billingPollMs);
  return (
    <>
      <PageHeader title={data === undefined ? `Tenant ${tenantId}` : `Tenant ${data.tenant.name}`} updatedAt={updatedAt} />
      <Loaded data={data} error={error}>
        {(details) => (
          <TenantView
            {...details}
            isFirstInvoicePage={invoiceCursor === null}
            onNextInvoices={setInvoiceCursor}
            onFirstInvoices={() => setInvoiceCursor(null)}
          />
        )}
      </Loaded>
    </>
  );
}
