import { readFileSync, rmSync } from 'node:fs';
import OpenAI from 'openai';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAi, type FakeOpenAi } from '../support/fake-openai.ts';
import {
  clearFailures,
  buildDashboard,
  launchBrowser,
  screenshotPath,
  startStack,
  type Stack,
} from './support.ts';

const VENDOR_KEY = 'sk-test-vendor-key-9f8e7d6c5b4a';

/** Waits until the locator is visible (playwright-core has no web-first assertions). */
async function visible(locator: Locator, timeout = 5000): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return locator.first();
}

describe('the dashboard in headless Chromium against the real gateway', () => {
  let dashboardDir: string;
  let fake: FakeOpenAi;
  let stack: Stack;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  let page: Page;
  let appKey = '';
  const problems: string[] = [];

  const client = () =>
    new OpenAI({ baseURL: `${stack.gateway.url}/openai/openai/v1`, apiKey: appKey, maxRetries: 0 });
  const open = async (label: string, heading = label) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();
    await visible(page.getByRole('heading', { level: 1, name: heading }));
  };
  const shoot = (name: string) => page.screenshot({ path: screenshotPath(name), fullPage: false });

  beforeAll(async () => {
    clearFailures();
    [dashboardDir, fake] = await Promise.all([buildDashboard(), startFakeOpenAi()]);
    stack = await startStack(dashboardDir);
    browser = await launchBrowser();
    context = browser.context;
    // Fail a step in seconds, not at the test's own timeout, so one broken step does not hide the rest.
    context.setDefaultTimeout(8000);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.gateway.url });
    page = context.pages()[0] ?? (await context.newPage());
    // A CSP violation or a React error shows up here: the run must have none.
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(String(error)));
  });

  // A failed step leaves a picture of what the page showed, and no dialog in the way of the next test.
  afterEach(async (test) => {
    if (test.task.result?.state !== 'fail' || !page) return;
    await page.screenshot({
      path: screenshotPath(`failed-${test.task.name.slice(0, 40).replace(/\W+/g, '-')}`),
    });
    while ((await page.locator('.dialog').count()) > 0) await page.keyboard.press('Escape');
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await fake?.close();
    if (dashboardDir) rmSync(dashboardDir, { recursive: true, force: true });
  });

  it('opens with the one-time login link on an overview that says what to do first', async () => {
    const response = await page.goto(stack.gateway.loginUrl());
    expect(response?.ok()).toBe(true);
    expect(new URL(page.url()).pathname).toBe('/ui/');
    await visible(page.getByRole('heading', { name: 'Get started in three steps' }));
    expect(await page.getByRole('link', { name: 'Add a route' }).count()).toBe(1);
    await shoot('overview-empty');
    // The link works once.
    const again = await fetch(page.url().replace('/ui/', '/ui/login?token=used'));
    expect(again.status).toBe(401);
  });

  it('creates a route through the UI, tests it and picks models from the vendor’s list', async () => {
    await page.getByRole('link', { name: 'Add a route' }).click();
    await visible(page.getByRole('dialog', { name: 'Add a route' }));
    // Once created, the same dialog goes on as the route's editor, under the route's name.
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('radio', { name: /^OpenAI/ }).check();
    expect(await dialog.getByLabel('Route id', { exact: true }).inputValue()).toBe('openai');
    await dialog.getByLabel('Base URL', { exact: true }).fill(fake.url);
    await dialog.getByLabel('API key', { exact: true }).fill(VENDOR_KEY);
    await shoot('route-editor');
    // The test runs on the form's values, before anything is saved.
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    const connected = await visible(dialog.getByText(/^Connected: .* answered in/));
    expect(await connected.textContent()).toContain('gpt-4.1-nano');
    const saved = () =>
      page.evaluate(
        async () => ((await (await fetch('/admin/api/routes')).json()) as { data: unknown[] }).data,
      );
    expect(await saved()).toEqual([]);
    await dialog.getByRole('button', { name: 'Create route' }).click();
    await visible(dialog.getByText('Route “openai” created'));
    await dialog.getByRole('button', { name: 'Pick from the vendor’s models' }).click();
    await dialog.getByRole('checkbox', { name: 'gpt-4.1-nano', exact: true }).check();
    await dialog.getByRole('checkbox', { name: 'gpt-4.1-mini', exact: true }).check();
    await shoot('route-editor-models');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'detached' });
    await visible(page.getByRole('row', { name: /openai.*gpt-4\.1-nano, gpt-4\.1-mini/ }));
    // The vendor saw the key from the form on the test request.
    expect(fake.seen.some((seen) => seen.headers['authorization'] === `Bearer ${VENDOR_KEY}`)).toBe(true);
    await shoot('routes');
  });

  it('creates an app and shows its key once, with a working copy button and filled-in snippets', async () => {
    await open('Apps & keys');
    await page.getByRole('button', { name: 'Create an app key' }).click();
    const form = await visible(page.getByRole('dialog', { name: 'Create an app key' }));
    await form.getByLabel('Name', { exact: true }).fill('e2e-app');
    await form.getByRole('button', { name: 'Create app and key' }).click();
    const dialog = await visible(page.getByRole('dialog', { name: 'Key for “e2e-app”' }));
    appKey = ((await dialog.getByLabel('The new app key', { exact: true }).textContent()) ?? '').trim();
    expect(appKey).toMatch(/^sbk_[0-9A-Za-z]{32}$/);
    await dialog.getByRole('button', { name: 'Copy key' }).click();
    await visible(dialog.getByText('Copied', { exact: true }));
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(appKey);
    await dialog.getByRole('tab', { name: 'Node' }).click();
    const snippet = (await dialog.getByRole('tabpanel').textContent()) ?? '';
    expect(snippet).toContain(`baseURL: "${stack.gateway.url}/openai/openai/v1"`);
    expect(snippet).toContain(`apiKey: "${appKey}"`);
    await dialog.getByRole('tab', { name: 'Python' }).click();
    await shoot('app-key-dialog');
    await dialog.getByRole('button', { name: 'I’ve copied the key' }).click();
    await dialog.waitFor({ state: 'detached' });
    // Only the prefix is ever shown again.
    expect(await page.getByText(appKey).count()).toBe(0);
    await visible(page.getByText(appKey.slice(0, 8) + '…'));
    await shoot('apps');
  });

  it('shows a request made with the openai package in Requests without a reload, and in the charts', async () => {
    await open('Requests');
    await visible(page.getByRole('heading', { name: 'No requests yet' }));
    const reply = await client().chat.completions.create({
      model: 'gpt-4.1-nano',
      messages: [{ role: 'user', content: 'Hello' }],
    });
    expect(reply.choices[0]?.message.content).toBeTruthy();
    // The live log polls every two seconds.
    const row = await visible(page.getByRole('row', { name: /e2e-app/ }), 6000);
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('gpt-4.1-nano');
    expect(text).toContain('200');
    expect(text).toMatch(/16\s*\/\s*363/);
    await shoot('requests');
    await row.getByRole('button').first().click();
    const detail = await visible(page.getByRole('dialog', { name: 'Request' }));
    const details = (await detail.textContent()) ?? '';
    expect(details).toContain('Model used');
    expect(details).toContain('gpt-4.1-nano-2025-04-14');
    expect(details).toMatch(/\$0\.000\d+/);
    await shoot('request-detail');
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'detached' });

    await open('Spend & usage');
    await visible(page.locator('.recharts-bar-rectangle path, .recharts-rectangle').first());
    const totals = await visible(page.getByRole('row', { name: /gpt-4\.1-nano/ }));
    expect(await totals.textContent()).toMatch(/\$0\.000\d+/);
    await shoot('usage');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\n')[0]).toContain('costUsd');
    expect(csv).toContain('gpt-4.1-nano');

    await open('Overview');
    await visible(page.locator('.recharts-bar-rectangle path, .recharts-rectangle').first());
    expect(await page.getByRole('heading', { name: 'Get started in three steps' }).count()).toBe(0);
    await shoot('overview');
  });

  it('tries a redact filter on a sample request before saving it', async () => {
    await open('Filters');
    await page.getByRole('button', { name: 'New filter' }).click();
    const dialog = await visible(page.getByRole('dialog', { name: 'New filter' }));
    await dialog.getByLabel('Name', { exact: true }).fill('no-secrets');
    await dialog.getByRole('checkbox', { name: 'emails' }).check();
    await dialog.getByRole('button', { name: 'Try it' }).click();
    await visible(dialog.getByText('Forwarded, with the highlighted lines changed'));
    const forwarded =
      (await dialog.getByLabel('The request as it would be forwarded', { exact: true }).textContent()) ?? '';
    expect(forwarded).toContain('[REDACTED:emails]');
    expect(forwarded).toContain('[REDACTED:api-keys]');
    expect(forwarded).not.toContain('ada@example.com');
    await dialog.getByRole('button', { name: 'Try it' }).scrollIntoViewIfNeeded();
    await shoot('filter-editor');
    await dialog.getByRole('button', { name: 'Create filter' }).click();
    await dialog.waitFor({ state: 'detached' });
    await visible(page.getByRole('row', { name: /no-secrets/ }));
    await shoot('filters');
  });

  it('revokes the key after asking, and the next request is refused with 401', async () => {
    await open('Apps & keys');
    await page.getByRole('button', { name: /^Revoke key sbk_/ }).click();
    const confirm = await visible(page.getByRole('alertdialog', { name: /^Revoke key sbk_/ }));
    expect(await confirm.textContent()).toContain('401 invalid_api_key');
    await confirm.getByRole('button', { name: 'Revoke key' }).click();
    await confirm.waitFor({ state: 'detached' });
    await visible(page.getByText(/^Revoked /));
    const refused = await client()
      .chat.completions.create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Hello' }] })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((refused as InstanceType<typeof OpenAI.AuthenticationError>).status).toBe(401);
    await open('Requests');
    await visible(page.getByRole('row', { name: /401/ }));
  });

  it('shows the settings and exports the config as YAML', async () => {
    await open('Settings');
    await visible(page.getByText(stack.dataDir));
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export YAML' }).click(),
    ]);
    const yaml = readFileSync((await download.path())!, 'utf8');
    expect(yaml).toContain('id: openai');
    expect(yaml).not.toContain(VENDOR_KEY);
    await shoot('settings');
  });

  it('follows the OS into dark mode', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await open('Overview');
    await visible(page.locator('.recharts-bar-rectangle path, .recharts-rectangle').first());
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(17, 17, 19)');
    await shoot('overview-dark');
    await open('Requests');
    await visible(page.getByRole('row', { name: /e2e-app/ }));
    await shoot('requests-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    expect(problems).toEqual([]);
  });
});
