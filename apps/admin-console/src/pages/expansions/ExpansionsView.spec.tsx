/// <reference types="jest" />
import { fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ExpansionFilter } from '../../api/types';
import { expansionsPage } from '../../testing/fixtures';
import { renderView } from '../../testing/render';
import { ExpansionsView } from './ExpansionsView';

interface Props {
  filter?: ExpansionFilter;
  isFirstPage?: boolean;
}

function renderList({ filter = {}, isFirstPage = true }: Props = {}): { onFilterChange: jest.Mock; onNextPage: jest.Mock; onFirstPage: jest.Mock } {
  const callbacks = { onFilterChange: jest.fn(), onNextPage: jest.fn(), onFirstPage: jest.fn() };
  renderView(<ExpansionsView page={expansionsPage} filter={filter} isFirstPage={isFirstPage} {...callbacks} />);
  return callbacks;
}

describe('ExpansionsView', () => {
  it('lists expansions with their state and a link to each', () => {
    renderList();
    const row = screen.getByTestId('expansion-exp-d');
    expect(within(row).getByText('attaching')).toBeTruthy();
    expect(within(row).getByRole('link', { name: 'exp-d' }).getAttribute('href')).toBe('/expansions/exp-d');
    expect(within(row).getByRole('link', { name: 'globex' }).getAttribute('href')).toBe('/tenants/globex');
    expect(row.textContent).toContain('interleave ×2');
    // A browser test looks for the state as a word of the row's text.
    expect(row.textContent).toMatch(/\battaching\b/);
    expect(within(screen.getByTestId('expansion-exp-a')).getByText('active').className).toContain('badge-good');
  });

  it('filters by state', async () => {
    const user = userEvent.setup();
    const { onFilterChange } = renderList({ filter: { tenantId: 'acme' } });
    await user.selectOptions(screen.getByLabelText('State'), 'degraded');
    expect(onFilterChange).toHaveBeenCalledWith({ state: 'degraded', tenantId: 'acme' });
  });

  it('filters by tenant and VM as they are typed', () => {
    const { onFilterChange } = renderList({ filter: { state: 'active' } });
    fireEvent.change(screen.getByLabelText('Tenant'), { target: { value: 'globex' } });
    expect(onFilterChange).toHaveBeenLastCalledWith({ state: 'active', tenantId: 'globex' });
    fireEvent.change(screen.getByLabelText('VM'), { target: { value: 'vm-7' } });
    expect(onFilterChange).toHaveBeenLastCalledWith({ state: 'active', vmId: 'vm-7' });
  });

  it('shows the filter it is given and clears it', async () => {
    const user = userEvent.setup();
    const { onFilterChange } = renderList({ filter: { state: 'active', tenantId: 'acme', vmId: 'vm-1' } });
    expect(screen.getByLabelText<HTMLSelectElement>('State').value).toBe('active');
    expect(screen.getByLabelText<HTMLInputElement>('Tenant').value).toBe('acme');
    expect(screen.getByLabelText<HTMLInputElement>('VM').value).toBe('vm-1');
    await user.click(screen.getByRole('button', { name: 'Clear' }));
    expect(onFilterChange).toHaveBeenCalledWith({});
  });

  it('pages on with the cursor and back to the first page', async () => {
    const user = userEvent.setup();
    const { onNextPage, onFirstPage } = renderList({ isFirstPage: false });
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(onNextPage).toHaveBeenCalledWith('cursor-2');
    await user.click(screen.getByRole('button', { name: 'First page' }));
    expect(onFirstPage).toHaveBeenCalledTimes(1);
  });

  it('says so when nothing matches', () => {
    renderView(
      <ExpansionsView page={{ items: [], nextCursor: null }} filter={{ state: 'failed' }} isFirstPage onFilterChange={jest.fn()} onNextPage={jest.fn()} onFirstPage={jest.fn()} />,
    );
    expect(screen.getByText('No expansions match.')).toBeTruthy();
  });
});
