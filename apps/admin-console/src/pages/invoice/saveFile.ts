import type { Invoice } from '../../api/types';

/** The name when the server sends none in Content-Disposition. */
export function invoiceCsvName(invoice: Pick<Invoice, 'tenantId' | 'period'>): string {
  return `invoice-${invoice.tenantId}-${invoice.period}.csv`;
}

/** Hands a blob to the browser as a download through a short-lived object URL. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // Revoke after the click is handled: browsers read the URL after this task ends.
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}
