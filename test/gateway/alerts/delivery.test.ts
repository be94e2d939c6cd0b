import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AlertWebhook, budgetAlertBody, routeHealthBody } from '../../../gateway/policy/alert-webhook.ts';
import { startAlertListener, type AlertListener } from './listener.ts';

const TOKEN = 'hook-token-5f4e3d2c1b0a';
const BUDGET_ALERT = {
  scope: 'app' as const,
  name: 'my-ide',
  periodStart: Date.UTC(2025, 0, 1),
  threshold: 80,
  spentUsd: 4,
  limitUsd: 5,
  createdAt: Date.UTC(2025, 0, 1, 12),
};

let listener: AlertListener;
let webhook: AlertWebhook;
let warnings: string[];
let url: string | undefined;

/** A webhook with short waits, so that retries and timeouts take milliseconds. */
function start(options: { timeoutMs?: number; now?: () => number } = {}) {
  webhook = new AlertWebhook({
    url: () => url,
    warn: (message) => warnings.push(message),
    ...(options.now === undefined ? {} : { now: options.now }),
    timeoutMs: options.timeoutMs ?? 1_000,
    retryDelaysMs: [20, 40],
  });
}

/** Waits until the webhook has settled what it was given: delivered, or given up and said so. */
async function settled(check: () => boolean, timeoutMs = 3_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('the webhook did not settle');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

beforeEach(async () => {
  listener = await startAlertListener();
  url = `${listener.origin}/hooks/alerts?token=${TOKEN}`;
  warnings = [];
  start();
});

afterEach(async () => {
  webhook.close();
  await listener.close();
});

describe('the alert webhook', () => {
  it('posts a budget alert as JSON, with its fields and a version', async () => {
    webhook.budget(BUDGET_ALERT);
    const [received] = await listener.waitFor(1);
    expect(received!.url).toBe(`/hooks/alerts?token=${TOKEN}`);
    expect(received!.headers['content-type']).toBe('application/json');
    expect(received!.headers['user-agent']).toMatch(/^Switchboard\//);
    expect(received!.body).toEqual({
      version: 1,
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      kind: 'budget',
      time: '2025-01-01T12:00:00.000Z',
      text: 'App "my-ide" passed 80% of its budget: $4.00 of $5.00 spent.',
      scope: 'app',
      name: 'my-ide',
      threshold: 80,
      spentUsd: 4,
      limitUsd: 5,
      periodStart: '2025-01-01T00:00:00.000Z',
    });
    await settled(() => webhook.status() !== null);
    expect(webhook.status()).toMatchObject({ ok: true, message: null });
    expect(warnings).toEqual([]);
  });

  it('returns at once: delivery happens after the caller is done', async () => {
    webhook.close();
    const now = vi.fn(() => Date.UTC(2025, 0, 1, 12));
    start({ now });
    webhook.routeHealth({ route: 'claude', state: 'healthy', until: null, lastError: null });
    // A route alert's body reads the clock: made on the caller's stack, it would have read it already.
    expect(now).not.toHaveBeenCalled();
    const [received] = await listener.waitFor(1);
    expect(received!.body).toMatchObject({ kind: 'route_healthy', time: '2025-01-01T12:00:00.000Z' });
  });

  it('retries a failing receiver with backoff, with the same id, and is then delivered', async () => {
    listener.behave({ status: 429 }, { status: 408 }, { status: 204 });
    webhook.routeHealth({ route: 'claude', state: 'healthy', until: null, lastError: null });
    const [received] = await listener.waitFor(1);
    expect(listener.hits).toBe(3);
    expect(received!.body).toMatchObject({ kind: 'route_healthy', route: 'claude', until: null });
    expect(listener.posted).toHaveLength(3);
    expect(new Set(listener.posted.map((attempt) => attempt.body['id']))).toEqual(
      new Set([received!.body['id']]),
    );
    await settled(() => webhook.status()?.ok === true);
    expect(warnings).toEqual([]);
  });

  it('gives up after two retries, logs once without the URL, and the status says why', async () => {
    listener.behave({ status: 500 });
    webhook.budget(BUDGET_ALERT);
    await settled(() => warnings.length > 0);
    // Nothing more comes: the last attempt was the third.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(listener.hits).toBe(3);
    expect(warnings).toEqual([
      `alert webhook ${listener.origin}: an alert was not delivered after 3 attempts: answered 500`,
    ]);
    expect(webhook.status()).toMatchObject({ ok: false, message: 'answered 500' });
  });

  it('does not retry a 4xx that will answer the same', async () => {
    listener.behave({ status: 404 });
    webhook.budget(BUDGET_ALERT);
    await settled(() => warnings.length > 0);
    expect(listener.hits).toBe(1);
    expect(webhook.status()?.message).toBe('answered 404');
  });

  it('ends an attempt to a receiver that hangs after its timeout, and retries', async () => {
    webhook.close();
    start({ timeoutMs: 150 });
    listener.behave({ hang: true });
    const started = Date.now();
    webhook.budget(BUDGET_ALERT);
    await settled(() => warnings.length > 0);
    // Three attempts of 150 ms and two waits: neither sooner nor much later.
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 150 + 20 + 40);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(listener.hits).toBe(3);
    expect(warnings[0]).toContain('no answer within 0.15 s');
  });

  it('does not follow a redirect', async () => {
    const elsewhere = await startAlertListener();
    try {
      listener.behave({ redirect: `${elsewhere.origin}/stolen` });
      webhook.budget(BUDGET_ALERT);
      await settled(() => warnings.length > 0);
      expect(listener.hits).toBe(1);
      expect(elsewhere.hits).toBe(0);
      expect(webhook.status()?.message).toBe('answered 307, a redirect, which is not followed');
    } finally {
      await elsewhere.close();
    }
  });

  it('says a receiver that is not there could not be reached, with no part of the URL but its origin', async () => {
    await listener.close();
    webhook.budget(BUDGET_ALERT);
    await settled(() => warnings.length > 0);
    expect(warnings[0]).toMatch(/not delivered after 3 attempts: could not be reached \(ECONNREFUSED\)$/);
    for (const message of [...warnings, webhook.status()?.message ?? '']) {
      expect(message).not.toContain(TOKEN);
      expect(message).not.toContain('/hooks');
    }
  });

  it('sends a test alert once and reports how it went', async () => {
    expect(await webhook.test(url!)).toEqual({ delivered: true, status: 204, message: null });
    expect((await listener.waitFor(1))[0]!.body).toMatchObject({ version: 1, kind: 'test' });
    listener.behave({ status: 500 });
    expect(await webhook.test(url!)).toEqual({ delivered: false, status: 500, message: 'answered 500' });
    // A test is not retried: the person who pressed the button is waiting.
    expect(listener.hits).toBe(2);
    expect(webhook.status()).toMatchObject({ ok: false, message: 'answered 500' });
    // The status belongs to the URL it was about: another one has none yet.
    url = `${listener.origin}/other`;
    expect(webhook.status()).toBeNull();
  });

  it('sends nothing while no URL is set', async () => {
    url = undefined;
    webhook.budget(BUDGET_ALERT);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(listener.hits).toBe(0);
  });

  it('drops what is under way when the gateway closes, without a warning', async () => {
    listener.behave({ hang: true });
    webhook.budget(BUDGET_ALERT);
    await settled(() => listener.hits === 1);
    webhook.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(listener.hits).toBe(1);
    expect(warnings).toEqual([]);
  });
});

describe('alert bodies', () => {
  it('say a route cools down until when, and its last error without a key', () => {
    const body = routeHealthBody(
      {
        route: 'claude',
        state: 'cooling',
        until: Date.UTC(2025, 0, 1, 12, 0, 30),
        lastError: {
          time: Date.UTC(2025, 0, 1, 12),
          status: 401,
          code: 'upstream_error',
          message: 'Incorrect API key provided: sk-proj-abcdef123456',
        },
      },
      Date.UTC(2025, 0, 1, 12),
    );
    expect(body).toMatchObject({
      version: 1,
      kind: 'route_cooling',
      time: '2025-01-01T12:00:00.000Z',
      route: 'claude',
      until: '2025-01-01T12:00:30.000Z',
      lastError: {
        time: '2025-01-01T12:00:00.000Z',
        status: 401,
        code: 'upstream_error',
        message: 'Incorrect API key provided: [redacted]',
      },
    });
    expect(body.text).toBe(
      'Route "claude" is cooling down until 2025-01-01T12:00:30.000Z: it failed repeatedly, so requests go to its fallbacks first. Last error: 401 Incorrect API key provided: [redacted]',
    );
  });

  it('say a budget was reached, and what that means', () => {
    expect(budgetAlertBody({ ...BUDGET_ALERT, scope: 'route', threshold: 100, spentUsd: 5 }).text).toBe(
      'Route "my-ide" reached its budget: $5.00 of $5.00 spent. Its requests are refused until the budget resets or is raised.',
    );
  });
});
