import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, APP_KEY, startTestGateway, type TestGateway } from '../../support/gateway.ts';
import { startHostileUpstream, type HostileUpstream } from '../../support/hostile-upstream.ts';
import { startAlertListener, type AlertListener } from './listener.ts';

// Issue 15, item 8: the real gateway posts its budget alerts and route cooldowns to the webhook the
// server section names, and the Settings API sets it, shows its last delivery and sends a test.

const TOKEN = 'hook-token-0a1b2c3d4e5f';

let upstream: HostileUpstream;
let listener: AlertListener;
let gateway: TestGateway;
let hook: string;

const admin = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${gateway.url}/admin/api${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

const chat = (route: string) =>
  fetch(`${gateway.url}/openai/${route}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'gpt-4.1-nano',
      max_tokens: 16,
      messages: [{ role: 'user', content: 'Hi' }],
    }),
  });

beforeAll(async () => {
  [upstream, listener] = await Promise.all([startHostileUpstream(), startAlertListener()]);
  hook = `${listener.origin}/alerts?token=${TOKEN}`;
  gateway = await startTestGateway({
    routes: [
      {
        id: 'tiny',
        vendor: 'openai-compatible',
        baseUrl: upstream.openAiBaseUrl,
        apiKey: 'sk-tiny-key-0123456789',
        // max_tokens keeps the estimate low; the fixture's answer then costs $0.147: past 50%, not 80%.
        budget: { usd: 0.2, period: 'day' },
      },
      {
        id: 'flaky',
        vendor: 'openai-compatible',
        baseUrl: upstream.openAiBaseUrl,
        apiKey: 'sk-flaky-key-0123456789',
        retries: 0,
      },
    ],
    apps: [{ name: 'agent', key: APP_KEY }],
    prices: [
      { model: 'gpt-4.1-nano', inputPerMTok: 100, outputPerMTok: 400 },
      { model: 'gpt-4.1-nano-2025-04-14', inputPerMTok: 100, outputPerMTok: 400 },
    ],
    server: { cooldown: { failures: 2, windowSeconds: 60, seconds: 60 }, alertWebhook: { url: hook } },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([upstream?.close(), listener?.close()]);
});

describe('alerts posted to the webhook by a running gateway', () => {
  it('posts a budget alert when a route passes a threshold of its budget', async () => {
    upstream.setFault(null);
    expect((await chat('tiny')).status).toBe(200);
    const [received] = await listener.waitFor(1);
    expect(received!.url).toBe(`/alerts?token=${TOKEN}`);
    expect(received!.body).toMatchObject({
      version: 1,
      kind: 'budget',
      scope: 'route',
      name: 'tiny',
      threshold: 50,
      limitUsd: 0.2,
      periodStart: expect.stringMatching(/T00:00:00\.000Z$/),
    });
    expect(Date.parse(String(received!.body['time']))).toBeGreaterThan(Date.now() - 60_000);
  });

  it('posts a route starting a cooldown, and ending it', async () => {
    const before = listener.received.length;
    upstream.setFault({ kind: 'status', status: 503 });
    for (let i = 0; i < 2; i++) expect((await chat('flaky')).status).toBe(503);
    const cooling = (await listener.waitFor(before + 1))[before]!.body;
    expect(cooling).toMatchObject({
      version: 1,
      kind: 'route_cooling',
      route: 'flaky',
      lastError: { status: 503 },
    });
    expect(Date.parse(String(cooling['until']))).toBeGreaterThan(Date.now() + 50_000);
    // Its only route: still tried while cooling, and an answer heals it.
    upstream.setFault(null);
    expect((await chat('flaky')).status).toBe(200);
    const healthy = (await listener.waitFor(before + 2))[before + 1]!.body;
    expect(healthy).toMatchObject({ kind: 'route_healthy', route: 'flaky', until: null });
  });

  it('shows the webhook and its last delivery in the settings, and sends a test alert', async () => {
    const settings = await admin('GET', '/settings');
    expect(settings.body['alertWebhook']).toEqual({ url: hook });
    expect(settings.body['alertDelivery']).toMatchObject({ ok: true, message: null });
    const before = listener.received.length;
    expect(await admin('POST', '/settings/alert-webhook/test', {})).toEqual({
      status: 200,
      body: { delivered: true, status: 204, message: null },
    });
    expect((await listener.waitFor(before + 1))[before]!.body).toMatchObject({ kind: 'test' });
  });

  it('applies a new URL at once, refuses one that is not http(s), and removes it with null', async () => {
    const other = await startAlertListener();
    try {
      const url = `${other.origin}/new`;
      expect((await admin('PUT', '/settings', { alertWebhook: { url } })).body['alertWebhook']).toEqual({
        url,
      });
      // The earlier URL's delivery says nothing of this one.
      expect((await admin('GET', '/settings')).body['alertDelivery']).toBeNull();
      expect(await admin('POST', '/settings/alert-webhook/test', {})).toMatchObject({
        body: { delivered: true },
      });
      expect(other.received).toHaveLength(1);
      const refused = await admin('PUT', '/settings', { alertWebhook: { url: 'file:///etc/passwd' } });
      expect(refused.status).toBe(400);
      expect(JSON.stringify(refused.body)).toContain('alertWebhook.url: must be an http:// or https:// URL');
      expect((await admin('PUT', '/settings', { alertWebhook: null })).body['alertWebhook']).toBeNull();
      expect((await admin('POST', '/settings/alert-webhook/test', {})).status).toBe(400);
    } finally {
      await other.close();
    }
  });

  it('tests a URL not saved yet, and says why a delivery failed', async () => {
    const failing = await startAlertListener();
    try {
      failing.behave({ status: 410 });
      expect(await admin('POST', '/settings/alert-webhook/test', { url: `${failing.origin}/gone` })).toEqual({
        status: 200,
        body: { delivered: false, status: 410, message: 'answered 410' },
      });
      expect(
        (await admin('POST', '/settings/alert-webhook/test', { url: 'ftp://example.com/' })).status,
      ).toBe(400);
    } finally {
      await failing.close();
    }
  });
});

describe('a webhook that fails', () => {
  it('is logged once with its origin only, and the settings say the last delivery failed', async () => {
    const failing = await startAlertListener();
    failing.behave({ status: 404 });
    const url = `${failing.origin}/missing?token=${TOKEN}`;
    const alone = await startTestGateway({
      routes: [
        {
          id: 'flaky',
          vendor: 'openai-compatible',
          baseUrl: upstream.openAiBaseUrl,
          apiKey: 'sk-flaky-key-0123456789',
          retries: 0,
        },
      ],
      apps: [{ name: 'agent', key: APP_KEY }],
      server: { cooldown: { failures: 1, windowSeconds: 60, seconds: 60 }, alertWebhook: { url } },
    });
    try {
      upstream.setFault({ kind: 'status', status: 503 });
      const response = await fetch(`${alone.url}/openai/flaky/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Hi' }] }),
      });
      expect(response.status).toBe(503);
      const deadline = Date.now() + 5_000;
      while (!alone.logs.some((line) => line.includes('alert webhook')) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 10));
      expect(alone.logs.filter((line) => line.includes('alert webhook'))).toEqual([
        `warn: alert webhook ${failing.origin}: an alert was not delivered after 1 attempt: answered 404`,
      ]);
      const settings = await fetch(`${alone.url}/admin/api/settings`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(((await settings.json()) as Record<string, unknown>)['alertDelivery']).toMatchObject({
        ok: false,
        message: 'answered 404',
      });
      expect(alone.logs.join('\n')).not.toContain(TOKEN);
      expect(alone.logs.join('\n')).not.toContain('/missing');
    } finally {
      upstream.setFault(null);
      await alone.stop();
      await failing.close();
    }
  });
});
