import { Link } from 'react-router';
import type { Page, Tenant } from '../../api/types';
import { Pager } from '../../components/Pager';
import { formatTimestamp } from '../../format';
import { QuotaBar } from './QuotaBar';

interface TenantsViewProps {
  page: Page<Tenant>;
  isFirstPage: boolean;
  onNextPage: (cursor: string) => void;
  onFirstPage: () => void;
}

export function TenantsView({ page, isFirstPage, onNextPage, onFirstPage }: TenantsViewProps): React.JSX.Element {
  return (
    <>
      <table>
        <thead>
          <tr>
            <th>Tenant</th>
            <th>Id</th>
            <th>Plan</th>
            <th className="quota-col">Quota</th>
            <th>API key</th>
            <th>Since</th>
          </tr>
        </thead>
        <tbody>
          {page.items.map((tenant) => (
            <tr key={tenant.id} data-testid={`tenant-${tenant.id}`}>
              <td>
                <Link to={`/tenants/${encodeURIComponent(tenant.id)}`}>{tenant.name}</Link>
              </td>
              <td className="muted">{tenant.id}</td>
              <td>{tenant.plan}</td>
              <td className="quota-col">
                <QuotaBar usedGiB={tenant.usedGiB} quotaGiB={tenant.quotaGiB} />
              </td>
              <td>
                <code>{tenant.apiKeyPrefix}…</code>
              </td>
              <td>{formatTimestamp(tenant.createdAt)}</td>
            </tr>
          ))}
          {page.items.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                No tenants.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager nextCursor={page.nextCursor} isFirstPage={isFirstPage} onNext={onNextPage} onFirst={onFirstPage} />
    </>
  );
}
