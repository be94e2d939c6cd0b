import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../gateway/admin/sessions.ts';
import { startGateway, type RunningGateway } from '../../gateway/index.ts';
import { buildDashboard, chromiumPath, freshDataDir, screenshotPath } from './support.ts';

// The way back into the dashboard when its session has ended: no dead end, no restart.

async function visible(locator: Locator, timeout = 8000): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return locator.first();
}

/** Chromium on a profile that this file keeps, so that it can be closed and opened again. */
function launch(profile: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    viewport: { width: 1280, height: 800 },
    reducedMotion: 'reduce',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

describe('signing in to the dashboard in headless Chromium', () => {
  let dashboardDir: string;
  let dataDir: string;
  let profile: string;
  let gateway: RunningGateway | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  const start = () => startGateway({ dataDir, port: 0, dashboardDir, log: () => {}, shutdownGraceMs: 1000 });
  const open = async () => {
    context = await launch(profile);
    context.setDefaultTimeout(8000);
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageErrors.push(String(error)));
  };
  const overview = () => page.getByRole('heading', { level: 1, name: 'Overview' });
  const signedOut = () => page.getByRole('heading', { level: 1, name: 'Signed out' });

  beforeAll(async () => {
    dashboardDir = await buildDashboard();
    dataDir = freshDataDir();
    profile = mkdtempSync(join(tmpdir(), 'switchboard-chromium-'));
    gateway = await start();
    await open();
  });

  afterEach(async (test) => {
    if (test.task.result?.state === 'fail' && page)
      await page.screenshot({
        path: screenshotPath(`failed-sign-in-${test.task.name.slice(0, 30).replace(/\W+/g, '-')}`),
      });
  });

  afterAll(async () => {
    await context?.close();
    await gateway?.close();
    for (const dir of [dashboardDir, dataDir, profile])
      if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('asks a visitor with no session for the admin token, says a wrong one is wrong, and lets the right one in', async () => {
    await page.goto(`${gateway!.url}/ui/`);
    await visible(signedOut());
    const field = page.getByLabel('Admin token', { exact: true });
    expect(await field.getAttribute('type')).toBe('password');
    await page.screenshot({ path: screenshotPath('signed-out') });

    await field.fill('not-the-admin-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await visible(page.getByText(/^That is not the admin token/));
    expect(await signedOut().isVisible()).toBe(true);

    await field.fill(gateway!.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await visible(overview());
    expect(new URL(page.url()).pathname).toBe('/ui/');

    const cookie = (await context!.cookies(gateway!.url)).find(
      (candidate) => candidate.name === SESSION_COOKIE,
    );
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    // A persistent cookie (not one that ends with the browser), for 30 days.
    expect(Math.abs(cookie!.expires - (Date.now() / 1000 + 30 * 24 * 3600))).toBeLessThan(120);
  });

  it('is still signed in after the browser closes and the gateway restarts with a new admin token', async () => {
    const before = gateway!.adminToken;
    await context!.close();
    context = undefined;
    await gateway!.close();
    gateway = undefined;
    gateway = await start();
    expect(gateway.adminToken).not.toBe(before);
    await open();
    await page.goto(`${gateway.url}/ui/`);
    await visible(overview());
    expect(await signedOut().count()).toBe(0);
  });

  it('turns a used login link into the sign-in page, not a dead end', async () => {
    await context!.clearCookies();
    const link = gateway!.loginUrl();
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(302);
    const response = await page.goto(link);
    expect(response?.status()).toBe(401);
    await visible(signedOut());
    await visible(page.getByText(/already used or has expired/));
    await page.getByLabel('Admin token', { exact: true }).fill(gateway!.adminToken);
    await page.keyboard.press('Enter');
    await visible(overview());
    expect(new URL(page.url()).pathname).toBe('/ui/');
    expect(pageErrors).toEqual([]);
  });
});
