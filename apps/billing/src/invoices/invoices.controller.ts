import { Controller, Get, Headers, HttpCode, Post, Res } from '@nestjs/common';
import { ApiProduces } from '@nestjs/swagger';
import { idSchema } from '@mxs/contracts';
import type { AuthenticatedTenant, Page } from '@mxs/service-kit';
import { AdminAuth, ApiZodResponse, CurrentTenant, TenantAuth, ZodBody, ZodParam, ZodQuery, decodeCursor, pageOf } from '@mxs/service-kit';
import type { z } from 'zod';
import { parseMonth } from '../period/month';
import { invoiceCsv } from './invoice-csv';
import type { EstimateView, InvoiceView } from './invoice-view';
import {
  adminInvoiceListQuery,
  closeBody,
  closeResultSchema,
  estimateSchema,
  invoiceCursor,
  invoiceIdParam,
  invoiceListQuery,
  invoicePageSchema,
  invoiceSchema,
} from './invoice.schemas';
import type { CloseResult, InvoiceFilter } from './invoices.service';
import { InvoicesService } from './invoices.service';

interface CsvResponse {
  setHeader(name: string, value: string): void;
}

/** JSON unless the client asks for CSV (`Accept: text/csv`). */
function render(invoice: InvoiceView, accept: string | undefined, res: CsvResponse): InvoiceView | string {
  if (accept === undefined || !/\btext\/csv\b/i.test(accept)) return invoice;
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="invoice-${invoice.tenantId}-${invoice.period}.csv"`);
  return invoiceCsv(invoice);
}

async function page(invoices: InvoicesService, filter: InvoiceFilter, cursor: string | undefined, limit: number): Promise<Page<InvoiceView>> {
  const after = decodeCursor(cursor, invoiceCursor);
  const { items, more } = await invoices.list(filter, after, limit);
  return pageOf(items, more, (last) => [last.period, last.tenantId]);
}

/** A tenant's invoices: only ever their own (another tenant's are 404). */
@Controller('v1/invoices')
@TenantAuth()
export class InvoicesController {
  constructor(private readonly invoices: InvoicesService) {}

  @Get()
  @ApiZodResponse(200, invoicePageSchema)
  list(@ZodQuery(invoiceListQuery) q: z.output<typeof invoiceListQuery>, @CurrentTenant() tenant: AuthenticatedTenant): Promise<Page<InvoiceView>> {
    return page(this.invoices, { tenantId: tenant.tenantId, period: q.period, status: q.status }, q.cursor, q.limit);
  }

  @Get('estimate')
  @ApiZodResponse(200, estimateSchema, 'The running month rated up to now')
  estimate(@CurrentTenant() tenant: AuthenticatedTenant): Promise<EstimateView> {
    return this.invoices.estimate(tenant.tenantId);
  }

  @Get(':id')
  @ApiProduces('application/json', 'text/csv')
  @ApiZodResponse(200, invoiceSchema, 'The invoice; as CSV with `Accept: text/csv`')
  async get(
    @ZodParam('id', invoiceIdParam) id: string,
    @CurrentTenant() tenant: AuthenticatedTenant,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: CsvResponse,
  ): Promise<InvoiceView | string> {
    return render(await this.invoices.get(id, tenant.tenantId), accept, res);
  }
}

/** Every tenant's invoices and running-month estimates, closing a month, finalizing. */
@Controller('admin/v1')
@AdminAuth()
export class AdminInvoicesController {
  constructor(private readonly invoices: InvoicesService) {}

  @Get('invoices')
  @ApiZodResponse(200, invoicePageSchema)
  list(@ZodQuery(adminInvoiceListQuery) q: z.output<typeof adminInvoiceListQuery>): Promise<Page<InvoiceView>> {
    return page(this.invoices, { tenantId: q.tenantId, period: q.period, status: q.status }, q.cursor, q.limit);
  }

  @Get('invoices/:id')
  @ApiProduces('application/json', 'text/csv')
  @ApiZodResponse(200, invoiceSchema, 'The invoice; as CSV with `Accept: text/csv`')
  async get(@ZodParam('id', invoiceIdParam) id: string, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) res: CsvResponse): Promise<InvoiceView | string> {
    return render(await this.invoices.get(id, null), accept, res);
  }

  @Post('invoices/:id/finalize')
  @HttpCode(200)
  @ApiZodResponse(200, invoiceSchema, 'Rated once more and finalized; finalizing twice answers the same invoice')
  finalize(@ZodParam('id', invoiceIdParam) id: string): Promise<InvoiceView> {
    return this.invoices.finalize(id, 'operator');
  }

  @Get('tenants/:id/estimate')
  @ApiZodResponse(200, estimateSchema, 'The tenant\'s running month rated up to now, as the tenant\'s own estimate gives it')
  estimate(@ZodParam('id', idSchema) tenantId: string): Promise<EstimateView> {
    return this.invoices.tenantEstimate(tenantId);
  }

  @Post('billing/close')
  @HttpCode(200)
  @ApiZodResponse(200, closeResultSchema, 'The month rated into drafts (or finalized invoices) now, without waiting for the repeatable close')
  close(@ZodBody(closeBody) body: z.output<typeof closeBody>): Promise<CloseResult> {
    return this.invoices.closeMonth(parseMonth(body.period), { finalize: body.finalize, by: 'operator' });
  }
}

