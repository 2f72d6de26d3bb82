import { Link } from 'react-router';
import type { Settled } from '../../api/settled';
import type { Estimate, Invoice, Page, Tenant, TenantPlan } from '../../api/types';
import { Figure } from '../../components/Figure';
import { LoadError } from '../../components/Loaded';
import { Pager } from '../../components/Pager';
import { StateBadge } from '../../components/StateBadge';
import { formatTimestamp } from '../../format';
import { QuotaBar } from '../tenants/QuotaBar';
import { EstimateSection } from './EstimateSection';

export interface TenantDetails {
  tenant: Tenant;
  plan: Settled<TenantPlan>;
  estimate: Settled<Estimate>;
  invoices: Settled<Page<Invoice>>;
}

interface TenantViewProps extends TenantDetails {
  isFirstInvoicePage: boolean;
  onNextInvoices: (cursor: string) => void;
  onFirstInvoices: () => void;
}

function PlanFigure({ plan }: { plan: Settled<TenantPlan> }): React.JSX.Element {
  if (!plan.ok) return <span className="muted">unknown (billing did not answer)</span>;
  return plan.value.current === null ? <span>default plan</span> : <span>{plan.value.current}</span>;
}

export function TenantView(props: TenantViewProps): React.JSX.Element {
  const { tenant, plan, estimate, invoices } = props;
  return (
    <>
      <section className="card">
        <dl className="figures">
          <Figure label="Id">{tenant.id}</Figure>
          <Figure label="Billing plan">
            <PlanFigure plan={plan} />
          </Figure>
          <Figure label="Placement plan">{tenant.plan}</Figure>
          <Figure label="API key">
            <code>{tenant.apiKeyPrefix}…</code>
          </Figure>
          <Figure label="Since">{formatTimestamp(tenant.createdAt)}</Figure>
        </dl>
        <h3>Quota</h3>
        <QuotaBar usedGiB={tenant.usedGiB} quotaGiB={tenant.quotaGiB} />
        {plan.ok && plan.value.history.length > 0 && (
          <>
            <h3>Plan history</h3>
            <ul className="plain">
              {plan.value.history.map((entry) => (
                <li key={`${entry.planId}@${entry.effectiveFrom}`}>
                  {entry.planId} <span className="muted">from {formatTimestamp(entry.effectiveFrom)}</span>
                </li>
              ))}
            </ul>
          </>
        )}
        <p>
          <Link to={`/expansions?tenantId=${encodeURIComponent(tenant.id)}`}>Expansions of {tenant.name}</Link>
        </p>
      </section>

      <h2>Usage this month</h2>
      <EstimateSection estimate={estimate} />

      <h2>Invoices</h2>
      {invoices.ok ? (
        <>
          <table>
            <thead>
              <tr>
                <th>Period</th>
                <th>Status</th>
                <th className="num">Total</th>
                <th>Rated</th>
              </tr>
            </thead>
            <tbody>
              {invoices.value.items.map((invoice) => (
                <tr key={invoice.id} data-testid={`invoice-${invoice.id}`}>
                  <td>
                    <Link to={`/invoices/${encodeURIComponent(invoice.id)}`}>{invoice.period}</Link>
                  </td>
                  <td>
                    <StateBadge state={invoice.status} />
                  </td>
                  <td className="num">
                    {invoice.total} {invoice.currency}
                  </td>
                  <td>{formatTimestamp(invoice.ratedAt)}</td>
                </tr>
              ))}
              {invoices.value.items.length === 0 && (
                <tr>
                  <td colSpan={4} className="muted">
                    No invoices yet.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          <Pager
            nextCursor={invoices.value.nextCursor}
            isFirstPage={props.isFirstInvoicePage}
            onNext={props.onNextInvoices}
            onFirst={props.onFirstInvoices}
          />
        </>
      ) : (
        <LoadError error={invoices.error} />
      )}
    </>
  );
}
