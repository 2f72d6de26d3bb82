/// <reference types="jest" />
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiProblem } from '../../api/problem';
import { acmeInvoice } from '../../testing/fixtures';
import { renderView } from '../../testing/render';
import { InvoiceView } from './InvoiceView';
import { invoiceCsvName, saveBlob } from './saveFile';

describe('InvoiceView', () => {
  it('shows the lines, the totals and the uptime', () => {
    renderView(<InvoiceView invoice={acmeInvoice} onDownloadCsv={jest.fn()} />);
    expect(screen.getByTestId('invoice-total').textContent).toBe('1209.56 EUR');

    const usage = screen.getByText('Pooled CXL memory').closest('tr');
    expect(usage?.textContent).toContain('47616');
    expect(usage?.textContent).toContain('0.025');
    expect(usage?.textContent).toContain('€1,190.40');
    expect(screen.getByText('SLA credit: 99.5% uptime').closest('tr')?.textContent).toContain('-€25.00');

    const footer = document.querySelector('tfoot');
    expect(footer?.textContent).toContain('Charges€1,234.56');
    expect(footer?.textContent).toContain('Credits-€25.00');
    expect(footer?.textContent).toContain('Total€1,209.56');

    const uptimeRow = screen.getAllByRole('link', { name: 'exp-a' }).at(-1)?.closest('tr');
    expect(uptimeRow?.textContent).toContain('99.500%');
    expect(uptimeRow?.textContent).toContain('10%');
  });

  it('downloads the CSV and says where it went', async () => {
    const user = userEvent.setup();
    const onDownloadCsv = jest.fn(() => Promise.resolve('invoice-acme-2026-10.csv'));
    renderView(<InvoiceView invoice={acmeInvoice} onDownloadCsv={onDownloadCsv} />);

    await user.click(screen.getByRole('button', { name: 'Download CSV' }));

    expect((await screen.findByRole('status')).textContent).toBe('Saved invoice-acme-2026-10.csv.');
    expect(onDownloadCsv).toHaveBeenCalledTimes(1);
  });

  it('shows why a download failed', async () => {
    const user = userEvent.setup();
    renderView(<InvoiceView invoice={acmeInvoice} onDownloadCsv={() => Promise.reject(new ApiProblem(406, { detail: 'CSV is not available for drafts' }))} />);
    await user.click(screen.getByRole('button', { name: 'Download CSV' }));
    expect((await screen.findByRole('alert')).textContent).toBe('CSV is not available for drafts');
  });

  it('names the file after tenant and period when the server does not', () => {
    expect(invoiceCsvName(acmeInvoice)).toBe('invoice-acme-2026-10.csv');
  });

  it('saves a blob through a short-lived object URL under the given name', () => {
    jest.useFakeTimers();
    const createObjectURL = jest.fn(() => 'blob:console/1');
    const revokeObjectURL = jest.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const clicked: { download: string; href: string }[] = [];
    const click = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ download: this.download, href: this.href });
    });
    try {
      saveBlob(new Blob(['kind,amount\n']), 'invoice-acme-2026-10.csv');
      expect(clicked).toEqual([{ download: 'invoice-acme-2026-10.csv', href: 'blob:console/1' }]);
      expect(document.querySelector('a[download]')).toBeNull();
      jest.runAllTimers();
      expect(revokeObjectURL).toHaveBeenCalledWith('blob:console/1');
    } finally {
      click.mockRestore();
      jest.useRealTimers();
    }
  });

  it('links the tenant', () => {
    renderView(<InvoiceView invoice={acmeInvoice} onDownloadCsv={jest.fn()} />);
    expect(within(document.body).getByRole('link', { name: 'acme' }).getAttribute('href')).toBe('/tenants/acme');
  });
});
