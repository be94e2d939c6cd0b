import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAi, type FakeOpenAi } from '../support/fake-openai.ts';
import { sendJson } from '../support/fake-server.ts';
import { fixtureChunks, fixtureJson } from '../support/fixtures.ts';
import {
  buildDashboard,
  clearFailures,
  launchBrowser,
  screenshotPath,
  startStack,
  type Stack,
} from './support.ts';

// Issue 15, items 1 and 2: requests through the real gateway to a fake upstream that takes its time,
// then the Latency & models page draws their latency and lists the model beside its vendor's name.

const VENDOR_KEY = 'sk-test-vendor-key-latency-0001';

async function visible(locator: Locator, timeout = 5000): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return locator.first();
}

describe('latency and model comparison in the dashboard, from real requests', () => {
  let dashboardDir: string;
  let upstream: FakeOpenAi;
  let stack: Stack;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
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
  const chat = async (stream: boolean) => {
    const response = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${appKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-4.1-nano',
        stream,
        ...(stream ? { stream_options: { include_usage: true } } : {}),
        messages: [{ role: 'user', content: 'Hello' }],
      }),
    });
    expect(response.status).toBe(200);
    await response.text();
  };

  beforeAll(async () => {
    clearFailures();
    [dashboardDir, upstream] = await Promise.all([buildDashboard(), startFakeOpenAi()]);
    // A vendor that thinks before it answers and streams its words over time, so that there is a
    // time to first token and a speed to measure.
    upstream.respond(async (request, response) => {
      await sleep(60);
      if (request.body?.['stream'] !== true)
        return sendJson(response, 200, fixtureJson('openai/openai-text.json'));
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const payload of fixtureChunks('openai/openai-text.chunks.txt')) {
        response.write(`data: ${payload}\n\n`);
        await sleep(5);
      }
      response.end('data: [DONE]\n\n');
    });
    stack = await startStack(dashboardDir);
    await admin('POST', '/routes', {
      id: 'openai',
      vendor: 'openai',
      baseUrl: upstream.url,
      apiKey: VENDOR_KEY,
    });
    appKey = String((await admin('POST', '/apps', { name: 'bench' }))['key']);
    for (let index = 0; index < 6; index++) await chat(index % 2 === 0);

    browser = await launchBrowser();
    browser.context.setDefaultTimeout(8000);
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(String(error)));
    expect((await page.goto(stack.gateway.loginUrl()))?.ok()).toBe(true);
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
    await upstream?.close();
    if (dashboardDir) rmSync(dashboardDir, { recursive: true, force: true });
  });

  it('answers the admin API with the requests’ percentiles', async () => {
    const models = (await admin('GET', '/usage/models?groupBy=model'))['data'] as Record<string, unknown>[];
    expect(models).toHaveLength(1);
    expect(models[0]).toMatchObject({
      key: 'gpt-4.1-nano',
      requests: 6,
      errors: 0,
      upstreamModels: ['gpt-4.1-nano-2025-04-14'],
    });
    // The upstream waited 60 ms before answering: no request can have been quicker.
    expect(models[0]!['latencyMsP50']).toBeGreaterThanOrEqual(60);
    expect(models[0]!['ttftMsP50']).toBeGreaterThanOrEqual(60);
    expect(models[0]!['tokensPerSecond']).toBeGreaterThan(0);
    // Switchboard's own time per bucket, apart: the vendor's 60 ms wait on every request is not in it
    // (a margin of 10 ms for timers that fire early).
    const points = (await admin('GET', '/usage/latency?groupBy=none'))['data'] as {
      latencyMs: { p50: number };
      gatewayMs: { p50: number } | null;
    }[];
    expect(points).toHaveLength(1);
    expect(points[0]!.gatewayMs!.p50).toBeGreaterThanOrEqual(0);
    expect(points[0]!.gatewayMs!.p50).toBeLessThan(points[0]!.latencyMs.p50 - 50);
  });

  it('draws the latency chart and lists the model in the comparison table', async () => {
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Latency & models' })
        .click();
      await visible(page.getByRole('heading', { level: 1, name: 'Latency & models' }));
      await page.waitForFunction(() => document.querySelectorAll('.skeleton').length === 0);
      await page.locator('.main').evaluate((main) => main.scrollTo({ top: 0 }));

      const latency = page.getByRole('region', { name: 'End-to-end latency, p50' });
      // One model over the last 7 days: a dot for today at least, on an axis of round durations.
      await visible(latency.locator('.recharts-line-dots circle, .recharts-line-dot'));
      const ticks = await latency
        .locator('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value')
        .allTextContents();
      expect(ticks[0]).toBe('0 ms');
      for (const tick of ticks) expect(tick).toMatch(/^\d+(\.\d+)? (ms|s)$/);
      for (const region of [
        'Switchboard’s own time, p50',
        'Time to first token, p50',
        'Tokens per second, median',
      ])
        await visible(
          page
            .getByRole('region', { name: region })
            .locator('.recharts-line-dots circle, .recharts-line-dot'),
        );

      // Its own axis, of milliseconds, not the end-to-end chart's.
      const ownTicks = await page
        .getByRole('region', { name: 'Switchboard’s own time, p50' })
        .locator('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value')
        .allTextContents();
      expect(ownTicks[0]).toBe('0 ms');
      for (const tick of ownTicks) expect(tick).toMatch(/^\d+(\.\d+)? (ms|s)$/);
      // Sub-millisecond ticks are told apart, not all rounded to "0 ms".
      expect(new Set(ownTicks).size).toBe(ownTicks.length);

      const table = page.getByRole('region', { name: 'Models compared' });
      const row = await visible(table.getByRole('row', { name: /^gpt-4\.1-nano/ }));
      expect(await row.getByRole('rowheader').textContent()).toContain('gpt-4.1-nano-2025-04-14');
      expect(await row.getByRole('cell').first().textContent()).toBe('6');
      await page.screenshot({ path: screenshotPath(`latency-${theme}`) });
      await table.scrollIntoViewIfNeeded();
      await page.screenshot({ path: screenshotPath(`latency-table-${theme}`) });
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('sorts the table from the keyboard and shows routes on request', async () => {
    const table = page.getByRole('region', { name: 'Models compared' });
    const p95 = table.getByRole('button', { name: 'p95', exact: true });
    await p95.focus();
    await page.keyboard.press('Enter');
    expect(await table.getByRole('columnheader', { name: 'p95' }).getAttribute('aria-sort')).toBe(
      'descending',
    );
    await page.getByRole('radio', { name: 'Route' }).check({ force: true });
    const routes = page.getByRole('region', { name: 'Routes compared' });
    await visible(routes.getByRole('row', { name: /^openai/ }));
    expect(problems).toEqual([]);
  });
});
