import { useState } from 'react';
import { Link } from 'react-router';
import { describeFailure } from '../../api/problem';
import type { Invoice } from '../../api/types';
import { useReportResult } from '../../components/ActionResults';
import { Figure } from '../../components/Figure';
import { Money } from '../../components/Money';
import { StateBadge } from '../../components/StateBadge';
import { formatTimestamp } from '../../format';
import { RatedLines, UptimeTable } from './RatedLines';

interface InvoiceViewProps {
  invoice: Invoice;
  /** Fetches and saves the CSV; resolves to the file name saved. */
  onDownloadCsv: () => Promise<string>;
}

export function InvoiceView({ invoice, onDownloadCsv }: InvoiceViewProps): React.JSX.Element {
  const report = useReportResult();
  const [downloading, setDownloading] = useState(false);

  const download = async (): Promise<void> => {
    setDownloading(true);
    try {
      report({ kind: 'success', message: `Saved ${await onDownloadCsv()}.` });
    } catch (failure) {
      report({ kind: 'failure', detail: describeFailure(failure) });
    } finally {
      setDownloading(false);
    }
  };

  return (
    <>
      <section className="card">
        <dl className="figures">
          <Figure label="Tenant">
            <Link to={`/tenants/${encodeURIComponent(invoice.tenantId)}`}>{invoice.tenantId}</Link>
          </Figure>
          <Figure label="Period">{invoice.period}</Figure>
          <Figure label="Status">
            <StateBadge state={invoice.status} />
          </Figure>
          <Figure label="Rated">{formatTimestamp(invoice.ratedAt)}</Figure>
          <Figure label="Finalized">
            {formatTimestamp(invoice.finalizedAt)}
            {invoice.finalizedBy !== null && <span className="muted"> by {invoice.finalizedBy}</span>}
          </Figure>
          <Figure label="Charges">
            <Money amountMinor={invoice.chargesMinor} currency={invoice.currency} />
          </Figure>
          <Figure label="Credits">
            <Money amountMinor={invoice.creditsMinor} currency={invoice.currency} />
          </Figure>
          <Figure label="Total">
            <strong data-testid="invoice-total">
              {invoice.total} {invoice.currency}
            </strong>
          </Figure>
        </dl>
        <div className="actions">
          <button type="button" className="primary" disabled={downloading} onClick={() => void download()}>
            Download CSV
          </button>
        </div>
      </section>
      <h2>Lines</h2>
      <RatedLines figures={invoice} />
      <h2>Uptime</h2>
      <UptimeTable uptime={invoice.uptime} />
    </>
  );
}
