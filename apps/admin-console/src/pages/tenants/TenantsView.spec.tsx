/// <reference types="jest" />
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { tenantsPage } from '../../testing/fixtures';
import { renderView } from '../../testing/render';
import { TenantsView } from './TenantsView';

describe('TenantsView', () => {
  it('lists tenants with plan and a quota bar, each linking to its page', () => {
    renderView(<TenantsView page={tenantsPage} isFirstPage onNextPage={jest.fn()} onFirstPage={jest.fn()} />);
    const row = screen.getByTestId('tenant-acme');
    expect(within(row).getByRole('link', { name: 'Acme Corp' }).getAttribute('href')).toBe('/tenants/acme');
    expect(row.textContent).toContain('standard');
    expect(row.textContent).toContain('128 GiB / 512 GiB (25%)');
    expect(row.querySelector<HTMLElement>('[data-segment="fill"]')?.style.width).toBe('25%');
  });

  it('marks a tenant close to its quota', () => {
    renderView(<TenantsView page={tenantsPage} isFirstPage onNextPage={jest.fn()} onFirstPage={jest.fn()} />);
    // Globex uses 240 of 256 GiB: past the 90% mark.
    const fill = screen.getByTestId('tenant-globex').querySelector<HTMLElement>('[data-segment="fill"]');
    expect(fill?.className).toContain('segment-warn');
    expect(fill?.style.width).toBe('93.75%');
  });

  it('pages on with the cursor', async () => {
    const user = userEvent.setup();
    const onNextPage = jest.fn();
    renderView(<TenantsView page={{ ...tenantsPage, nextCursor: 't-2' }} isFirstPage onNextPage={onNextPage} onFirstPage={jest.fn()} />);
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(onNextPage).toHaveBeenCalledWith('t-2');
  });
});
