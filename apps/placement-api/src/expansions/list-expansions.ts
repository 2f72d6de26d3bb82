import type { Page } from '@mxs/service-kit';
import { decodeCursor, pageOf } from '@mxs/service-kit';
import type { ExpansionsService } from './expansions.service';
import type { ExpansionFilter } from './expansion-store';
import { expansionCursor } from './expansion.schemas';

export interface ListQuery {
  readonly tenantId?: string | undefined;
  readonly state?: ExpansionFilter['state'];
  readonly vmId?: string | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/** One page of expansions, newest first, for the tenant and the admin lists alike. */
export async function listExpansions(service: ExpansionsService, q: ListQuery, withTenant: boolean): Promise<Page<unknown>> {
  const position = decodeCursor(q.cursor, expansionCursor);
  const { items, more } = await service.list({
    ...(q.tenantId === undefined ? {} : { tenantId: q.tenantId }),
    ...(q.state === undefined ? {} : { state: q.state }),
    ...(q.vmId === undefined ? {} : { vmId: q.vmId }),
    ...(position === undefined ? {} : { after: { createdAt: position[0], id: position[1] } }),
    limit: q.limit,
  });
  const shown = withTenant ? items : items.map(({ tenantId: _tenantId, ...view }) => view);
  return pageOf(shown, more, (last) => [last.createdAt, last.id]);
}
