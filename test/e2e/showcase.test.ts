import { rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../gateway/config/load.ts';
import { openStore } from '../../gateway/store/index.ts';
import { syntheticTraffic } from './traffic.ts';
import {
  buildDashboard,
  freshDataDir,
  launchBrowser,
  screenshotPath,
  startStack,
  type Stack,
} from './support.ts';

/** The pictures for the README: the dashboard with a month of traffic behind it. */
describe('the dashboard with a month of traffic (README screenshots)', () => {
  let dashboardDir: string;
  let stack: Stack;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;

  beforeAll(async () => {
    dashboardDir = await buildDashboard();
    const dataDir = freshDataDir();
    const store = openStore(dataDir);
    store.requests.insertMany(syntheticTraffic(Date.now()));
    store.close();
    stack = await startStack(dashboardDir, {
      dataDir,
      config: parseConfig(
        {
          routes: [
            { id: 'openai', preset: 'openai', apiKey: 'sk-showcase-not-a-real-key-000000' },
            {
              id: 'claude',
              preset: 'anthropic',
              apiKey: 'sk-ant-showcase-not-a-real-key-0000',
              budget: { usd: 150, period: 'month' },
            },
            { id: 'local', preset: 'ollama' },
          ],
          apps: [
            {
              name: 'cursor',
              key: 'sbk_showcase_cursor_0123456789abcdef',
              budget: { usd: 10, period: 'day' },
            },
            { name: 'claude-code', key: 'sbk_showcase_claude_0123456789abcdef', routes: ['claude'] },
            { name: 'nightly-agent', key: 'sbk_showcase_nightly_0123456789abcde', rateLimit: { rpm: 30 } },
          ],
        },
        'showcase',
      ),
    });
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    browser.context.setDefaultTimeout(8000);
    await page.goto(stack.gateway.loginUrl());
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    if (dashboardDir) rmSync(dashboardDir, { recursive: true, force: true });
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`shows the overview and the spend charts (${scheme})`, async () => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`${stack.gateway.url}/ui/#/overview`);
      await page.getByRole('radio', { name: '30 days' }).check({ force: true });
      await page.locator('.recharts-bar-rectangle').first().waitFor();
      expect(await page.getByText('No daily budget set').count()).toBe(0);
      await page.screenshot({ path: screenshotPath(`showcase-overview-${scheme}`) });
      await page.goto(`${stack.gateway.url}/ui/#/usage`);
      await page.locator('.recharts-bar-rectangle').first().waitFor();
      await page.getByRole('row', { name: /claude-sonnet-4-5/ }).waitFor();
      await page.screenshot({ path: screenshotPath(`showcase-usage-${scheme}`), fullPage: true });
      await page.goto(`${stack.gateway.url}/ui/#/latency`);
      await page.getByRole('radio', { name: 'Route' }).check({ force: true });
      await page
        .getByRole('row', { name: /claude/ })
        .first()
        .waitFor();
      await page.locator('.recharts-line-curve').first().waitFor();
      await page.screenshot({ path: screenshotPath(`showcase-latency-${scheme}`) });
    });
  }
});
