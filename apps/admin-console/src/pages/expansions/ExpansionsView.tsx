import { Link } from 'react-router';
import type { AdminExpansion, ExpansionFilter, Page } from '../../api/types';
import { Pager } from '../../components/Pager';
import { StateBadge } from '../../components/StateBadge';
import { formatGiB, formatTimestamp } from '../../format';
import { ExpansionFilters } from './ExpansionFilters';

interface ExpansionsViewProps {
  page: Page<AdminExpansion> | undefined;
  filter: ExpansionFilter;
  isFirstPage: boolean;
  onFilterChange: (filter: ExpansionFilter) => void;
  onNextPage: (cursor: string) => void;
  onFirstPage: () => void;
}

export function ExpansionsView({ page, filter, isFirstPage, onFilterChange, onNextPage, onFirstPage }: ExpansionsViewProps): React.JSX.Element {
  return (
    <>
      <ExpansionFilters filter={filter} onFilterChange={onFilterChange} />
      <table>
        <thead>
          <tr>
            <th>Expansion</th>
            <th>State</th>
            <th>Tenant</th>
            <th>VM</th>
            <th>Host</th>
            <th className="num">Size</th>
            <th>Tier</th>
            <th>Layout</th>
            <th>Updated</th>
          </tr>
        </thead>
        <tbody>
          {page?.items.map((expansion) => (
            <tr key={expansion.id} data-testid={`expansion-${expansion.id}`}>
              <td>
                <Link to={`/expansions/${encodeURIComponent(expansion.id)}`}>{expansion.id}</Link>
              </td>
              <td>
                <StateBadge state={expansion.state} />
              </td>
              <td>
                <Link to={`/tenants/${encodeURIComponent(expansion.tenantId)}`}>{expansion.tenantId}</Link>
              </td>
              <td>{expansion.vmId}</td>
              <td>{expansion.hostId}</td>
              <td className="num">{formatGiB(expansion.sizeGiB)}</td>
              <td>
                {expansion.tier}
                {expansion.placedTier !== null && expansion.placedTier !== expansion.tier && ` → ${expansion.placedTier}`}
              </td>
              <td>
                {expansion.layout}
                {expansion.interleaveWays !== null && ` ×${expansion.interleaveWays}`}
              </td>
              <td>{formatTimestamp(expansion.updatedAt)}</td>
            </tr>
          ))}
          {page?.items.length === 0 && (
            <tr>
              <td colSpan={9} className="muted">
                No expansions match.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager nextCursor={page?.nextCursor ?? null} isFirstPage={isFirstPage} onNext={onNextPage} onFirst={onFirstPage} />
    </>
  );
}
