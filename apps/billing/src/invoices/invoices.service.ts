import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RatedInvoice } from '@mxs/rating';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { BillingConfig } from '../config';
import { BillingError } from '../errors';
import { BILLING_CONFIG } from '../infra/infra.module';
import { BillingMetrics } from '../metrics/billing-metrics';
import type { Month } from '../period/month';
import { monthAt, nowSec, parseMonth, periodDate, previousMonth } from '../period/month';
import type { EstimateView, InvoiceRow, InvoiceView } from './invoice-view';
import { INVOICE_COLUMNS, estimateView, invoiceView } from './invoice-view';
import { MonthRater } from './month-rater';

export interface CloseResult {
  readonly period: string;
  readonly rated: number;
  readonly finalized: boolean;
  /** Tenants with usage but no plan and no default plan: nothing could be billed. */
  readonly unrated: readonly string[];
  readonly durationMs: number;
}

export interface InvoiceFilter {
  readonly tenantId?: string | undefined;
  readonly period?: string | undefined;
  readonly status?: 'draft' | 'finalized' | undefined;
}

/** Writes this many invoices per statement: ten thousand in one would be a 100 MB parameter. */
const WRITE_CHUNK = 1_000;

/**
 * Invoices: a month is rated into drafts (again and again while late events may land), then
 * finalized once its grace period has passed or an operator says so. Rating and writing happen
 * in one transaction, and a finalized invoice is never written again.
 */
@Injectable()
export class InvoicesService {
  private readonly log = new Logger(InvoicesService.name);

  constructor(
    private readonly db: DataSource,
    private readonly rater: MonthRater,
    private readonly metrics: BillingMetrics,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
  ) {}

  /** Rates `month` for every tenant (or some) and writes drafts, or finalized invoices. */
  async closeMonth(month: Month, options: { finalize: boolean; tenantIds?: readonly string[]; by?: string }): Promise<CloseResult> {
    const startedMs = Date.now();
    const now = nowSec();
    if (options.finalize && now < month.endSec) {
      throw new BillingError('invoice-not-ready', `${month.name} has not ended; its invoices can be finalized from ${new Date(month.endSec * 1000).toISOString()}`);
    }
    const status = options.finalize ? 'finalized' : 'draft';
    const stop = this.metrics.closeSeconds.startTimer();
    const result = await this.db.transaction('REPEATABLE READ', async (m) => {
      const rating = await this.rater.rate(m, month, now, options.tenantIds ?? null);
      await this.write(m, month, status, rating.invoices, options.by ?? null);
      return rating;
    });
    stop();
    this.metrics.invoicesRated.inc({ status }, result.invoices.size);
    if (result.unrated.length > 0) this.log.warn(`${month.name}: ${result.unrated.length} tenants have usage but no plan and there is no default plan`);
    return { period: month.name, rated: result.invoices.size, finalized: options.finalize, unrated: result.unrated, durationMs: Date.now() - startedMs };
  }

  /** The repeatable close: re-rate months with drafts (and last month), finalize those past grace. */
  async closeDue(): Promise<CloseResult[]> {
    const now = nowSec();
    const drafts: { period: string }[] = await this.db.query(`SELECT DISTINCT to_char(period, 'YYYY-MM') AS period FROM invoices WHERE status = 'draft'`);
    const months = new Map<string, Month>([[previousMonth(monthAt(now)).name, previousMonth(monthAt(now))]]);
    for (const d of drafts) months.set(d.period, parseMonth(d.period));
    const results: CloseResult[] = [];
    for (const month of [...months.values()].sort((a, b) => a.startSec - b.startSec)) {
      const pastGrace = now >= month.endSec + this.config.MXS_INVOICE_GRACE_HOURS * 3600;
      results.push(await this.closeMonth(month, { finalize: pastGrace, by: 'billing-close' }));
    }
    return results;
  }

  /** An operator finalizes one invoice before its grace period ends (rated once more first). */
  async finalize(id: string, by: string): Promise<InvoiceView> {
    const invoice = await this.get(id, null);
    if (invoice.status === 'finalized') return invoice;
    await this.closeMonth(parseMonth(invoice.period), { finalize: true, tenantIds: [invoice.tenantId], by });
    return this.get(id, null);
  }

  async estimate(tenantId: string): Promise<EstimateView> {
    const now = nowSec();
    const month = monthAt(now);
    const [toDate, projected] = await Promise.all([this.rateOne(month, now, tenantId), this.rateOne(month, month.endSec, tenantId)]);
    return estimateView(tenantId, month.name, now, toDate, projected);
  }

  private async rateOne(month: Month, asOfSec: number, tenantId: string): Promise<RatedInvoice> {
    const rating = await this.rater.rate(this.db, month, asOfSec, [tenantId]);
    const invoice = rating.invoices.get(tenantId);
    if (invoice !== undefined) return invoice;
    if (rating.unrated.length > 0) throw new BillingError('no-plan', `tenant ${tenantId} has no plan and there is no default plan`);
    throw new BillingError('no-plan', `tenant ${tenantId} has no plan and no usage in ${month.name}`);
  }

  /** `tenantId` null is the operator's view; a tenant never sees another's invoice (404). */
  async get(id: string, tenantId: string | null): Promise<InvoiceView> {
    const rows: InvoiceRow[] = await this.db.query(`SELECT ${INVOICE_COLUMNS} FROM invoices WHERE id = $1 AND ($2::text IS NULL OR tenant_id = $2)`, [id, tenantId]);
    if (rows[0] === undefined) throw new BillingError('invoice-not-found', `invoice ${id} does not exist`);
    return invoiceView(rows[0]);
  }

  /** Newest period first, then tenant; `after` is the last item's (period, tenant) position. */
  async list(filter: InvoiceFilter, after: readonly [string, string] | undefined, limit: number): Promise<{ items: InvoiceView[]; more: boolean }> {
    const rows: InvoiceRow[] = await this.db.query(
      `SELECT ${INVOICE_COLUMNS} FROM invoices
        WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::date IS NULL OR period = $2::date) AND ($3::text IS NULL OR status = $3)
          AND ($4::date IS NULL OR (period, tenant_id) < ($4::date, $5::text))
        ORDER BY period DESC, tenant_id DESC LIMIT $6`,
      [filter.tenantId ?? null, filter.period === undefined ? null : periodDate(parseMonth(filter.period)), filter.status ?? null, after === undefined ? null : `${after[0]}-01`, after?.[1] ?? null, limit + 1],
    );
    return { items: rows.slice(0, limit).map(invoiceView), more: rows.length > limit };
  }

  private async write(m: EntityManager, month: Month, status: 'draft' | 'finalized', invoices: ReadonlyMap<string, RatedInvoice>, by: string | null): Promise<void> {
    const entries = [...invoices];
    for (let i = 0; i < entries.length; i += WRITE_CHUNK) {
      const chunk = entries.slice(i, i + WRITE_CHUNK);
      await m.query(
        `INSERT INTO invoices (tenant_id, period, status, currency, charges_minor, credits_minor, total_minor, lines, uptime, rated_at, finalized_at, finalized_by)
         SELECT x.tenant_id, $1::date, $2, x.currency, x.charges, x.credits, x.total, x.lines::jsonb, x.uptime::jsonb, now(),
                CASE WHEN $2 = 'finalized' THEN now() END, CASE WHEN $2 = 'finalized' THEN $3 END
           FROM unnest($4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[], $9::text[], $10::text[])
             AS x(tenant_id, currency, charges, credits, total, lines, uptime)
         ON CONFLICT (tenant_id, period) DO UPDATE SET
           status = EXCLUDED.status, currency = EXCLUDED.currency, charges_minor = EXCLUDED.charges_minor, credits_minor = EXCLUDED.credits_minor,
           total_minor = EXCLUDED.total_minor, lines = EXCLUDED.lines, uptime = EXCLUDED.uptime, rated_at = EXCLUDED.rated_at,
           finalized_at = EXCLUDED.finalized_at, finalized_by = EXCLUDED.finalized_by
         WHERE invoices.status = 'draft'`,
        [
          periodDate(month),
          status,
          by,
          chunk.map(([tenantId]) => tenantId),
          chunk.map(([, r]) => r.currency),
          chunk.map(([, r]) => r.chargesMinor),
          chunk.map(([, r]) => r.creditsMinor),
          chunk.map(([, r]) => r.totalMinor),
          chunk.map(([, r]) => JSON.stringify(r.lines)),
          chunk.map(([, r]) => JSON.stringify(r.uptime)),
        ],
      );
    }
  }
}
