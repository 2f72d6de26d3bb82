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
import type { PreparedMonth } from './month-rater';
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

/** Rates and writes this many invoices per statement: ten thousand in one would be a 150 MB parameter. */
const WRITE_CHUNK = 500;

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
      const prepared = await this.rater.prepare(m, month, now, options.tenantIds ?? null);
      return this.rateAndWrite(m, month, status, prepared, options.by ?? null);
    });
    stop();
    this.metrics.invoicesRated.inc({ status }, result.rated);
    if (result.unrated.length > 0) this.log.warn(`${month.name}: ${result.unrated.length} tenants could not be rated (no plan and no default plan, or plans of two currencies)`);
    return { period: month.name, rated: result.rated, finalized: options.finalize, unrated: result.unrated, durationMs: Date.now() - startedMs };
  }

  /** The repeatable close: re-rate months with drafts (and last month), finalize those past grace. */
  async closeDue(): Promise<CloseResult[]> {
    const now = nowSec();
    const drafts: { period: string }[] = await this.db.query(`SELECT DISTINCT to_char(period, 'YYYY-MM') AS period FROM invoices WHERE status = 'draft'`);
    const lastMonth = previousMonth(monthAt(now));
    const months = new Map<string, Month>([[lastMonth.name, lastMonth]]);
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

  /** The operator's view of a tenant's estimate: a tenant that does not exist is a 404, not a missing plan. */
  async tenantEstimate(tenantId: string): Promise<EstimateView> {
    // Usage rows carry no foreign key to tenants, but an invoice does: a tenant not in `tenants` can never be billed.
    const tenants: { id: string }[] = await this.db.query(`SELECT id FROM tenants WHERE id = $1`, [tenantId]);
    if (tenants[0] === undefined) throw new BillingError('tenant-not-found', `tenant ${tenantId} does not exist`);
    return this.estimate(tenantId);
  }

  /** The running month rated up to now (what the SLA report's credits come from). */
  runningMonth(tenantId: string): Promise<RatedInvoice> {
    const now = nowSec();
    return this.rateOne(monthAt(now), now, tenantId);
  }

  /** The month holding `asOfSec` rated up to it for several tenants in one pass; those that cannot be rated are absent. */
  async runningMonthOf(tenantIds: readonly string[], asOfSec: number): Promise<ReadonlyMap<string, RatedInvoice>> {
    if (tenantIds.length === 0) return new Map();
    return (await this.rater.rate(this.db, monthAt(asOfSec), asOfSec, tenantIds)).invoices;
  }

  private async rateOne(month: Month, asOfSec: number, tenantId: string): Promise<RatedInvoice> {
    const rating = await this.rater.rate(this.db, month, asOfSec, [tenantId]);
    const invoice = rating.invoices.get(tenantId);
    if (invoice !== undefined) return invoice;
    if (rating.unrated.length > 0) throw new BillingError('no-plan', `tenant ${tenantId} cannot be rated in ${month.name}: it has no plan and there is no default plan, or its plans bill in two currencies`);
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

  /**
   * Rates the month a chunk of tenants at a time and writes each chunk's invoices in one
   * statement; the next chunk is rated while PostgreSQL stores the one before.
   */
  private async rateAndWrite(m: EntityManager, month: Month, status: 'draft' | 'finalized', prepared: PreparedMonth, by: string | null): Promise<{ rated: number; unrated: string[] }> {
    const unrated = [...prepared.unplanned];
    let rated = 0;
    let storing: Promise<unknown> = Promise.resolve();
    for (let i = 0; i < prepared.tenantIds.length; i += WRITE_CHUNK) {
      const rows: object[] = [];
      for (const [k, tenantId] of prepared.tenantIds.slice(i, i + WRITE_CHUNK).entries()) {
        // Rating is synchronous: yield now and then, so the socket keeps feeding PostgreSQL the chunk before.
        if (k % 25 === 24) await new Promise((resolve) => setImmediate(resolve));
        const r = prepared.rate(tenantId);
        if (r === null) unrated.push(tenantId);
        else rows.push({ tenantId, currency: r.currency, charges: r.chargesMinor, credits: r.creditsMinor, total: r.totalMinor, lines: r.lines, uptime: r.uptime });
      }
      // One JSON document per chunk: node-postgres escapes a text[] of large JSON strings slowly (10 s a month of lines).
      const document = JSON.stringify(rows);
      await storing;
      rated += rows.length;
      storing = m.query(
        `INSERT INTO invoices (tenant_id, period, status, currency, charges_minor, credits_minor, total_minor, lines, uptime, rated_at, finalized_at, finalized_by)
         SELECT x."tenantId", $1::date, $2, x.currency, x.charges, x.credits, x.total, x.lines, x.uptime, now(),
                CASE WHEN $2 = 'finalized' THEN now() END, CASE WHEN $2 = 'finalized' THEN $3 END
           FROM jsonb_to_recordset($4::jsonb) AS x("tenantId" text, currency text, charges bigint, credits bigint, total bigint, lines jsonb, uptime jsonb)
         ON CONFLICT (tenant_id, period) DO UPDATE SET
           status = EXCLUDED.status, currency = EXCLUDED.currency, charges_minor = EXCLUDED.charges_minor, credits_minor = EXCLUDED.credits_minor,
           total_minor = EXCLUDED.total_minor, lines = EXCLUDED.lines, uptime = EXCLUDED.uptime, rated_at = EXCLUDED.rated_at,
           finalized_at = EXCLUDED.finalized_at, finalized_by = EXCLUDED.finalized_by
         WHERE invoices.status = 'draft'`,
        [periodDate(month), status, by, document],
      );
      // A write that fails while the next chunk is rated is reported at its await, not as an unhandled rejection.
      storing.catch(() => undefined);
    }
    await storing;
    return { rated, unrated };
  }
}
