import { rmSync } from 'node:fs';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify as toYaml, parse as parseYaml } from 'yaml';
import { parseConfig } from '../../gateway/config/load.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../support/fake-openai.ts';
import {
  buildDashboard,
  clearFailures,
  launchBrowser,
  screenshotPath,
  startStack,
  type Stack,
} from './support.ts';

// Issue 10: with a redact (or block, or system-prompt) filter stored, "Create route", "Save
// changes" and attaching a filter in the dashboard all failed with `400 filters[0].patterns: …`.
// And Settings' import of an export must keep the stored keys, warning before it removes one.

const VENDOR_KEY = 'sk-test-vendor-key-routes-filters-01';
const SECRET_IN_PROMPT = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789';

async function visible(locator: Locator, timeout = 5000): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return locator.first();
}

describe('routes and filters in the dashboard, with a redact filter stored', () => {
  let dashboardDir: string;
  let fake: FakeOpenAi;
  let stack: Stack;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${stack.gateway.url}/admin/api${path}`, {
      method,
      headers: { authorization: `Bearer ${stack.gateway.adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
  };
  const route = async (id: string) =>
    JSON.parse((await admin('GET', `/routes/${id}`)).text) as {
      filters: string[];
      hasApiKey: boolean;
      defaultModel: string | null;
    };
  const open = async (label: string) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();
    await visible(page.getByRole('heading', { level: 1, name: label }));
  };
  const openAdvanced = (dialog: Locator) =>
    dialog.getByText('Default model, budget, rate limit, filters, body logging').click();

  beforeAll(async () => {
    clearFailures();
    [dashboardDir, fake] = await Promise.all([buildDashboard(), startFakeOpenAi()]);
    stack = await startStack(dashboardDir, {
      config: parseConfig(
        {
          filters: [
            { name: 'no-secrets', kind: 'redact', patterns: ['builtin:api-keys'] },
            { name: 'no-passwords', kind: 'block', patterns: ['(?i)password\\s*='] },
            { name: 'house-rules', kind: 'system-prompt', text: 'Be brief.' },
          ],
        },
        'e2e-config',
        {},
      ),
    });
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
    await fake?.close();
    if (dashboardDir) rmSync(dashboardDir, { recursive: true, force: true });
  });

  it('creates a route with the redact filter attached', async () => {
    expect((await page.goto(stack.gateway.loginUrl()))?.ok()).toBe(true);
    await open('Routes');
    await page.getByRole('button', { name: 'Add a route' }).first().click();
    const dialog = await visible(page.getByRole('dialog', { name: 'Add a route' }));
    await dialog.getByRole('radio', { name: /^OpenAI/ }).check();
    await dialog.getByLabel('Base URL', { exact: true }).fill(fake.url);
    await dialog.getByLabel('API key', { exact: true }).fill(VENDOR_KEY);
    await openAdvanced(dialog);
    await dialog.getByRole('checkbox', { name: 'no-secrets', exact: true }).check();
    await dialog.getByRole('button', { name: 'Create route' }).click();
    await visible(page.getByRole('dialog').getByText('Route “openai” created'));
    expect(await page.getByRole('dialog').locator('.notice-error, [role="alert"]').count()).toBe(0);
    expect(await route('openai')).toMatchObject({ filters: ['no-secrets'], hasApiKey: true });
    await page.keyboard.press('Escape');
    await visible(page.getByRole('row', { name: /openai/ }));
  });

  it('edits the route: attaches two more filters and sets a default model', async () => {
    await page.getByRole('button', { name: 'Edit route openai' }).click();
    const dialog = await visible(page.getByRole('dialog', { name: 'Route “openai”' }));
    await openAdvanced(dialog);
    await dialog.getByRole('checkbox', { name: 'house-rules', exact: true }).check();
    await dialog.getByRole('checkbox', { name: 'no-passwords', exact: true }).check();
    await dialog.getByLabel('Default model', { exact: true }).fill('gpt-4.1-nano');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'detached' });
    const saved = await route('openai');
    expect([...saved.filters].sort()).toEqual(['house-rules', 'no-passwords', 'no-secrets']);
    expect(saved).toMatchObject({ defaultModel: 'gpt-4.1-nano', hasApiKey: true });

    // The filters act on the route's requests: redacted, with the system prompt, sent with its key.
    const app = JSON.parse((await admin('POST', '/apps', { name: 'e2e' })).text) as { key: string };
    const reply = await fetch(`${stack.gateway.url}/openai/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: `my key is ${SECRET_IN_PROMPT}` }] }),
    });
    expect(reply.status).toBe(200);
    const seen = fake.seen.at(-1)!;
    expect(seen.headers['authorization']).toBe(`Bearer ${VENDOR_KEY}`);
    expect(JSON.stringify(seen.body)).not.toContain(SECRET_IN_PROMPT);
    expect(JSON.stringify(seen.body)).toContain('Be brief.');
  });

  it('imports its own export in Settings without a change, keeping the route’s key', async () => {
    const exported = (await admin('GET', '/config')).text;
    expect(exported).toContain('apiKey: stored');
    await open('Settings');
    await page.getByLabel('Import a config file', { exact: true }).fill(exported);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const confirm = await visible(page.getByRole('alertdialog', { name: 'Import this config?' }));
    await confirm.getByRole('button', { name: 'Import', exact: true }).click();
    await confirm.waitFor({ state: 'detached' });
    await visible(page.getByText('Nothing to change'));
    expect(await route('openai')).toMatchObject({ hasApiKey: true });
    expect((await admin('GET', '/config')).text).toBe(exported);
  });

  it('warns before an import removes the stored key, and removes it only when confirmed', async () => {
    const edited = parseYaml((await admin('GET', '/config')).text) as { routes: Record<string, unknown>[] };
    delete edited.routes[0]!['apiKey'];
    const text = toYaml(edited);
    const importOnce = async () => {
      await page.getByLabel('Import a config file', { exact: true }).fill(text);
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      const confirm = await visible(page.getByRole('alertdialog', { name: 'Import this config?' }));
      await confirm.getByRole('button', { name: 'Import', exact: true }).click();
      const warning = await visible(page.getByRole('alertdialog', { name: 'Remove stored keys?' }));
      const list = warning.getByRole('list', { name: 'Keys the import would remove' });
      expect(((await list.textContent()) ?? '').replace(/\s+/g, ' ')).toContain(
        'Route openai: its vendor key',
      );
      return warning;
    };

    const first = await importOnce();
    await first.getByRole('button', { name: 'Cancel' }).click();
    await first.waitFor({ state: 'detached' });
    expect(await route('openai')).toMatchObject({ hasApiKey: true });

    const second = await importOnce();
    await page.screenshot({ path: screenshotPath('settings-import-drop-keys') });
    await second.getByRole('button', { name: 'Import and remove the keys' }).click();
    await second.waitFor({ state: 'detached' });
    await visible(page.getByText(/^Imported: 1 change$/));
    expect(await route('openai')).toMatchObject({ hasApiKey: false });
    expect(problems.filter((problem) => !problem.includes('409'))).toEqual([]);
  });
});
