import { rmSync, writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../gateway/config/load.ts';
import { openStore } from '../../gateway/store/index.ts';
import { axeViolations, seriousOf, type AxeViolation } from './axe.ts';
import { agentSession, syntheticTraffic } from './traffic.ts';
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
 * in either theme, with a month of traffic and an agent session behind it (tables, charts and badges
 * filled in). Each page and dialog is also kept as a screenshot per theme.
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
  'playground',
  'settings',
];

/** The playground's answered states: what the page shows once a prompt or a replay has its answer. */
const CANNED_RESULT = {
  format: 'openai-chat',
  status: 200,
  response: JSON.stringify({
    object: 'chat.completion',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'A canned answer, for the check.' },
        finish_reason: 'stop',
      },
    ],
  }),
  cut: false,
  request: null,
};
const LOGGED_BODIES = {
  logged: true,
  request: JSON.stringify({
    model: 'gpt-4.1-mini',
    messages: [
      { role: 'system', content: 'Answer briefly.' },
      { role: 'user', content: 'Name a holiday.' },
    ],
  }),
  response: CANNED_RESULT.response,
};

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
  {
    page: 'apps',
    name: 'app-limits',
    open: (page) =>
      page.getByRole('region', { name: 'cursor' }).getByRole('button', { name: 'Limits' }).click(),
  },
  {
    page: 'apps',
    name: 'key-shown',
    open: (page) =>
      page.getByRole('region', { name: 'cursor' }).getByRole('button', { name: 'New key' }).click(),
  },
  {
    page: 'apps',
    name: 'delete-confirm',
    open: (page) => page.getByRole('button', { name: 'Delete app nightly-agent' }).click(),
  },
  {
    page: 'settings',
    name: 'price',
    open: (page) => page.getByRole('button', { name: 'Add a price' }).click(),
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
    const now = Date.now();
    store.requests.insertMany([...syntheticTraffic(now), ...agentSession(now)]);
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
    // The playground's calls are answered in the browser: these routes name real vendors, which a
    // test never calls, and the page's answered states are what is checked here.
    await browser.context.route('**/admin/api/routes/*/models?allowed=true', (route) =>
      route.fulfill({ json: { data: ['gpt-4.1-mini', 'gpt-4.1-nano'] } }),
    );
    await browser.context.route('**/admin/api/playground', (route) => route.fulfill({ json: CANNED_RESULT }));
    await browser.context.route('**/admin/api/requests/*/bodies', (route) =>
      route.fulfill({ json: LOGGED_BODIES }),
    );
    await browser.context.route('**/admin/api/requests/*/replay', (route) =>
      route.fulfill({ json: CANNED_RESULT }),
    );
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    browser.context.setDefaultTimeout(8000);
    await page.goto(stack.gateway.loginUrl());
    await page.waitForURL(/\/ui\//);
  });

  /** Each check's violations by impact, for the table kept beside the screenshots. */
  const results: { check: string; counts: Record<string, number> }[] = [];
  const check = async (name: string): Promise<string[]> => {
    const violations: AxeViolation[] = await axeViolations(page);
    const counts: Record<string, number> = { critical: 0, serious: 0, moderate: 0, minor: 0 };
    for (const violation of violations) counts[violation.impact ?? 'minor']! += violation.nodes.length;
    results.push({ check: name, counts });
    return seriousOf(violations);
  };

  afterAll(async () => {
    if (results.length > 0) {
      const lines = results.map(
        ({ check: name, counts }) =>
          `| ${name} | ${counts['critical']} | ${counts['serious']} | ${counts['moderate']} | ${counts['minor']} |`,
      );
      writeFileSync(
        screenshotPath('axe-results').replace(/\.png$/, '.md'),
        [
          '| page or dialog | critical | serious | moderate | minor |',
          '| --- | --- | --- | --- | --- |',
          ...lines,
          '',
        ].join('\n'),
      );
    }
    await browser?.close();
    await stack?.close();
    if (dashboardDir) rmSync(dashboardDir, { recursive: true, force: true });
  });

  const open = async (id: string) => {
    const url = `${stack.gateway.url}/ui/#/${id}`;
    // The same URL again is no navigation at all: a dialog left open by the last check would stay.
    if (page.url() === url) await page.reload();
    else await page.goto(url);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    // Lists and charts fill in after their first fetch.
    await page.waitForLoadState('networkidle');
  };

  for (const scheme of ['light', 'dark'] as const) {
    for (const id of PAGES) {
      it(`${id} (${scheme})`, async () => {
        await page.emulateMedia({ colorScheme: scheme });
        await open(id);
        // Checked with a row in it: an empty list would leave the page's table unchecked.
        if (id === 'sessions')
          await page.getByRole('link', { name: 'Claude Code, session agent-session-1' }).waitFor();
        await page.screenshot({ path: screenshotPath(`a11y-${id}-${scheme}`), fullPage: true });
        expect(await check(`${id} (${scheme})`)).toEqual([]);
      });
    }
    it(`the playground with two answers side by side (${scheme})`, async () => {
      await page.emulateMedia({ colorScheme: scheme });
      await open('playground');
      await page.getByRole('button', { name: 'Compare with another route or model' }).click();
      // The first model the route's list offers is picked where the route names none.
      await expect.poll(() => page.getByLabel('Model').nth(1).inputValue()).toBe('gpt-4.1-mini');
      await page.getByLabel('Message').fill('Name a holiday.');
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await page.getByText('A canned answer, for the check.').nth(1).waitFor();
      await page.screenshot({ path: screenshotPath(`a11y-playground-answers-${scheme}`), fullPage: true });
      expect(await check(`playground, two answers (${scheme})`)).toEqual([]);
    });
    it(`a replay beside its original (${scheme})`, async () => {
      await page.emulateMedia({ colorScheme: scheme });
      const [first] = (
        (await (
          await fetch(`${stack.gateway.url}/admin/api/requests?limit=1&route=openai`, {
            headers: { authorization: `Bearer ${stack.gateway.adminToken}` },
          })
        ).json()) as { data: { id: string }[] }
      ).data;
      await open(`playground?replay=${first!.id}`);
      await page.getByRole('button', { name: 'Replay', exact: true }).click();
      await page.getByText('A canned answer, for the check.').nth(1).waitFor();
      await page.screenshot({ path: screenshotPath(`a11y-replay-${scheme}`), fullPage: true });
      expect(await check(`replay (${scheme})`)).toEqual([]);
    });
    for (const dialog of DIALOGS) {
      it(`the ${dialog.name} dialog (${scheme})`, async () => {
        await page.emulateMedia({ colorScheme: scheme });
        await open(dialog.page);
        await dialog.open(page);
        // Confirmations are alert dialogs, so that screen readers announce the question at once.
        const shown = page.getByRole('dialog').or(page.getByRole('alertdialog')).first();
        await shown.waitFor();
        await page.screenshot({ path: screenshotPath(`a11y-${dialog.name}-${scheme}`) });
        expect(await check(`${dialog.name} dialog (${scheme})`)).toEqual([]);
        await page.keyboard.press('Escape');
      });
    }
  }
});
