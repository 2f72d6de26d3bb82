import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`): no browser downloads on this machine. */
export const CHROMIUM = process.env['MXS_CHROMIUM'] ?? '/usr/bin/chromium';
/** Where each browser test leaves its screenshot (the workspace's tmp/, which git ignores). */
export const SCREENSHOT_DIR = join(__dirname, '..', '..', '..', 'tmp', 'test-output', 'admin-console');

export interface ConsoleBrowser {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  close(): Promise<void>;
}

export async function openBrowser(): Promise<ConsoleBrowser> {
  // Root in a container has no user namespaces for Chromium's sandbox; the pages are our own.
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  const context = await browser.newContext({ viewport: { width: 1440, height: 960 }, acceptDownloads: true });
  const page = await context.newPage();
  return { browser, context, page, close: () => browser.close() };
}

/** A full-page PNG named after the test, for people to look at. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
