/// <reference types="jest" />
import { screen, within } from '@testing-library/react';
import { ApiProblem } from '../../api/problem';
import type { TenantDetails } from './TenantView';
import { TenantView } from './TenantView';
import { acme, acmeEstimate, acmeInvoice, acmePlan } from '../../testing/fixtures';
import { renderView } from '../../testing/render';

const details: TenantDetails = {
  tenant: acme,
  plan: { ok: true, value: acmePlan },
  estimate: { ok: true, value: acmeEstimate },
  invoices: { ok: true, value: { items: [acmeInvoice], nextCursor: null } },
};

function renderTenant(overrides: Partial<TenantDetails> = {}): void {
  renderView(<TenantView {...details} {...overrides} isFirstInvoicePage onNextInvoices={jest.fn()} onFirstInvoices={jest.fn()} />);
}

describe('TenantView', () => {
  it('shows the quota as a bar and the default plan when billing has none set', () => {
    renderTenant();
    expect(screen.getByText('default plan')).toBeTruthy();
    expect(screen.getByText('128 GiB / 512 GiB (25%)')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Plan history' }).nextElementSibling?.textContent).toContain('standard-2026');
  });

  it('shows the current plan when one is set', () => {
    renderTenant({ plan: { ok: true, value: { ...acmePlan, current: 'premium-2026' } } });
    expect(screen.getByText('premium-2026')).toBeTruthy();
  });

  it('shows usage this month: so far, projected, and its lines', () => {
    renderTenant();
    const usage = screen.getByTestId('usage-estimate');
    expect(usage.textContent).toContain('So far€800.00');
    expect(usage.textContent).toContain('Projected month€1,142.86');
    expect(within(usage).getByText('Pooled CXL memory')).toBeTruthy();
  });

  it('lists invoices, each linking to its page', () => {
    renderTenant();
    const row = screen.getByTestId('invoice-inv-acme-2026-10');
    expect(within(row).getByRole('link', { name: '2026-10' }).getAttribute('href')).toBe('/invoices/inv-acme-2026-10');
    expect(row.textContent).toContain('finalized');
    expect(row.textContent).toContain('1209.56 EUR');
  });

  it('keeps the tenant on screen when billing fails, with billing’s detail', () => {
    const down = { ok: false as const, error: new ApiProblem(502, { detail: 'Billing is not answering' }) };
    renderTenant({ estimate: down, invoices: down, plan: down });
    expect(screen.getAllByRole('alert').map((alert) => alert.textContent)).toEqual([
      'Could not load: Billing is not answering',
      'Could not load: Billing is not answering',
    ]);
    expect(screen.getByText('unknown (billing did not answer)')).toBeTruthy();
    expect(screen.getByText('128 GiB / 512 GiB (25%)')).toBeTruthy();
  });
});
