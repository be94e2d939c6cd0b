import { rmSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAlertListener, type AlertListener } from '../gateway/alerts/listener.ts';
import {
  buildDashboard,
  clearFailures,
  launchBrowser,
  screenshotPath,
  startStack,
  type Stack,
} from './support.ts';

// Issue 15, item 8: the webhook is set in Settings, "Send a test alert" reaches a local listener,
// and a failing receiver shows as the last delivery that failed.

async function visible(locator: Locator, timeout = 5000): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return locator.first();
}

describe('alerts in the dashboard, against a local webhook listener', () => {
  let dashboardDir: string;
  let listener: AlertListener;
  let stack: Stack;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  const problems: string[] = [];

  const alertsCard = () => page.getByRole('region', { name: 'Alerts' });

  beforeAll(async () => {
    clearFailures();
    [dashboardDir, listener] = await Promise.all([buildDashboard(), startAlertListener()]);
    stack = await startStack(dashboardDir);
    browser = await launchBrowser();
    browser.context.setDefaultTimeout(8000);
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(String(error)));
  });

  afterEach(async (test) => {
    if (test.task.result?.state !== 'fail' || !page) return;
    await page.screenshot({
      path: screenshotPath(`failed-${test.task.name.slice(0, 40).replace(/\W+/g, '-')}`),
    });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await listener?.close();
    if (dashboardDir) rmSync(dashboardDir, { recursive: true, force: true });
  });

  it('saves the webhook in Settings and a test alert reaches the listener', async () => {
    expect((await page.goto(stack.gateway.loginUrl()))?.ok()).toBe(true);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    const card = await visible(alertsCard());
    const url = `${listener.origin}/hooks/switchboard?token=e2e-token-123456`;
    const field = card.getByLabel('Webhook URL');
    await field.fill(url);
    await card.getByRole('button', { name: 'Save webhook' }).click();
    await visible(card.getByRole('status').filter({ hasText: 'Saved' }));

    await card.getByRole('button', { name: 'Send a test alert' }).click();
    await visible(card.getByText('Test alert delivered'));
    const [received] = await listener.waitFor(1);
    expect(received!.url).toBe('/hooks/switchboard?token=e2e-token-123456');
    expect(received!.body).toMatchObject({ version: 1, kind: 'test', text: expect.any(String) });
    // Saved in the server section: a reload shows it, and the test, sent to it, as its last delivery.
    await page.reload();
    const reloaded = await visible(alertsCard());
    await visible(reloaded.getByText(/^Last delivered /));
    expect(await reloaded.getByLabel('Webhook URL').inputValue()).toBe(url);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await alertsCard().scrollIntoViewIfNeeded();
      await alertsCard().screenshot({ path: screenshotPath(`settings-alerts-${scheme}`) });
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('says the last delivery failed, and why, when the receiver refuses', async () => {
    listener.behave({ status: 500 });
    const card = await visible(alertsCard());
    await card.getByRole('button', { name: 'Send a test alert' }).click();
    expect(await (await visible(card.getByRole('alert'))).textContent()).toContain(
      'The webhook answered 500.',
    );
    await page.reload();
    await visible(alertsCard().getByText('Last delivery failed: answered 500'));
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await alertsCard().screenshot({ path: screenshotPath(`settings-alerts-failed-${scheme}`) });
    }
    await page.emulateMedia({ colorScheme: 'light' });
    listener.behave({ status: 204 });
    expect(problems).toEqual([]);
  });
});
