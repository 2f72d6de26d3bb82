/// <reference types="jest" />
import { ADMIN_KEY } from '@mxs/test-kit';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import type { ConsoleBrowser } from './browser';
import { openBrowser, screenshot } from './browser';
import { ConsoleStack } from './console-stack';

// The console as an operator uses it: Chromium against every app of mxs, each its own process.
// The tests run in order and share the session, as one operator's afternoon would.
describe('the admin console in a browser', () => {
  let stack: ConsoleStack;
  let browser: ConsoleBrowser;
  let expansionId = '';
  let expansionDeviceId = '';
  const page = (): Page => browser.page;
  const consoleUrl = (path: string): string => `${stack.api.url}/console${path}`;
  const WAIT = { timeout: 30_000 };

  beforeAll(async () => {
    stack = await ConsoleStack.start();
    browser = await openBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('signs in with the admin key and keeps it for this tab only; a wrong key is refused', async () => {
    await page().goto(consoleUrl('/'));
    await page().getByLabel('Admin key').fill('not-the-admin-key-0123456789');
    await page().getByRole('button', { name: 'Sign in' }).click();
    await page().getByRole('alert').waitFor(WAIT);
    expect(await page().getByRole('alert').textContent()).toMatch(/key/i);
    expect(await page().getByRole('button', { name: 'Sign out' }).count()).toBe(0);

    await page().getByLabel('Admin key').fill(ADMIN_KEY);
    await page().getByRole('button', { name: 'Sign in' }).click();
    await page().getByRole('button', { name: 'Sign out' }).waitFor(WAIT);
    for (const link of ['Fleet', 'Expansions', 'Tenants', 'SLA', 'Queues']) expect(await page().getByRole('link', { name: link, exact: true }).count()).toBe(1);
    expect(await page().evaluate(() => Object.values(window.sessionStorage))).toContain(ADMIN_KEY);
    expect(await page().evaluate(() => Object.values(window.localStorage))).not.toContain(ADMIN_KEY);
    await screenshot(page(), 'sign-in');
  });

  it('shows the seeded fleet: every device with its health, and the totals', async () => {
    await page().getByRole('link', { name: 'Fleet', exact: true }).click();
    await page().getByRole('heading', { name: 'Fleet' }).waitFor(WAIT);
    for (const device of stack.fleet.devices) {
      const tile = page().getByTestId(`device-${device.id}`).first();
      await tile.waitFor(WAIT);
      expect(await tile.textContent()).toContain('healthy');
    }
    const capacityGiB = stack.fleet.devices.reduce((sum, d) => sum + d.capacityGiB, 0);
    const totals = (await page().getByTestId('fleet-totals').textContent()) ?? '';
    expect(totals.replace(/[\s,]/g, '')).toContain(String(capacityGiB));
    await screenshot(page(), 'fleet');
  });

  it('shows an expansion made through the tenant API going active by itself', async () => {
    await page().getByRole('link', { name: 'Expansions', exact: true }).click();
    const created = await stack.requestExpansion(stack.tenant.vmIds[0] ?? '', { sizeGiB: 8, tier: 'pooled' });
    expansionId = created.id;
    expansionDeviceId = created.extents[0]?.deviceId ?? '';
    const row = page().getByTestId(`expansion-${expansionId}`);
    await row.waitFor(WAIT);
    // No reload: the page polls, and the row's state moves on to active.
    await row.getByText('active', { exact: true }).waitFor(WAIT);
    await screenshot(page(), 'expansions');

    await row.getByRole('link').first().click();
    await page().getByTestId('expansion-state').filter({ hasText: 'active' }).waitFor(WAIT);
    const saga = (await page().locator('[data-testid^="saga-"]').first().textContent()) ?? '';
    for (const step of ['fabric-offer', 'host-accept', 'host-online', 'vm-plug']) expect(saga).toContain(step);
    await screenshot(page(), 'expansion');
  });

  it('drains a device after a confirmation, shows it draining, and puts it back', async () => {
    const idle = stack.fleet.devices.find((d) => d.id !== expansionDeviceId && d.attachment.kind !== 'direct');
    if (idle === undefined) throw new Error('the fleet has a second pooled device');
    await page().goto(consoleUrl(`/devices/${idle.id}`));
    await page().getByTestId('device-health').filter({ hasText: 'healthy' }).waitFor(WAIT);

    await page().getByRole('button', { name: 'Drain' }).click();
    const dialog = page().getByRole('dialog');
    await dialog.waitFor(WAIT);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await healthOf(idle.id)).toBe('healthy');

    await page().getByRole('button', { name: 'Drain' }).click();
    await page().getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page().getByRole('status').waitFor(WAIT);
    await page().getByTestId('device-health').filter({ hasText: 'draining' }).waitFor(WAIT);
    expect(await healthOf(idle.id)).toBe('draining');
    await screenshot(page(), 'device-drained');

    await page().getByRole('button', { name: 'Put back' }).click();
    await page().getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page().getByTestId('device-health').filter({ hasText: 'healthy' }).waitFor(WAIT);
    expect(await healthOf(idle.id)).toBe('healthy');
  });

  it('injects a device failure and sees the expansion on it degraded', async () => {
    await page().goto(consoleUrl(`/devices/${expansionDeviceId}`));
    await page().getByTestId(`extent-${expansionId}`).first().waitFor(WAIT);
    await page().getByRole('button', { name: 'Fail device' }).click();
    await page().getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page().getByRole('status').waitFor(WAIT);
    expect((await stack.sim.deviceHealth(expansionDeviceId)).mediaStatus).toBe('failed');

    await page().goto(consoleUrl(`/expansions/${expansionId}`));
    await page().getByTestId('expansion-state').filter({ hasText: 'degraded' }).waitFor(WAIT);
    await screenshot(page(), 'expansion-degraded');

    await page().goto(consoleUrl(`/devices/${expansionDeviceId}`));
    await page().getByRole('button', { name: 'Restore device' }).click();
    await page().getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page().getByRole('status').waitFor(WAIT);
    expect((await stack.sim.deviceHealth(expansionDeviceId)).mediaStatus).not.toBe('failed');
  });

  it('opens the tenant’s invoice and downloads it as CSV', async () => {
    const period = new Date().toISOString().slice(0, 7);
    const closed = await stack.adminCall(stack.billing.url, 'POST', '/admin/v1/billing/close', { period });
    expect(closed.status).toBe(200);
    const invoices = await stack.adminCall(stack.billing.url, 'GET', `/admin/v1/invoices?tenantId=${stack.tenant.id}`);
    const invoice = (invoices.body as { items: { id: string; total: string }[] }).items[0];
    if (invoice === undefined) throw new Error(`no invoice for ${stack.tenant.id} after closing ${period}`);

    await page().getByRole('link', { name: 'Tenants', exact: true }).click();
    await page().getByTestId(`tenant-${stack.tenant.id}`).getByRole('link').first().click();
    await page().getByTestId(`invoice-${invoice.id}`).getByRole('link').first().click();
    await page().getByRole('heading', { name: /Invoice/ }).filter({ hasText: period }).waitFor(WAIT);
    expect(await page().getByTestId('invoice-total').textContent()).toContain(invoice.total);
    await screenshot(page(), 'invoice');

    const [download] = await Promise.all([page().waitForEvent('download', WAIT), page().getByRole('button', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv).toContain(expansionId);
  });

  it('charts the SLA: latency percentiles over time, uptime, burn rates, credits', async () => {
    await page().getByRole('link', { name: 'SLA', exact: true }).click();
    await page().getByRole('heading', { name: 'SLA' }).waitFor(WAIT);
    for (const chart of ['chart-time-to-ready', 'chart-hot-remove']) {
      await page().getByTestId(chart).locator('svg').first().waitFor(WAIT);
    }
    await screenshot(page(), 'sla');
  });

  it('opens Bull Board behind the same sign-in, and sends a stranger to sign in', async () => {
    const [queues] = await Promise.all([browser.context.waitForEvent('page', WAIT), page().getByRole('link', { name: 'Queues', exact: true }).click()]);
    await queues.getByText('hotplug').first().waitFor(WAIT);
    await screenshot(queues, 'queues');
    await queues.close();

    const stranger = await browser.browser.newPage();
    await stranger.goto(`${stack.api.url}/admin/queues`);
    expect(new URL(stranger.url()).pathname).toBe('/console/');
    await stranger.close();
  });

  it('shows the fleet in use: capacity bars and the device map fill as tenants take memory', async () => {
    const sizes = [64, 128, 32, 256, 16, 96];
    const created = [];
    for (const [i, sizeGiB] of sizes.entries()) created.push(await stack.requestExpansion(stack.tenant.vmIds[i % stack.tenant.vmIds.length] ?? '', { sizeGiB, tier: i % 2 === 0 ? 'pooled' : 'any' }));
    await page().getByRole('link', { name: 'Fleet', exact: true }).click();
    const usedGiB = 8 + sizes.reduce((sum, s) => sum + s, 0);
    await page().getByTestId('fleet-totals').filter({ hasText: `${usedGiB} GiB` }).waitFor(WAIT);
    const busy = created[3]?.extents[0]?.deviceId ?? '';
    expect(await page().getByTestId(`device-${busy}`).first().textContent()).toMatch(/[1-9]\d* extents?/);
    await screenshot(page(), 'fleet-in-use');
  });

  it('forgets the key on sign-out', async () => {
    await page().getByRole('button', { name: 'Sign out' }).click();
    await page().getByLabel('Admin key').waitFor(WAIT);
    expect(await page().evaluate(() => Object.values(window.sessionStorage))).not.toContain(ADMIN_KEY);
    const queues = await page().request.get(`${stack.api.url}/admin/queues/api/queues`);
    expect(queues.status()).toBe(401);
  });

  async function healthOf(deviceId: string): Promise<string | undefined> {
    const fleet = await stack.adminCall(stack.api.url, 'GET', '/admin/v1/fleet');
    return (fleet.body as { devices: { id: string; health: string }[] }).devices.find((d) => d.id === deviceId)?.health;
  }
});
