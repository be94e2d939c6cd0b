import { readFileSync, rmSync } from 'node:fs';
import type { BrowserContext, Download, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../gateway/store/index.ts';
import type { RequestRecord } from '../../gateway/store/types.ts';
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

// Issue 15, item 3: the request log as a tool. A request is found by its id and by the text of its
// error, and the export downloads every row the filters select, not only the page on screen.

const VENDOR_KEY = 'sk-test-vendor-key-request-log-01';
/** What the vendor told one caller: the text the search must find. */
const VENDOR_ERROR = 'The model `gpt-9-ultra` does not exist or you do not have access to it.';
/** More failed rows than a page of the log shows (50). */
const BULK = 60;

async function visible(locator: Locator, timeout = 5000): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return locator.first();
}

describe('the request log as a tool, in headless Chromium against the real gateway', () => {
  let dashboardDir: string;
  let fake: FakeOpenAi;
  let stack: Stack;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  let page: Page;
  let failedId = '';
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
  const shoot = (name: string) => page.screenshot({ path: screenshotPath(name) });
  const bodyRows = () => page.locator('.requests-table tbody tr:not(.skeleton-row)');
  /**
   * Does what changes the filters, and waits for the log's answer to the query `wanted` picks out:
   * until then the rows on screen are the previous filters'.
   */
  const filtering = async (action: () => Promise<void>, wanted: (query: URLSearchParams) => boolean) => {
    await Promise.all([
      page.waitForResponse((response) => {
        const url = new URL(response.url());
        return url.pathname === '/admin/api/requests' && wanted(url.searchParams);
      }),
      action(),
    ]);
  };
  /** Types into the search field and applies it, as a user does with Enter. */
  const search = async (text: string) => {
    const field = page.getByLabel('Search', { exact: true });
    await field.fill(text);
    await filtering(
      () => field.press('Enter'),
      (query) => query.get('q') === text,
    );
  };
  const clearFilters = () =>
    filtering(
      () => page.getByRole('button', { name: 'Clear filters' }).click(),
      (query) => [...query.keys()].join() === 'limit',
    );
  /** Waits until the log shows exactly `count` rows. */
  const rowsShown = async (count: number) => {
    await page.waitForFunction(
      (expected) =>
        document.querySelectorAll('.requests-table tbody tr:not(.skeleton-row)').length === expected,
      count,
    );
    expect(await bodyRows().count()).toBe(count);
  };
  const downloaded = async (button: string): Promise<{ name: string; text: string }> => {
    const [download]: [Download, void] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: button }).click(),
    ]);
    return { name: download.suggestedFilename(), text: readFileSync((await download.path())!, 'utf8') };
  };

  beforeAll(async () => {
    clearFailures();
    [dashboardDir, fake] = await Promise.all([buildDashboard(), startFakeOpenAi()]);
    stack = await startStack(dashboardDir);
    await admin('POST', '/routes', { id: 'openai', vendor: 'openai', baseUrl: fake.url, apiKey: VENDOR_KEY });
    const appKey = String((await admin('POST', '/apps', { name: 'agent' }))['key']);
    const chat = (model: string) =>
      fetch(`${stack.gateway.url}/openai/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${appKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello' }] }),
      });

    // Failed rows from an earlier day, written straight into the database as a second process would.
    const store = openStore(stack.dataDir);
    const day = Date.parse('2026-11-02T09:00:00Z');
    store.requests.insertMany(
      Array.from({ length: BULK }, (_, index): RequestRecord => ({
        id: `req_bulk_${String(index).padStart(3, '0')}`,
        time: day + index * 60_000,
        app: 'agent',
        route: 'openai',
        vendor: 'openai',
        model: 'gpt-4.1-nano',
        upstreamModel: 'gpt-4.1-nano',
        endpoint: 'chat.completions',
        stream: false,
        status: 502,
        errorCode: 'upstream_error',
        errorMessage: `Bad gateway, "upstream" said: try again\nlater (${index})`,
        inputTokens: null,
        outputTokens: null,
        cachedInputTokens: null,
        reasoningTokens: null,
        costUsd: null,
        latencyMs: 40,
        ttfbMs: null,
        partial: false,
      })),
    );
    store.close();

    // Today's requests, through the gateway: two answered, one refused by the vendor.
    expect((await chat('gpt-4.1-nano')).status).toBe(200);
    fake.respond((_, response) =>
      sendJson(response, 404, {
        error: { message: VENDOR_ERROR, type: 'invalid_request_error', code: 'model_not_found' },
      }),
    );
    expect((await chat('gpt-9-ultra')).status).toBe(404);
    fake.respond(null);
    expect((await chat('gpt-4.1-nano')).status).toBe(200);
    const failed = (await admin('GET', '/requests?statusClass=4xx')) as { data: { id: string }[] };
    expect(failed.data).toHaveLength(1);
    failedId = failed.data[0]!.id;

    browser = await launchBrowser();
    context = browser.context;
    context.setDefaultTimeout(8000);
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(String(error)));
    expect((await page.goto(stack.gateway.loginUrl()))?.ok()).toBe(true);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Requests' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Requests' }));
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

  it('shows each row’s date with its time, local, with UTC on hover', async () => {
    await rowsShown(50);
    const time = bodyRows().first().locator('time');
    expect(await time.getAttribute('title')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    // The bulk rows are from another day than today's: their date is in the cell.
    const older = bodyRows().nth(10).locator('time');
    expect(await older.textContent()).toMatch(/Nov/);
    await shoot('request-log');
  });

  it('finds a request by its id', async () => {
    await search(failedId);
    await rowsShown(1);
    const row = bodyRows().first();
    expect(await row.textContent()).toContain('404');
    await row.getByRole('button').first().click();
    const detail = await visible(page.getByRole('dialog', { name: 'Request' }));
    expect(await detail.textContent()).toContain(failedId);
    expect(await detail.textContent()).toContain(VENDOR_ERROR);
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'detached' });
    // A part of the id is enough.
    await search(failedId.slice(-6));
    await rowsShown(1);
  });

  it('finds a request by the text of its error', async () => {
    await search('do not have ACCESS');
    await rowsShown(1);
    expect(await bodyRows().first().textContent()).toContain('404');
    await shoot('request-log-search');
    await clearFilters();
    await rowsShown(50);
  });

  it('exports every row the filters select, not only the page shown, as CSV and JSONL', async () => {
    await page.getByLabel('Status', { exact: true }).selectOption('5xx');
    await filtering(
      () => page.getByLabel('Errors only').check(),
      (query) => query.get('statusClass') === '5xx' && query.get('errors') === 'true',
    );
    // A page of them on screen, more behind "Show older requests".
    await rowsShown(50);
    await visible(page.getByRole('button', { name: 'Show older requests' }));

    const csv = await downloaded('Export CSV');
    expect(csv.name).toBe('switchboard-requests.csv');
    const [header, ...records] = splitCsv(csv.text);
    expect(header!.slice(0, 3)).toEqual(['id', 'time', 'app']);
    const column = (name: string) => header!.indexOf(name);
    expect(records).toHaveLength(BULK);
    expect(records.map((record) => record[column('id')])).toEqual(
      Array.from({ length: BULK }, (_, index) => `req_bulk_${String(BULK - 1 - index).padStart(3, '0')}`),
    );
    expect(new Set(records.map((record) => record[column('status')]))).toEqual(new Set(['502']));
    // The message with a comma, quotes and a line break comes back whole.
    expect(records.at(-1)![column('errorMessage')]).toBe(
      'Bad gateway, "upstream" said: try again\nlater (0)',
    );

    const jsonl = await downloaded('Export JSONL');
    expect(jsonl.name).toBe('switchboard-requests.jsonl');
    const lines = jsonl.text.trimEnd().split('\n');
    expect(lines).toHaveLength(BULK);
    expect((JSON.parse(lines[0]!) as { id: string; status: number }).status).toBe(502);

    // With a search on top, the export narrows with it.
    await search('(7)');
    await rowsShown(1);
    const narrowed = splitCsv((await downloaded('Export CSV')).text);
    expect(narrowed.slice(1).map((record) => record[0])).toEqual(['req_bulk_007']);
    await clearFilters();
    await rowsShown(50);
  });

  it('keeps the table header in view while the rows scroll under it, in light and dark', async () => {
    const box = page.locator('.requests-scroll');
    const header = page.locator('.requests-table thead th').first();
    await box.evaluate((element) => element.scrollTo({ top: 600 }));
    await page.waitForFunction(() => document.querySelector('.requests-scroll')!.scrollTop >= 600);
    const [boxTop, headerTop] = await Promise.all([
      box.evaluate((element) => element.getBoundingClientRect().top),
      header.evaluate((element) => element.getBoundingClientRect().top),
    ]);
    expect(Math.abs(headerTop - boxTop)).toBeLessThan(2);
    await shoot('request-log-scrolled');
    await page.emulateMedia({ colorScheme: 'dark' });
    await box.evaluate((element) => element.scrollTo({ top: 0 }));
    await search('upstream');
    await rowsShown(50);
    await shoot('request-log-dark');
    await box.evaluate((element) => element.scrollTo({ top: 600 }));
    await shoot('request-log-scrolled-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    expect(problems).toEqual([]);
  });
});

/** RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks. */
function splitCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\n') {
      records.push([...record, field]);
      record = [];
      field = '';
    } else field += char;
  }
  if (field !== '' || record.length > 0) records.push([...record, field]);
  return records;
}
