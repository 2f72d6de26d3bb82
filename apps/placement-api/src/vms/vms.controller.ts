import { Controller, Delete, Get, HttpCode, Post, Res } from '@nestjs/common';
import { idSchema } from '@mxs/contracts';
import type { AuthenticatedTenant } from '@mxs/service-kit';
import { AdminAuth, ApiZodResponse, CurrentTenant, cursorPart, decodeCursor, Page, pageOf, pageQuery, storedText, TenantAuth, ZodBody, ZodParam, ZodQuery } from '@mxs/service-kit';
import { z } from 'zod';
import type { VmView } from './vms.service';
import { VmsService } from './vms.service';

const vmSchema = z
  .object({
    id: z.string(),
    tenantId: z.string(),
    hostId: z.string(),
    dramGiB: z.int(),
    name: z.string().nullable(),
    expandedGiB: z.int().describe('CXL GiB held in live expansions'),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Vm' });
const vmPageSchema = z.object({ items: z.array(vmSchema), nextCursor: z.string().nullable() }).meta({ id: 'VmPage' });
const registerVmBody = z
  .strictObject({ id: idSchema, tenantId: idSchema, hostId: idSchema, dramGiB: z.int().min(1).max(65_536), name: storedText(200) })
  .meta({ id: 'VmRegistration' });
const tenantListQuery = z.strictObject({ ...pageQuery });
const adminListQuery = z.strictObject({ tenantId: idSchema.optional(), ...pageQuery });

async function page(vms: VmsService, tenantId: string | undefined, cursor: string | undefined, limit: number): Promise<Page<VmView>> {
  const after = decodeCursor(cursor, z.tuple([cursorPart]))?.[0];
  const { items, more } = await vms.list({ tenantId, after, limit });
  return pageOf(items, more, (last) => [last.id]);
}

/** The tenant's own VMs. */
@Controller('v1/vms')
@TenantAuth()
export class VmsController {
  constructor(private readonly vms: VmsService) {}

  @Get()
  @ApiZodResponse(200, vmPageSchema)
  list(@ZodQuery(tenantListQuery) query: z.output<typeof tenantListQuery>, @CurrentTenant() tenant: AuthenticatedTenant): Promise<Page<VmView>> {
    return page(this.vms, tenant.tenantId, query.cursor, query.limit);
  }
}

interface StatusResponse {
  status(code: number): unknown;
}

/** VMs as the compute service registers and unregisters them. */
@Controller('admin/v1/vms')
@AdminAuth()
export class AdminVmsController {
  constructor(private readonly vms: VmsService) {}

  @Post()
  @HttpCode(201)
  @ApiZodResponse(201, vmSchema, 'Registered')
  @ApiZodResponse(200, vmSchema, 'Already registered with the same attributes')
  async register(@ZodBody(registerVmBody) body: z.output<typeof registerVmBody>, @Res({ passthrough: true }) res: StatusResponse): Promise<VmView> {
    const { vm, created } = await this.vms.register(body);
    if (!created) res.status(200);
    return vm;
  }

  @Get()
  @ApiZodResponse(200, vmPageSchema)
  list(@ZodQuery(adminListQuery) query: z.output<typeof adminListQuery>): Promise<Page<VmView>> {
    return page(this.vms, query.tenantId, query.cursor, query.limit);
  }

  @Delete(':id')
  @HttpCode(204)
  async unregister(@ZodParam('id', idSchema) id: string): Promise<void> {
    await this.vms.unregister(id);
  }
}
