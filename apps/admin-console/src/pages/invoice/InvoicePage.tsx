import { useCallback } from 'react';
import { useParams } from 'react-router';
import { Loaded } from '../../components/Loaded';
import { PageHeader } from '../../components/PageHeader';
import { billingPollMs, usePolling } from '../../hooks/usePolling';
import { useApi } from '../../session/SessionContext';
import { InvoiceView } from './InvoiceView';
import { invoiceCsvName, saveBlob } from './saveFile';

export function InvoicePage(): React.JSX.Element {
  const api = useApi();
  const invoiceId = useParams()['id'] ?? '';
  const load = useCallback(() => api.invoice(invoiceId), [api, invoiceId]);
  const { data, error, updatedAt } = usePolling(load, billingPollMs);
  const title = data === undefined ? `Invoice ${invoiceId}` : `Invoice ${data.period} · ${data.tenantId}`;
  return (
    <>
      <PageHeader title={title} updatedAt={updatedAt} />
      <Loaded data={data} error={error}>
        {(invoice) => (
          <InvoiceView
            invoice={invoice}
            onDownloadCsv={async () => {
              const { blob, fileName } = await api.invoiceCsv(invoice.id);
              const name = fileName ?? invoiceCsvName(invoice);
              saveBlob(blob, name);
              return name;
            }}
          />
        )}
      </Loaded>
    </>
  );
}
