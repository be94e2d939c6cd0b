import { rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../gateway/config/load.ts';
import { openStore } from '../../gateway/store/index.ts';
import { seriousViolations } from './axe.ts';
import { syntheticTraffic } from './traffic.ts';
import {
  buildDashboard,
  freshDataDir,
  launchBrowser,
  screenshotPath,
  startStack,
  type Stack,
} from './support.ts';

/*
 * Issue 15: axe-core finds no serious or critical violation on any page or dialog of the dashboard,
 * in either theme, with a month of traffic behind it (tables, charts and badges filled in). Each
 * page and dialog is also kept as a screenshot per theme.
 */

const PAGES = [
  'overview',
  'routes',
  'apps',
  'filters',
  'usage',
  'latency',
  'requests',
  'sessions',
  'settings',
];

/** Opening each dialog from its page: the button's accessible name, and what the dialog is. */
const DIALOGS: { page: string; open: (page: Page) => Promise<void>; name: string }[] = [
  {
    page: 'routes',
    name: 'route-editor',
    open: (page) =>
      page
        .getByRole('button', { name: /add a route/i })
        .first()
        .click(),
  },
  {
    page: 'apps',
    name: 'new-app',
    open: (page) =>
      page
        .getByRole('button', { name: /create an app key/i })
        .first()
        .click(),
  },
  {
    page: 'filters',
    name: 'filter-editor',
    open: (page) =>
      page
        .getByRole('button', { name: /new filter|add filter/i })
        .first()
        .click(),
  },
  {
    page: 'requests',
    name: 'request-details',
    open: (page) => page.locator('tbody tr').first().click(),
  },
];

describe('accessibility: axe-core on every page and dialog, in both themes', () => {
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
            {
              id: 'openai',
              preset: 'openai',
              apiKey: 'sk-a11y-not-a-real-key-00000000',
              fallbacks: ['claude'],
            },
            {
              id: 'claude',
              preset: 'anthropic',
              apiKey: 'sk-ant-a11y-not-a-real-key-0000',
              budget: { usd: 150, period: 'month' },
            },
            { id: 'local', preset: 'ollama' },
          ],
          apps: [
            { name: 'cursor', key: 'sbk_a11y_cursor_0123456789abcdef00', budget: { usd: 10, period: 'day' } },
            { name: 'claude-code', key: 'sbk_a11y_claude_0123456789abcdef00', routes: ['claude'] },
            { name: 'nightly-agent', key: 'sbk_a11y_nightly_0123456789abcdef0' },
          ],
          filters: [{ name: 'no-secrets', kind: 'redact', patterns: ['builtin:api-keys'] }],
        },
        'a11y',
      ),
    });
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    browser.context.setDefaultTimeout(8000);
    await page.goto(stack.gateway.loginUrl());
    await page.waitForURL(/\/ui\//);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    if (dashboardDir) rmSync(dashboardDir, { recursive: true, force: true });
  });

  const open = async (id: string) => {
    await page.goto(`${stack.gateway.url}/ui/#/${id}`);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    // Lists and charts fill in after their first fetch.
    await page.waitForLoadState('networkidle');
  };

  for (const scheme of ['light', 'dark'] as const) {
    for (const id of PAGES) {
      it(`${id} (${scheme})`, async () => {
        await page.emulateMedia({ colorScheme: scheme });
        await open(id);
        await page.screenshot({ path: screenshotPath(`a11y-${id}-${scheme}`), fullPage: true });
        expect(await seriousViolations(page)).toEqual([]);
      });
    }
    for (const dialog of DIALOGS) {
      it(`the ${dialog.name} dialog (${scheme})`, async () => {
        await page.emulateMedia({ colorScheme: scheme });
        await open(dialog.page);
        await dialog.open(page);
        const shown = page.getByRole('dialog').first();
        await shown.waitFor();
        await page.screenshot({ path: screenshotPath(`a11y-${dialog.name}-${scheme}`) });
        expect(await seriousViolations(page)).toEqual([]);
        await page.keyboard.press('Escape');
      });
    }
  }
});
