import { Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { idSchema } from '@mxs/contracts';
import { AdminAuth, ApiZodResponse, cursorPart, decodeCursor, Page, pageOf, pageQuery, storedText, ZodBody, ZodParam, ZodQuery } from '@mxs/service-kit';
import { z } from 'zod';
import type { TenantView } from './tenants.service';
import { TenantsService } from './tenants.service';

const quotaGiB = z.int().min(0).max(10_000_000).describe('Most CXL GiB the tenant may hold at once');
const plan = z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and "-"');

const createTenantBody = z
  .strictObject({ id: idSchema, name: storedText(200), quotaGiB, plan: plan.default('standard') })
  .meta({ id: 'TenantCreate' });
const updateTenantBody = z
  .strictObject({ name: storedText(200).optional(), quotaGiB: quotaGiB.optional(), plan: plan.optional() })
  .refine((b) => Object.keys(b).length > 0, 'name the fields to change')
  .meta({ id: 'TenantUpdate' });
const tenantSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    quotaGiB: z.int(),
    usedGiB: z.int(),
    plan: z.string(),
    apiKeyPrefix: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Tenant' });
const tenantWithKeySchema = z
  .object({ tenant: tenantSchema, apiKey: z.string().describe('Shown once: only its hash is stored') })
  .meta({ id: 'TenantWithKey' });
const tenantPageSchema = z.object({ items: z.array(tenantSchema), nextCursor: z.string().nullable() }).meta({ id: 'TenantPage' });
const listQuery = z.strictObject({ ...pageQuery });

@Controller('admin/v1/tenants')
@AdminAuth()
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Post()
  @HttpCode(201)
  @ApiZodResponse(201, tenantWithKeySchema, 'Created; the API key is in this answer only')
  create(@ZodBody(createTenantBody) body: z.output<typeof createTenantBody>): Promise<unknown> {
    return this.tenants.create(body);
  }

  @Get()
  @ApiZodResponse(200, tenantPageSchema)
  async list(@ZodQuery(listQuery) query: z.output<typeof listQuery>): Promise<Page<TenantView>> {
    const after = decodeCursor(query.cursor, z.tuple([cursorPart]))?.[0];
    const { items, more } = await this.tenants.list(after, query.limit);
    return pageOf(items, more, (last) => [last.id]);
  }

  @Get(':id')
  @ApiZodResponse(200, tenantSchema)
  get(@ZodParam('id', idSchema) id: string): Promise<TenantView> {
    return this.tenants.get(id);
  }

  @Patch(':id')
  @ApiZodResponse(200, tenantSchema)
  update(@ZodParam('id', idSchema) id: string, @ZodBody(updateTenantBody) body: z.output<typeof updateTenantBody>): Promise<TenantView> {
    return this.tenants.update(id, body);
  }

  @Post(':id/api-key')
  @HttpCode(200)
  @ApiZodResponse(200, tenantWithKeySchema, 'A new key; the old one stops working')
  rotateKey(@ZodParam('id', idSchema) id: string): Promise<unknown> {
    return this.tenants.rotateKey(id);
  }
}
