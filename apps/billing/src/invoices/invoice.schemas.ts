import { idSchema } from '@mxs/contracts';
import { pageQuery } from '@mxs/service-kit';
import { z } from 'zod';

const lineSchema = z
  .object({
    kind: z.enum(['usage', 'volume', 'minimum', 'credit']).describe('usage: an expansion at the base price; volume: a graduated band\'s difference; minimum: commitment shortfall; credit: SLA credit'),
    planId: z.string(),
    tier: z.enum(['direct', 'pooled']).nullable(),
    expansionId: z.string().nullable(),
    description: z.string(),
    quantityGiBSeconds: z.string().nullable(),
    quantityGiBHours: z.string().nullable().describe('GiB-hours, 6 decimals'),
    unitPrice: z.string().nullable().describe('Per GiB-hour'),
    amountMinor: z.int().describe('Minor units (cents); rounded once, half away from zero'),
  })
  .meta({ id: 'InvoiceLine' });

const uptimeSchema = z
  .object({ expansionId: z.string().nullable(), windowSeconds: z.number(), downtimeSeconds: z.number(), creditPct: z.number() })
  .meta({ id: 'UptimeFigure' });

export const invoiceSchema = z
  .object({
    id: z.uuid(),
    tenantId: z.string(),
    period: z.string().describe('YYYY-MM (UTC calendar month)'),
    status: z.enum(['draft', 'finalized']),
    currency: z.string(),
    chargesMinor: z.int(),
    creditsMinor: z.int(),
    totalMinor: z.int().describe('The sum of the lines'),
    total: z.string(),
    lines: z.array(lineSchema),
    uptime: z.array(uptimeSchema),
    ratedAt: z.iso.datetime(),
    finalizedAt: z.iso.datetime().nullable(),
    finalizedBy: z.string().nullable(),
  })
  .meta({ id: 'Invoice' });

export const invoicePageSchema = z.object({ items: z.array(invoiceSchema), nextCursor: z.string().nullable() }).meta({ id: 'InvoicePage' });

export const estimateSchema = z
  .object({
    tenantId: z.string(),
    period: z.string(),
    asOf: z.iso.datetime(),
    currency: z.string(),
    chargesMinor: z.int(),
    creditsMinor: z.int(),
    totalMinor: z.int(),
    total: z.string(),
    projectedTotalMinor: z.int().describe('The month\'s total if every open expansion runs to its end'),
    lines: z.array(lineSchema),
    uptime: z.array(uptimeSchema),
  })
  .meta({ id: 'InvoiceEstimate' });

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month written YYYY-MM');

export const invoiceListQuery = z.strictObject({ period: month.optional(), status: z.enum(['draft', 'finalized']).optional(), ...pageQuery });
export const adminInvoiceListQuery = invoiceListQuery.extend({ tenantId: idSchema.optional() });
export const invoiceCursor = z.tuple([month, z.string().max(200)]);
export const invoiceIdParam = z.uuid().describe('The invoice id');

export const closeBody = z
  .strictObject({
    period: month.describe('The month to rate'),
    finalize: z.boolean().default(false).describe('Finalize the invoices (only once the month has ended)'),
  })
  .meta({ id: 'BillingClose' });

export const closeResultSchema = z
  .object({ period: z.string(), rated: z.int(), finalized: z.boolean(), unrated: z.array(z.string()), durationMs: z.number() })
  .meta({ id: 'BillingCloseResult' });
