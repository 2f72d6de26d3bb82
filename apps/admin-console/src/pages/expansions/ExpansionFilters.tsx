import type { ExpansionFilter, ExpansionState } from '../../api/types';
import { expansionStates } from '../../api/types';

interface ExpansionFiltersProps {
  filter: ExpansionFilter;
  onFilterChange: (filter: ExpansionFilter) => void;
}

function isExpansionState(value: string): value is ExpansionState {
  return (expansionStates as readonly string[]).includes(value);
}

export function ExpansionFilters({ filter, onFilterChange }: ExpansionFiltersProps): React.JSX.Element {
  const blank = (value: string): string | undefined => (value === '' ? undefined : value);
  return (
    <form className="filters" role="search" onSubmit={(event) => event.preventDefault()}>
      <label htmlFor="filter-state">State</label>
      <select
        id="filter-state"
        value={filter.state ?? ''}
        onChange={(event) => onFilterChange({ ...filter, state: isExpansionState(event.target.value) ? event.target.value : undefined })}
      >
        <option value="">any</option>
        {expansionStates.map((state) => (
          <option key={state} value={state}>
            {state}
          </option>
        ))}
      </select>
      <label htmlFor="filter-tenant">Tenant</label>
      <input
        id="filter-tenant"
        placeholder="tenant id"
        value={filter.tenantId ?? ''}
        onChange={(event) => onFilterChange({ ...filter, tenantId: blank(event.target.value) })}
      />
      <label htmlFor="filter-vm">VM</label>
      <input id="filter-vm" placeholder="vm id" value={filter.vmId ?? ''} onChange={(event) => onFilterChange({ ...filter, vmId: blank(event.target.value) })} />
      <button type="button" onClick={() => onFilterChange({})} disabled={filter.state === undefined && filter.tenantId === undefined && filter.vmId === undefined}>
        Clear
      </button>
    </form>
  );
}
