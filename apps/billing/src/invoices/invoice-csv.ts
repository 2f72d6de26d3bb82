import { currencyMinorDigits, formatMinor } from '@mxs/rating';
import type { InvoiceView } from './invoice-view';

const HEADER = ['invoice_id', 'tenant_id', 'period', 'status', 'currency', 'kind', 'plan_id', 'tier', 'expansion_id', 'description', 'quantity_gib_hours', 'unit_price', 'amount_minor', 'amount'];

/** RFC 4180: quote a field holding a comma, quote or line break; double the quotes inside. */
function field(value: string | number | null): string {
  // Every text here is ours or an id the API validated: no free text that a spreadsheet could run.
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** An invoice as CSV: one row per line, then a total row; amounts in minor units and in major units. */
export function invoiceCsv(invoice: InvoiceView): string {
  const digits = currencyMinorDigits(invoice.currency) ?? 2;
  const head = [invoice.id, invoice.tenantId, invoice.period, invoice.status, invoice.currency];
  const rows = invoice.lines.map((l) => [...head, l.kind, l.planId, l.tier, l.expansionId, l.description, l.quantityGiBHours, l.unitPrice, l.amountMinor, formatMinor(l.amountMinor, digits)]);
  rows.push([...head, 'total', null, null, null, 'invoice total', null, null, invoice.totalMinor, invoice.total]);
  return [HEADER, ...rows].map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}
