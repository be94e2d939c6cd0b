import { rmSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chatCompletion, sendJson, startFakeServer, type FakeServer } from '../support/fake-server.ts';
import { seriousViolations } from './axe.ts';
import {
  buildDashboard,
  clearFailures,
  launchBrowser,
  screenshotPath,
  startStack,
  type Stack,
} from './support.ts';

// Issue 15, item 6: a new user with a local model server running gets a working route without
// typing a URL. Here the server is a fake Ollama on a loopback port chosen by the OS, so the
// dashboard finds it through "Look on another port" rather than on Ollama's usual 11434.

const MODELS = ['llama3.2:latest', 'qwen3:8b', 'gemma3:4b'];

async function visible(locator: Locator, timeout = 5000): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return locator.first();
}

describe('local servers found for you', () => {
  let dashboardDir: string;
  let ollama: FakeServer;
  let stack: Stack;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  const problems: string[] = [];

  const admin = async (path: string) => {
    const response = await fetch(`${stack.gateway.url}/admin/api${path}`, {
      headers: { authorization: `Bearer ${stack.gateway.adminToken}` },
    });
    return (await response.json()) as Record<string, unknown>;
  };
  /** The theme switched, and its colour transitions run out: a picture or a contrast check mid-way would mislead. */
  const theme = async (scheme: 'light' | 'dark') => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.evaluate(() => Promise.all(document.getAnimations().map((animation) => animation.finished)));
  };
  const card = () => page.getByRole('region', { name: 'Model servers on this machine' });
  /** Our fake's line: a real Ollama on this machine would have one of its own. */
  const fakeItem = () =>
    card()
      .getByRole('listitem')
      .filter({ hasText: `127.0.0.1:${ollama.port}` });

  beforeAll(async () => {
    clearFailures();
    [dashboardDir, ollama] = await Promise.all([
      buildDashboard(),
      startFakeServer((request, response) => {
        if (request.url === '/') return void response.end('Ollama is running');
        if (request.url === '/v1/models')
          return sendJson(response, 200, {
            object: 'list',
            data: MODELS.map((id) => ({ id, object: 'model', created: 0, owned_by: 'library' })),
          });
        if (request.url === '/v1/chat/completions')
          return sendJson(response, 200, chatCompletion(String(request.body?.['model']), 8, 1));
        sendJson(response, 404, { error: 'not found' });
      }),
    ]);
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
    await ollama?.close();
    if (dashboardDir) rmSync(dashboardDir, { recursive: true, force: true });
  });

  it('offers the servers on this machine first on an empty overview', async () => {
    expect((await page.goto(stack.gateway.loginUrl()))?.ok()).toBe(true);
    await visible(page.getByRole('heading', { level: 1, name: 'Overview' }));
    const found = await visible(card());
    // Before the three steps, before the numbers.
    const headings = await page.getByRole('heading', { level: 2 }).allTextContents();
    expect(headings[0]).toBe('Model servers on this machine');
    expect(headings[1]).toBe('Get started in three steps');
    await visible(found.getByRole('button', { name: 'Look again' }));
    expect(await found.getByRole('button', { name: 'Look again' }).isEnabled()).toBe(true);
    for (const scheme of ['light', 'dark'] as const) {
      await theme(scheme);
      await page.screenshot({ path: screenshotPath(`discovery-first-run-${scheme}`) });
      expect(await seriousViolations(page)).toEqual([]);
    }
    await theme('light');
  });

  it('offers them on an empty Routes page too, before "Add a route"', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Routes' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Routes' }));
    await visible(card());
    const headings = await page.getByRole('heading', { level: 2 }).allTextContents();
    expect(headings.slice(0, 2)).toEqual(['Model servers on this machine', 'Add a route']);
    await page.screenshot({ path: screenshotPath('discovery-routes-empty') });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
    await visible(card());
  });

  it('finds a server on a port the user names, and adds it as a route in one click', async () => {
    const found = card();
    await found.getByLabel('Look on another port').fill(String(ollama.port));
    await found.getByRole('button', { name: 'Look', exact: true }).click();
    const item = await visible(fakeItem());
    expect(await item.textContent()).toContain('Ollama is running on this machine — 3 models');
    expect(await item.textContent()).toContain('llama3.2:latest, qwen3:8b, gemma3:4b');
    for (const scheme of ['light', 'dark'] as const) {
      await theme(scheme);
      await found.screenshot({ path: screenshotPath(`discovery-found-${scheme}`) });
      expect(await seriousViolations(page, '.local-servers')).toEqual([]);
    }
    await theme('light');

    await item.getByRole('button', { name: 'Add Ollama as a route' }).click();
    const notice = await visible(found.getByRole('status').filter({ hasText: 'added' }));
    const routes = (await admin('/routes'))['data'] as Record<string, unknown>[];
    expect(routes).toHaveLength(1);
    const route = routes[0]!;
    expect(route).toMatchObject({
      vendor: 'ollama',
      baseUrl: `http://127.0.0.1:${ollama.port}/v1`,
      // Every model the server has, or pulls later: no allow-list to keep up to date.
      models: [],
      defaultModel: 'llama3.2:latest',
      hasApiKey: false,
    });
    expect(await notice.textContent()).toContain(`Route “${String(route['id'])}” added`);
    // Shown as the route it now is, not offered twice; the first step is done.
    await visible(fakeItem().getByText('Already a route:'));
    expect(await fakeItem().getByRole('button').count()).toBe(0);
    await visible(page.getByRole('region', { name: 'Get started in three steps' }).getByText('(done)'));
    await page.screenshot({ path: screenshotPath('discovery-added-overview') });
    // Looking never sent a key, and asked nothing but who it is and which models it has.
    expect(ollama.seen.every((seen) => seen.headers.authorization === undefined)).toBe(true);
    expect(new Set(ollama.seen.map((seen) => `${seen.method} ${seen.url}`))).toEqual(
      new Set(['GET /', 'GET /v1/models']),
    );
  });

  it('lists the new route on Routes, and it answers', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Routes' }).click();
    const id = String((((await admin('/routes'))['data'] as Record<string, unknown>[])[0] ?? {})['id']);
    const row = await visible(page.getByRole('row', { name: new RegExp(`^${id}\\b`) }));
    expect(await row.textContent()).toContain(`http://127.0.0.1:${ollama.port}/v1`);
    expect(await row.textContent()).toContain('Ollama');
    // With routes, the look is on demand.
    expect(await card().count()).toBe(0);
    await row.getByRole('button', { name: 'Test' }).click();
    await visible(page.getByText('Connected: llama3.2:latest answered'));
    await page.getByRole('button', { name: 'Find local servers' }).click();
    await visible(card());
    await page.screenshot({ path: screenshotPath('discovery-routes') });
    expect(problems).toEqual([]);
  });
});
