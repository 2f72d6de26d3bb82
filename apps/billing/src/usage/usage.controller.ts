import { Controller, Get } from '@nestjs/common';
import type { AuthenticatedTenant, Page } from '@mxs/service-kit';
import { ApiZodResponse, CurrentTenant, TenantAuth, ZodQuery, decodeCursor, pageOf, pageQuery, validationProblem } from '@mxs/service-kit';
import { z } from 'zod';
import { monthAt, nowSec } from '../period/month';
import type { UsageIntervalView } from './usage.service';
import { UsageService } from './usage.service';

const MAX_WINDOW_SEC = 366 * 86_400;

const usageQuery = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional().describe('Start of the window (default: the first second of this month, UTC)'),
  to: z.iso.datetime({ offset: true }).optional().describe('End of the window, exclusive (default: now); at most 366 days after `from`'),
  ...pageQuery,
});

const intervalSchema = z
  .object({
    expansionId: z.uuid(),
    seq: z.int(),
    tier: z.enum(['direct', 'pooled']),
    kind: z.enum(['charged', 'degraded']).describe('degraded time is never charged and counts as downtime'),
    sizeGiB: z.int(),
    start: z.iso.datetime(),
    end: z.iso.datetime().nullable(),
    gibHoursInWindow: z.string(),
  })
  .meta({ id: 'UsageInterval' });
const usagePageSchema = z
  .object({ from: z.iso.datetime(), to: z.iso.datetime(), items: z.array(intervalSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'UsagePage' });
const usageCursor = z.tuple([z.uuid(), z.coerce.number().int().min(0).max(32_767)]);

/** The tenant's metered usage: intervals of expansion, tier, GiB, start and end. */
@Controller('v1/usage')
@TenantAuth()
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @Get()
  @ApiZodResponse(200, usagePageSchema)
  async list(@ZodQuery(usageQuery) q: z.output<typeof usageQuery>, @CurrentTenant() tenant: AuthenticatedTenant): Promise<Page<UsageIntervalView> & { from: string; to: string }> {
    const toSec = q.to === undefined ? nowSec() : Math.floor(Date.parse(q.to) / 1000);
    const fromSec = q.from === undefined ? monthAt(toSec - 1).startSec : Math.floor(Date.parse(q.from) / 1000);
    if (toSec <= fromSec) throw validationProblem([{ path: 'query.to', message: 'must be after from' }]);
    if (toSec - fromSec > MAX_WINDOW_SEC) throw validationProblem([{ path: 'query.to', message: 'the window may span at most 366 days' }]);
    const after = decodeCursor(q.cursor, usageCursor);
    const { items, more } = await this.usage.list(tenant.tenantId, fromSec, toSec, after, q.limit);
    return { from: new Date(fromSec * 1000).toISOString(), to: new Date(toSec * 1000).toISOString(), ...pageOf(items, more, (last) => [last.expansionId, String(last.seq)]) };
  }
}
