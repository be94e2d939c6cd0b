import { rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../gateway/config/load.ts';
import { ANTHROPIC_KEY, startFakeAnthropic } from '../support/fake-anthropic.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../support/fake-openai.ts';
import type { FakeServer } from '../support/fake-server.ts';
import { seriousViolations } from './axe.ts';
import { buildDashboard, launchBrowser, screenshotPath, startStack, type Stack } from './support.ts';

// Issue 15, item 5: a prompt to two routes side by side, and a logged request replayed on another
// vendor beside its original answer, in real Chromium against the real gateway.

const APP_KEY = 'sbk_playground_0123456789abcdef012';

/** The recorded OpenAI answer's first words (shared/fixtures/openai/openai-text.*). */
const OPENAI_WORDS = /Holiday Name:\*\* (Galaxy|Harmony) Day/;
/** The recorded Anthropic answer (shared/fixtures/anthropic/anthropic-text.json). */
const ANTHROPIC_WORDS = /Hello! I'm doing well, thanks for asking\./;

describe('the playground and replay, in the dashboard', () => {
  let dashboardDir: string;
  let openai: FakeOpenAi;
  let anthropic: FakeServer;
  let stack: Stack;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;

  beforeAll(async () => {
    dashboardDir = await buildDashboard();
    [openai, anthropic] = await Promise.all([startFakeOpenAi(), startFakeAnthropic()]);
    stack = await startStack(dashboardDir, {
      config: parseConfig(
        {
          routes: [
            {
              id: 'gpt',
              vendor: 'openai',
              baseUrl: openai.url,
              apiKey: 'sk-playground-vendor-0123',
              logBodies: true,
              defaultModel: 'gpt-4.1-nano',
            },
            {
              id: 'claude',
              vendor: 'anthropic',
              baseUrl: anthropic.origin,
              apiKey: ANTHROPIC_KEY,
              models: ['claude-haiku-4-5', 'claude-sonnet-*'],
            },
          ],
          apps: [{ name: 'cli', key: APP_KEY }],
        },
        'playground',
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
    await Promise.all([openai?.close(), anthropic?.close()]);
    if (dashboardDir) rmSync(dashboardDir, { recursive: true, force: true });
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`sends one prompt to two routes and shows both answers side by side (${scheme})`, async () => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`${stack.gateway.url}/ui/#/playground`);
      await page.getByRole('heading', { name: 'Send a prompt' }).waitFor();
      // The first route and its default model are picked already.
      await expect.poll(() => page.getByLabel('Model').inputValue()).toBe('gpt-4.1-nano');
      await page.getByRole('button', { name: 'Compare with another route or model' }).click();
      const second = page.getByRole('group', { name: 'Answer 2' });
      await second.getByLabel('Route').selectOption('claude');
      // The allow-list's first literal name is offered for the route picked.
      await expect.poll(() => second.getByLabel('Model').inputValue()).toBe('claude-haiku-4-5');
      await page.getByLabel('System prompt').fill('Answer briefly.');
      await page.getByLabel('Message').fill('Invent a holiday.');
      await page.getByRole('button', { name: 'Send', exact: true }).click();

      const first = page.getByRole('region', { name: 'Answer 1 · gpt · gpt-4.1-nano' });
      const other = page.getByRole('region', { name: 'Answer 2 · claude · claude-haiku-4-5' });
      await first.getByText(OPENAI_WORDS).waitFor();
      await other.getByText(ANTHROPIC_WORDS).waitFor();
      // Tokens and cost come from each request's row.
      await first.getByText('16 / 363').waitFor();
      await expect.poll(() => other.locator('.answer-figures').textContent()).toMatch(/\$\d/);
      // The vendor was sent the system prompt and the message as typed.
      expect(anthropic.seen.at(-1)!.body).toMatchObject({
        model: 'claude-haiku-4-5',
        system: [{ type: 'text', text: 'Answer briefly.' }],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Invent a holiday.' }] }],
      });
      await other.scrollIntoViewIfNeeded();
      await page.screenshot({ path: screenshotPath(`playground-${scheme}`) });
      expect(await seriousViolations(page)).toEqual([]);
    });

    it(`replays a logged streamed request on another vendor beside its original answer (${scheme})`, async () => {
      const response = await fetch(`${stack.gateway.url}/openai/gpt/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'gpt-4.1-nano',
          stream: true,
          messages: [{ role: 'user', content: `Invent a holiday, ${scheme} edition.` }],
        }),
      });
      expect(await response.text()).toContain('data: [DONE]');
      const id = response.headers.get('x-switchboard-request-id')!;

      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`${stack.gateway.url}/ui/#/requests`);
      await page
        .getByRole('button', { name: /details of the request/ })
        .first()
        .click();
      await page.getByRole('link', { name: 'Replay on another route or model' }).click();
      await page.waitForURL(new RegExp(`#/playground\\?replay=${id}$`));

      const original = page.getByRole('region', { name: 'Original · gpt · gpt-4.1-nano' });
      // The original answer, put together from its logged stream.
      await original.getByText(OPENAI_WORDS).waitFor();
      await page.getByText(/The prompt \(1 turn\)/).click();
      await page.getByText(`Invent a holiday, ${scheme} edition.`).waitFor();

      const target = page.getByRole('group', { name: 'Send it to' });
      await target.getByLabel('Route').selectOption('claude');
      await target.getByLabel('Model').fill('claude-haiku-4-5');
      await page.getByRole('button', { name: 'Replay', exact: true }).click();
      const replayed = page.getByRole('region', { name: 'Replay · claude · claude-haiku-4-5' });
      await replayed.getByText(ANTHROPIC_WORDS).waitFor();
      expect(anthropic.seen.at(-1)!.body).toMatchObject({
        model: 'claude-haiku-4-5',
        messages: [
          { role: 'user', content: [{ type: 'text', text: `Invent a holiday, ${scheme} edition.` }] },
        ],
      });
      // Not streamed: the whole answer is shown at once.
      expect(anthropic.seen.at(-1)!.body?.['stream']).not.toBe(true);
      await replayed.scrollIntoViewIfNeeded();
      await page.screenshot({ path: screenshotPath(`replay-${scheme}`) });
      expect(await seriousViolations(page)).toEqual([]);

      // Recorded like any request, under the built-in app.
      const rows = (await (
        await fetch(`${stack.gateway.url}/admin/api/requests?app=playground&route=claude&limit=1`, {
          headers: { authorization: `Bearer ${stack.gateway.adminToken}` },
        })
      ).json()) as { data: { app: string; route: string }[] };
      expect(rows.data[0]).toMatchObject({ app: 'playground', route: 'claude' });
    });
  }

  it('says why a request without a logged body cannot be replayed', async () => {
    await page.goto(`${stack.gateway.url}/ui/#/playground?replay=req_not_there`);
    await page.getByText('There is no request').waitFor();
  });

  it('shows the built-in app on Apps & keys, where its budget is set', async () => {
    await page.goto(`${stack.gateway.url}/ui/#/apps`);
    const card = page.getByRole('region', { name: 'playground' });
    await card.getByText('built in').waitFor();
    await card.getByText(/sends its prompts and replays as this app/).waitFor();
    expect(await card.getByRole('button', { name: /New key/ }).count()).toBe(0);
  });
});
