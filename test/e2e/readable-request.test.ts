import { rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../gateway/config/load.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../support/fake-openai.ts';
import { seriousViolations } from './axe.ts';
import { buildDashboard, launchBrowser, screenshotPath, startStack, type Stack } from './support.ts';

// Issue 15, item 4: a logged, streamed request reads as a conversation, its answer as text.

const APP_KEY = 'sbk_readable_0123456789abcdef0123';

describe('a logged streamed request, read in the dashboard', () => {
  let dashboardDir: string;
  let fake: FakeOpenAi;
  let stack: Stack;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;

  beforeAll(async () => {
    dashboardDir = await buildDashboard();
    fake = await startFakeOpenAi();
    stack = await startStack(dashboardDir, {
      config: parseConfig(
        {
          routes: [
            {
              id: 'gpt',
              vendor: 'openai',
              baseUrl: fake.url,
              apiKey: 'sk-readable-vendor-0123',
              logBodies: true,
            },
          ],
          apps: [{ name: 'cli', key: APP_KEY }],
        },
        'readable',
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
    await fake?.close();
    if (dashboardDir) rmSync(dashboardDir, { recursive: true, force: true });
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`shows the prompt and the answer put together from its stream (${scheme})`, async () => {
      const response = await fetch(`${stack.gateway.url}/openai/gpt/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'gpt-4.1-nano',
          stream: true,
          messages: [
            { role: 'system', content: 'Answer in one paragraph.' },
            { role: 'user', content: 'Invent a holiday.' },
          ],
        }),
      });
      expect(await response.text()).toContain('data: [DONE]');
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`${stack.gateway.url}/ui/#/requests`);
      await page.locator('.row-open').first().click();
      const conversation = page.getByLabel('The request as a conversation');
      await conversation.waitFor();
      await conversation.getByText('Invent a holiday.').waitFor();
      // The recorded stream's first words, put together from its chunks.
      await conversation.getByText(/Holiday Name:\*\* Harmony Day/).waitFor();
      await page.screenshot({ path: screenshotPath(`readable-request-${scheme}`) });
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Show raw JSON' }).click();
      await page
        .getByText(/"content":"Invent a holiday\."/)
        .first()
        .waitFor();
      await page.keyboard.press('Escape');
    });
  }
});
