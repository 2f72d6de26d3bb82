import type { InvoiceLine, RatedInvoice, UptimeFigure } from '@mxs/rating';
import { currencyMinorDigits, formatMinor } from '@mxs/rating';

/** What a rated month says, stored (an invoice) or not (an estimate). */
export interface RatedFigures {
  readonly currency: string;
  readonly chargesMinor: number;
  readonly creditsMinor: number;
  readonly totalMinor: number;
  /** The total in major units, for people: `"123.45"`. */
  readonly total: string;
  readonly lines: readonly InvoiceLine[];
  readonly uptime: readonly UptimeFigure[];
}

export interface InvoiceView extends RatedFigures {
  readonly id: string;
  readonly tenantId: string;
  readonly period: string;
  readonly status: 'draft' | 'finalized';
  readonly ratedAt: string;
  readonly finalizedAt: string | null;
  readonly finalizedBy: string | null;
}

export interface InvoiceRow {
  id: string;
  tenant_id: string;
  period: string;
  status: 'draft' | 'finalized';
  currency: string;
  charges_minor: string;
  credits_minor: string;
  total_minor: string;
  lines: InvoiceLine[];
  uptime: UptimeFigure[];
  rated_at: Date;
  finalized_at: Date | null;
  finalized_by: string | null;
}

export const INVOICE_COLUMNS = `id, tenant_id, to_char(period, 'YYYY-MM') AS period, status, currency, charges_minor, credits_minor, total_minor, lines, uptime, rated_at, finalized_at, finalized_by`;

export function invoiceView(r: InvoiceRow): InvoiceView {
  const totalMinor = Number(r.total_minor);
  return {
    id: r.id,
    tenantId: r.tenant_id,
    period: r.period,
    status: r.status,
    currency: r.currency,
    chargesMinor: Number(r.charges_minor),
    creditsMinor: Number(r.credits_minor),
    totalMinor,
    total: formatMinor(totalMinor, currencyMinorDigits(r.currency) ?? 2),
    lines: r.lines,
    uptime: r.uptime,
    ratedAt: r.rated_at.toISOString(),
    finalizedAt: r.finalized_at?.toISOString() ?? null,
    finalizedBy: r.finalized_by,
  };
}

/** The running month rated up to now, and as it would end if every open interval ran on. */
export interface EstimateView extends RatedFigures {
  readonly tenantId: string;
  readonly period: string;
  readonly asOf: string;
  readonly projectedTotalMinor: number;
}

export function estimateView(tenantId: string, period: string, asOfSec: number, toDate: RatedInvoice, projected: RatedInvoice): EstimateView {
  return {
    tenantId,
    period,
    asOf: new Date(asOfSec * 1000).toISOString(),
    currency: toDate.currency,
    chargesMinor: toDate.chargesMinor,
    creditsMinor: toDate.creditsMinor,
    totalMinor: toDate.totalMinor,
    total: formatMinor(toDate.totalMinor, toDate.minorDigits),
    lines: toDate.lines,
    uptime: toDate.uptime,
    projectedTotalMinor: projected.totalMinor,
  };
}
