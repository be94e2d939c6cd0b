import { rmSync } from 'node:fs';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAi, type FakeOpenAi } from '../support/fake-openai.ts';
import { sendJson } from '../support/fake-server.ts';
import {
  buildDashboard,
  clearFailures,
  launchBrowser,
  screenshotPath,
  startStack,
  type Stack,
} from './support.ts';

// Issue 14: a route names its fallbacks in the editor; when it fails before the first byte the next
// one serves, the failing route cools down (and the Routes page says so), and the request's details
// list every upstream call.

const VENDOR_KEY = 'sk-test-vendor-key-route-health-01';
/** The gateway's default: this many failures within a minute start a cooldown (of 30 s). */
const FAILURES_TO_COOL = 3;

async function visible(locator: Locator, timeout = 5000): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return locator.first();
}

const chatCalls = (fake: FakeOpenAi) => fake.seen.filter((seen) => seen.url.endsWith('/chat/completions'));

describe('fallbacks and route health in the dashboard, against failing fake upstreams', () => {
  let dashboardDir: string;
  let primary: FakeOpenAi;
  let backup: FakeOpenAi;
  let stack: Stack;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  let page: Page;
  let appKey = '';
  const problems: string[] = [];

  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${stack.gateway.url}/admin/api${path}`, {
      method,
      headers: { authorization: `Bearer ${stack.gateway.adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const chat = () =>
    fetch(`${stack.gateway.url}/openai/primary/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${appKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Hello' }] }),
    });
  const open = async (label: string) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();
    await visible(page.getByRole('heading', { level: 1, name: label }));
  };
  const shoot = (name: string) => page.screenshot({ path: screenshotPath(name) });

  beforeAll(async () => {
    clearFailures();
    [dashboardDir, primary, backup] = await Promise.all([
      buildDashboard(),
      startFakeOpenAi(),
      startFakeOpenAi(),
    ]);
    stack = await startStack(dashboardDir);
    for (const [id, fake] of [
      ['primary', primary],
      ['backup', backup],
    ] as const)
      await admin('POST', '/routes', { id, vendor: 'openai', baseUrl: fake.url, apiKey: VENDOR_KEY });
    appKey = String((await admin('POST', '/apps', { name: 'agent' }))['key']);
    browser = await launchBrowser();
    context = browser.context;
    context.setDefaultTimeout(8000);
    page = context.pages()[0] ?? (await context.newPage());
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
    while ((await page.locator('.dialog').count()) > 0) await page.keyboard.press('Escape');
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await Promise.all([primary?.close(), backup?.close()]);
    if (dashboardDir) rmSync(dashboardDir, { recursive: true, force: true });
  });

  it('sets a fallback and the retries in the route editor', async () => {
    expect((await page.goto(stack.gateway.loginUrl()))?.ok()).toBe(true);
    await open('Routes');
    for (const id of ['primary', 'backup'])
      expect(
        await (await visible(page.getByRole('row', { name: new RegExp(`^${id}\\b`) }))).textContent(),
      ).toContain('Healthy');
    await page.getByRole('button', { name: 'Edit route primary' }).click();
    const dialog = await visible(page.getByRole('dialog', { name: 'Route “primary”' }));
    const fallbacks = dialog.getByRole('group', { name: 'Fallbacks' });
    expect(await fallbacks.textContent()).toContain(
      'tried in order when this route fails before the first byte',
    );
    // A route cannot fall back to itself.
    const offered = await fallbacks.getByLabel('Add a fallback').locator('option').allTextContents();
    expect(offered).toEqual(['Choose a route…', 'backup']);
    await fallbacks.getByLabel('Add a fallback').selectOption('backup');
    await fallbacks.getByRole('button', { name: 'Add', exact: true }).click();
    await visible(fallbacks.getByRole('listitem').filter({ hasText: 'backup' }));
    // No retries on the failing route: each request then makes one call to it, then one to the fallback.
    await fallbacks.getByLabel('Retries', { exact: true }).fill('0');
    await fallbacks.scrollIntoViewIfNeeded();
    await shoot('route-editor-fallbacks');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await admin('GET', '/routes/primary')).toMatchObject({ fallbacks: ['backup'], retries: 0 });
    await visible(page.getByRole('row', { name: /^primary\b/ }).getByText('Falls back to backup'));
  });

  it('falls back while the primary fails, and shows the primary cooling down until a local time', async () => {
    primary.respond((_, response) =>
      sendJson(response, 503, {
        error: { message: 'The server is overloaded right now.', type: 'server_error', code: null },
      }),
    );
    for (let request = 1; request <= FAILURES_TO_COOL; request++) {
      const answer = await chat();
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-switchboard-route')).toBe('backup');
      await answer.text();
    }
    expect(chatCalls(primary)).toHaveLength(FAILURES_TO_COOL);
    expect(chatCalls(backup)).toHaveLength(FAILURES_TO_COOL);
    // Cooling down, the primary is skipped: the fallback answers without it being called.
    const skipped = await chat();
    expect(skipped.status).toBe(200);
    await skipped.text();
    expect(chatCalls(primary)).toHaveLength(FAILURES_TO_COOL);

    const health = (await admin('GET', '/routes/primary'))['health'] as { state: string; until: string };
    expect(health.state).toBe('cooling');
    // A fresh read of the list, rather than waiting for its poll.
    await open('Requests');
    await open('Routes');
    const row = await visible(page.getByRole('row', { name: /^primary\b/ }));
    // The browser's own locale and time zone, as the page formats it.
    const until = await page.evaluate(
      (iso) =>
        new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(
          new Date(iso),
        ),
      health.until,
    );
    expect(await row.getByRole('cell').nth(4).textContent()).toBe(`Cooling down until ${until}`);
    const detail = await visible(page.locator('.route-cooling'));
    const text = (await detail.textContent()) ?? '';
    expect(text).toContain(`Cooling down until ${until}: requests skip it for its fallbacks`);
    expect(text).toContain('503');
    expect(
      await page
        .getByRole('row', { name: /^backup\b/ })
        .getByRole('cell')
        .nth(4)
        .textContent(),
    ).toBe('Healthy');
    await shoot('route-health');
  });

  it('lists both attempts of a request that fell back in its details', async () => {
    await open('Requests');
    const row = await visible(page.getByRole('row', { name: /fallback/ }));
    expect(await row.getByRole('cell').nth(2).textContent()).toBe('backup fallback');
    await row.getByRole('button').first().click();
    const detail = await visible(page.getByRole('dialog', { name: 'Request' }));
    const attempts = detail.getByRole('table', { name: 'Upstream attempts, in the order they were made' });
    const rows = attempts.getByRole('row');
    expect(await rows.count()).toBe(3);
    const cells = async (index: number) =>
      (await rows.nth(index).getByRole('cell').allTextContents()).map((cell) =>
        cell.replace(/\s+/g, ' ').trim(),
      );
    const [first, second] = [await cells(1), await cells(2)];
    expect(first[0]).toBe('1');
    expect(first[1]).toMatch(/^primary /);
    expect(first[2]).toMatch(/^503\b/);
    expect(second[0]).toBe('2');
    expect(second[1]).toMatch(/^backup answered /);
    expect(second[2]).toBe('200');
    const servedBy = detail.getByText('Served by', { exact: true });
    expect(await servedBy.locator('xpath=following-sibling::dd[1]').textContent()).toContain('backup');
    await attempts.scrollIntoViewIfNeeded();
    await shoot('request-attempts');
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'detached' });
    expect(problems).toEqual([]);
  });
});
