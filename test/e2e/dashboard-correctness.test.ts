import { rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../gateway/config/load.ts';
import { openStore } from '../../gateway/store/index.ts';
import type { RequestRecord } from '../../gateway/store/types.ts';
import {
  buildDashboard,
  freshDataDir,
  launchBrowser,
  screenshotPath,
  startStack,
  type Stack,
} from './support.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Three models over two weeks: "claude" costs the most, "nano" uses the most tokens. */
function traffic(now: number): RequestRecord[] {
  const models = [
    { model: 'claude-sonnet-4-5', route: 'claude', vendor: 'anthropic', input: 3000, perMTok: 6 },
    { model: 'gpt-4.1-nano', route: 'openai', vendor: 'openai', input: 40_000, perMTok: 0.1 },
    { model: 'gpt-4.1-mini', route: 'openai', vendor: 'openai', input: 2000, perMTok: 0.4 },
  ];
  const records: RequestRecord[] = [];
  for (let day = 13; day >= 0; day--) {
    for (const [index, item] of models.entries()) {
      const time = Math.min(now - 60_000, Math.floor(now / DAY) * DAY - day * DAY + (8 + index) * HOUR);
      records.push({
        id: `req_correctness_${records.length}`,
        time,
        app: index === 0 ? 'cursor' : 'nightly-agent',
        route: item.route,
        vendor: item.vendor,
        model: item.model,
        upstreamModel: item.model,
        endpoint: 'chat.completions',
        stream: false,
        status: 200,
        errorCode: null,
        inputTokens: item.input,
        outputTokens: 100,
        cachedInputTokens: 0,
        reasoningTokens: 0,
        // Float noise, as real sums of prices make it.
        costUsd: ((item.input + 100) * item.perMTok) / 1e6 + 1e-18,
        latencyMs: 400,
        ttfbMs: 200,
        partial: false,
      });
    }
  }
  return records.sort((a, b) => a.time - b.time);
}

describe('the dashboard’s layout and numbers in headless Chromium (issue 10, item 9)', () => {
  let dashboardDir: string;
  let stack: Stack;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;

  const show = async (hash: string, heading: string) => {
    await page.goto(`${stack.gateway.url}/ui/#/${hash}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    // Let the page's data arrive and lay out: skeletons gone.
    await page.waitForFunction(() => document.querySelectorAll('.skeleton').length === 0);
  };

  /** How far the document itself (not the page's own scroller, .main) can scroll. */
  const documentOverflow = () =>
    page.evaluate(() => {
      const scroller = document.scrollingElement!;
      const main = document.querySelector('.main')!;
      return {
        height: scroller.scrollHeight - window.innerHeight,
        width: scroller.scrollWidth - window.innerWidth,
        mainScrolls: main.scrollHeight > main.clientHeight,
      };
    });

  beforeAll(async () => {
    dashboardDir = await buildDashboard();
    const dataDir = freshDataDir();
    const store = openStore(dataDir);
    store.requests.insertMany(traffic(Date.now()));
    store.close();
    stack = await startStack(dashboardDir, {
      dataDir,
      config: parseConfig(
        {
          routes: [
            { id: 'openai', preset: 'openai', apiKey: 'sk-correctness-not-a-real-key-0000' },
            {
              id: 'claude',
              preset: 'anthropic',
              apiKey: 'sk-ant-correctness-not-a-real-key-00',
              budget: { usd: 150, period: 'month' },
            },
          ],
          apps: [
            {
              name: 'cursor',
              key: 'sbk_correct_cursor_0123456789abcdefg',
              budget: { usd: 10, period: 'day' },
            },
            { name: 'nightly-agent', key: 'sbk_correct_nightly_0123456789abcdef' },
            { name: 'claude-code', key: 'sbk_correct_claude_0123456789abcdefg', routes: ['claude'] },
            { name: 'scripts', key: 'sbk_correct_scripts_0123456789abcdef' },
          ],
        },
        'dashboard-correctness',
      ),
    });
    browser = await launchBrowser();
    browser.context.setDefaultTimeout(8000);
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(stack.gateway.loginUrl());
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    if (dashboardDir) rmSync(dashboardDir, { recursive: true, force: true });
  });

  // The shell is fixed and .main scrolls: a visually hidden caption or label far down a page must
  // not be laid out against the viewport, where it stretches the document under the shell.
  for (const [hash, heading] of [
    ['apps', 'Apps & keys'],
    ['settings', 'Settings'],
    ['overview', 'Overview'],
    ['routes', 'Routes'],
    ['usage', 'Spend & usage'],
    ['filters', 'Filters'],
  ] as const) {
    it(`does not scroll the document on ${heading}, only the page`, async () => {
      await show(hash, heading);
      const overflow = await documentOverflow();
      expect(overflow.height).toBeLessThanOrEqual(0);
      expect(overflow.width).toBeLessThanOrEqual(0);
      if (hash === 'apps' || hash === 'settings') {
        // Long enough that hidden text sits below the fold, which is what used to stretch the document.
        expect(overflow.mainScrolls).toBe(true);
        await page.locator('.main').evaluate((main) => main.scrollTo({ top: main.scrollHeight }));
        expect((await documentOverflow()).height).toBeLessThanOrEqual(0);
      }
    });
  }

  it('gives each model one colour in the Cost and the Tokens chart', async () => {
    await show('usage', 'Spend & usage');
    await page.locator('.recharts-bar-rectangle').first().waitFor();
    const fills = (title: string) =>
      page.getByRole('region', { name: title }).evaluate((region) => {
        const seen: Record<string, string> = {};
        for (const bar of region.querySelectorAll('path.recharts-rectangle'))
          seen[bar.getAttribute('name')!] = bar.getAttribute('fill')!;
        return seen;
      });
    const cost = await fills('Cost');
    expect(Object.keys(cost).sort()).toEqual(['claude-sonnet-4-5', 'gpt-4.1-mini', 'gpt-4.1-nano']);
    expect(await fills('Tokens')).toEqual(cost);
    expect(new Set(Object.values(cost)).size).toBe(3);
    // The money axis: no two ticks read the same, all in one format.
    const ticks = await page
      .getByRole('region', { name: 'Cost' })
      .locator('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value')
      .allTextContents();
    expect(ticks.length).toBeGreaterThan(2);
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(new Set(ticks.map((text) => /\.(\d+)/.exec(text)?.[1]?.length)).size).toBe(1);
    // The totals line up: one number of decimals down the cost column.
    const costs = await page
      .getByRole('region', { name: 'Totals by model' })
      .locator('tr td:last-child')
      .allTextContents();
    expect(new Set(costs.map((text) => /\.(\d+)/.exec(text)?.[1]?.length)).size).toBe(1);
  });

  it('asks before a click outside closes a new key, and closes at once once it was copied', async () => {
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: stack.gateway.url,
    });
    await show('apps', 'Apps & keys');
    await page.getByRole('region', { name: 'scripts' }).getByRole('button', { name: 'New key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Key for “scripts”' });
    await dialog.waitFor();
    await page.mouse.click(8, 400);
    const ask = page.getByRole('alertdialog', { name: 'Close without copying the key?' });
    await ask.waitFor();
    await page.screenshot({ path: screenshotPath('correctness-key-confirm') });
    await ask.getByRole('button', { name: 'Go back to the key' }).click();
    await ask.waitFor({ state: 'detached' });
    await dialog.getByRole('button', { name: 'Copy key' }).click();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('names the budget under each spend total, with its own spend, and takes pictures at 1280 px', async () => {
    await show('overview', 'Overview');
    const today = page.locator('.stat', { hasText: 'Spend today' });
    expect(await today.textContent()).toMatch(/App cursor:\s*\$[\d.]+ of \$10\.00/);
    const month = page.locator('.stat', { hasText: 'Spend this month' });
    expect(await month.textContent()).toMatch(/Route claude:\s*\$[\d.]+ of \$150\.00/);

    for (const [hash, heading] of [
      ['overview', 'Overview'],
      ['usage', 'Spend & usage'],
      ['apps', 'Apps & keys'],
      ['routes', 'Routes'],
    ] as const) {
      await show(hash, heading);
      if (hash === 'overview' || hash === 'usage')
        await page.locator('.recharts-bar-rectangle').first().waitFor();
      await page.screenshot({ path: screenshotPath(`correctness-${hash}`) });
    }
  });
});
