import { idSchema } from '@mxs/contracts';
import { storedText } from '@mxs/service-kit';
import { z } from 'zod';

const unitPrice = z
  .string()
  .regex(/^\d{1,9}(\.\d{1,9})?$/, 'a decimal string such as "0.0125" (up to 9 decimals)')
  .describe('Price of one GiB-hour, in the plan currency');
const band = z
  .strictObject({
    upToGiBHours: z.int().min(1).max(1e12).nullable().describe('This band ends at this many GiB-hours of the month; null for the last band'),
    unitPrice,
  })
  .meta({ id: 'PriceBand' });
const tierPrice = z
  .union([unitPrice, z.array(band).min(1).max(16)])
  .describe('One price for every GiB-hour, or graduated bands on the month\'s GiB-hours of this tier');
const creditTier = z
  .strictObject({
    belowUptimePct: z.string().regex(/^\d{1,3}(\.\d{1,6})?$/, 'a decimal string such as "99.95"'),
    creditPct: z.number().min(0).max(100),
  })
  .meta({ id: 'CreditTier' });

export const planBody = z
  .strictObject({
    id: idSchema,
    name: storedText(200),
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as "USD"'),
    prices: z.strictObject({ direct: tierPrice, pooled: tierPrice }),
    minimumCommitMinor: z.int().min(0).max(Number.MAX_SAFE_INTEGER).default(0).describe('Monthly minimum charge in minor units (cents); 0 for none'),
    creditScope: z.enum(['expansion', 'tenant']).default('expansion').describe('SLA credits per expansion, or on the tenant\'s whole bill'),
    creditTiers: z.array(creditTier).min(1).max(10).optional().describe('Uptime below each threshold earns the credit; defaults to < 99.99% → 10%, < 99% → 25%, < 95% → 100%'),
    isDefault: z.boolean().default(false).describe('Bill tenants without a plan of their own on this plan'),
  })
  .meta({ id: 'PlanCreate' });

export const planPatchBody = z
  .strictObject({ name: storedText(200).optional(), isDefault: z.boolean().optional() })
  .refine((b) => Object.keys(b).length > 0, 'name the fields to change')
  .meta({ id: 'PlanUpdate', description: 'Prices never change under an invoice: create a new plan and assign it instead.' });

export const planSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    currency: z.string(),
    prices: z.object({ direct: z.array(band), pooled: z.array(band) }),
    minimumCommitMinor: z.int(),
    creditScope: z.enum(['expansion', 'tenant']),
    creditTiers: z.array(creditTier),
    isDefault: z.boolean(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Plan' });

export const planListSchema = z.object({ items: z.array(planSchema) }).meta({ id: 'PlanList' });

export const assignPlanBody = z
  .strictObject({
    planId: idSchema,
    effectiveFrom: z.iso.datetime({ offset: true }).optional().describe('When the plan starts (whole seconds; default now); the month is prorated to the second'),
  })
  .meta({ id: 'PlanAssignment' });

export const tenantPlanSchema = z
  .object({
    tenantId: z.string(),
    current: z.string().nullable().describe('The plan in force now; null when the tenant is on the default plan'),
    history: z.array(z.object({ planId: z.string(), effectiveFrom: z.iso.datetime() })),
  })
  .meta({ id: 'TenantPlan' });

export type PlanBody = z.output<typeof planBody>;
