import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  APP_KEY,
  OTHER_APP_KEY,
  requestRows,
  startTestGateway,
  type TestGateway,
} from '../../support/gateway.ts';
import { startHostileUpstream, type Fault, type HostileUpstream } from '../../support/hostile-upstream.ts';

/*
 * Issue 14: a vendor's bad minute, injected per status and per stage, for each inbound format. The
 * primary route (OpenAI wire format, upstream A) falls back to an Anthropic route (upstream B):
 * translated one way or passed through, depending on what the client speaks. For each case: what
 * the client gets, how many calls each upstream saw, what the row and its attempts say, and the
 * budgets afterwards (everything reserved released or spent, as the rows say).
 */

type Row = Record<string, unknown>;
type Attempt = { route: string; model: string | null; status: number | null; errorCode: string | null };

interface Format {
  name: string;
  path: (route: string) => string;
  body: Record<string, unknown>;
  /** The text that ends a whole stream in this format. */
  end: string;
}

const FORMATS: Format[] = [
  {
    name: 'OpenAI Chat Completions',
    path: (route) => `/openai/${route}/v1/chat/completions`,
    body: { model: 'gpt-4.1-nano', stream: true, messages: [{ role: 'user', content: 'Hi' }] },
    end: 'data: [DONE]',
  },
  {
    name: 'Anthropic Messages',
    path: (route) => `/anthropic/${route}/v1/messages`,
    body: {
      model: 'gpt-4.1-nano',
      stream: true,
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hi' }],
    },
    end: 'event: message_stop',
  },
  {
    name: 'Gemini',
    path: (route) => `/gemini/${route}/v1beta/models/gpt-4.1-nano:streamGenerateContent?alt=sse`,
    body: { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] },
    end: '"finishReason":"STOP"',
  },
  {
    name: 'OpenAI Responses',
    path: (route) => `/openai/${route}/v1/responses`,
    body: { model: 'gpt-4.1-nano', stream: true, store: false, input: 'Hi' },
    end: 'event: response.completed',
  },
];

let primary: HostileUpstream;
let backup: HostileUpstream;
let gateway: TestGateway;

beforeAll(async () => {
  [primary, backup] = await Promise.all([startHostileUpstream(), startHostileUpstream()]);
  gateway = await startTestGateway({
    routes: [
      {
        id: 'main',
        // A compatible server that does not speak Responses: every format is translated to it.
        vendor: 'openai-compatible',
        baseUrl: primary.openAiBaseUrl,
        apiKey: 'sk-primary-key-0123456789',
        fallbacks: ['backup'],
        budget: { usd: 50, period: 'month' },
      },
      {
        id: 'backup',
        vendor: 'anthropic',
        baseUrl: backup.origin,
        apiKey: 'sk-ant-backup-key-0123456789',
        models: ['claude-*'],
        defaultModel: 'claude-sonnet-4-5',
        budget: { usd: 50, period: 'month' },
      },
      {
        id: 'solo',
        vendor: 'openai-compatible',
        baseUrl: primary.openAiBaseUrl,
        apiKey: 'sk-primary-key-0123456789',
      },
    ],
    apps: [{ name: 'agent', key: APP_KEY, budget: { usd: 50, period: 'month' } }],
    // A compatible server is free unless priced: priced here, so that every admission reserves something.
    prices: [
      { model: 'gpt-4.1-nano', inputPerMTok: 100, outputPerMTok: 400 },
      { model: 'gpt-4.1-nano-2025-04-14', inputPerMTok: 100, outputPerMTok: 400 },
    ],
    // Short waits between attempts, and no cooldown here: that has its own test below.
    server: { retry: { maxDelayMs: 20 }, cooldown: { failures: 1000 } },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([primary?.close(), backup?.close()]);
});

beforeEach(() => {
  primary.setFault(null);
  backup.setFault(null);
});

async function send(format: Format, route = 'main') {
  const before = { primary: primary.seen.length, backup: backup.seen.length };
  const response = await fetch(`${gateway.url}${format.path(route)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(format.body),
  });
  const text = await response.text();
  const [row] = await requestRows(gateway, 1);
  return {
    status: response.status,
    text,
    headers: response.headers,
    calls: { primary: primary.seen.length - before.primary, backup: backup.seen.length - before.backup },
    row: row as Row,
    attempts: (row as Row)['attempts'] as Attempt[],
  };
}

const CUT_BEFORE_STATUS: Fault = { kind: 'cut', stage: 'before-status' };

describe.each(FORMATS)('$name in, a bad minute on the primary route', (format) => {
  it('retries a 503 on the same route and answers from it', async () => {
    primary.queueFaults([{ kind: 'status', status: 503 }]);
    const result = await send(format);
    expect(result.status).toBe(200);
    expect(result.text).toContain(format.end);
    expect(result.calls).toEqual({ primary: 2, backup: 0 });
    expect(result.attempts.map((attempt) => [attempt.route, attempt.status])).toEqual([
      ['main', 503],
      ['main', 200],
    ]);
    expect(result.row).toMatchObject({ route: 'main', status: 200, partial: false });
    expect(result.headers.get('x-switchboard-route')).toBe('main');
  });

  it('retries a stream that ends after its headers, before its first byte', async () => {
    primary.queueFaults([{ kind: 'cut', stage: 'after-headers' }]);
    const result = await send(format);
    expect(result.status).toBe(200);
    expect(result.text).toContain(format.end);
    expect(result.calls).toEqual({ primary: 2, backup: 0 });
    expect(result.attempts.map((attempt) => attempt.status)).toEqual([null, 200]);
  });

  it('falls back to the Anthropic route when every retry fails before the first byte', async () => {
    primary.setFault(CUT_BEFORE_STATUS);
    const result = await send(format);
    expect(result.status).toBe(200);
    expect(result.text).toContain(format.end);
    // The first call and its two retries, then the fallback.
    expect(result.calls).toEqual({ primary: 3, backup: 1 });
    expect(result.attempts.map((attempt) => [attempt.route, attempt.status, attempt.errorCode])).toEqual([
      ['main', null, 'upstream_error'],
      ['main', null, 'upstream_error'],
      ['main', null, 'upstream_error'],
      ['backup', 200, null],
    ]);
    expect(result.attempts.at(-1)!.model).toBe('claude-sonnet-4-5');
    expect(result.row).toMatchObject({
      route: 'backup',
      vendor: 'anthropic',
      status: 200,
      model: 'claude-sonnet-4-5',
    });
    expect(result.row['costUsd']).toBeGreaterThan(0);
    expect(result.headers.get('x-switchboard-route')).toBe('backup');
    expect(result.headers.get('x-switchboard-model')).toBe('claude-sonnet-4-5');
    // The fallback got the client's conversation, signed with its own key.
    const sent = backup.seen.at(-1)!;
    expect(sent.headers['x-api-key']).toBe('sk-ant-backup-key-0123456789');
    expect(JSON.stringify(sent.body)).toContain('Hi');
  });

  it('never retries once the first byte went out: a stream cut mid-way ends with an error', async () => {
    primary.queueFaults([{ kind: 'cut', stage: 'mid-event' }]);
    const result = await send(format);
    expect(result.status).toBe(200);
    expect(result.text).not.toContain(format.end);
    expect(result.calls).toEqual({ primary: 1, backup: 0 });
    expect(result.attempts).toEqual([]);
    expect(result.row).toMatchObject({ route: 'main', partial: true });
  });

  it('does not retry an account out of credit: straight to the fallback', async () => {
    primary.queueFaults([
      {
        kind: 'status',
        status: 429,
        body: JSON.stringify({
          error: {
            message: 'You exceeded your current quota, please check your plan and billing details.',
            type: 'insufficient_quota',
            param: null,
            code: 'insufficient_quota',
          },
        }),
      },
    ]);
    const result = await send(format);
    expect(result.status).toBe(200);
    expect(result.calls).toEqual({ primary: 1, backup: 1 });
    expect(result.attempts.map((attempt) => [attempt.route, attempt.status, attempt.errorCode])).toEqual([
      ['main', 429, 'insufficient_quota'],
      ['backup', 200, null],
    ]);
  });

  it('gives a 400 to the client at once: no retry, no fallback', async () => {
    primary.queueFaults([{ kind: 'status', status: 400 }]);
    const result = await send(format);
    expect(result.status).toBe(400);
    expect(result.calls).toEqual({ primary: 1, backup: 0 });
    expect(result.row).toMatchObject({ route: 'main', status: 400 });
  });
});

describe('retries and their limits', () => {
  const chat = FORMATS[0]!;

  it('honours a Retry-After within the limit, and moves on when it asks for longer', async () => {
    primary.queueFaults([{ kind: 'status', status: 429, headers: { 'retry-after': '0' } }]);
    const short = await send(chat);
    expect(short.calls).toEqual({ primary: 2, backup: 0 });
    primary.queueFaults([{ kind: 'status', status: 429, headers: { 'retry-after': '120' } }]);
    const long = await send(chat);
    expect(long.status).toBe(200);
    expect(long.calls).toEqual({ primary: 1, backup: 1 });
  });

  it('retries a non-streamed answer cut before it was whole: nothing had reached the client', async () => {
    primary.queueFaults([{ kind: 'cut', stage: 'mid-json' }]);
    const result = await send({ ...chat, body: { ...chat.body, stream: false } });
    expect(result.status).toBe(200);
    expect(JSON.parse(result.text)).toMatchObject({ object: 'chat.completion' });
    expect(result.calls).toEqual({ primary: 2, backup: 0 });
    expect(result.attempts.map((attempt) => attempt.status)).toEqual([null, 200]);
  });

  it('gives the last error when every route fails: the vendor’s own, where the client speaks its format', async () => {
    primary.setFault({ kind: 'status', status: 503 });
    backup.setFault({ kind: 'status', status: 529 });
    const result = await send(FORMATS[1]!);
    // An Anthropic client on an Anthropic fallback: Anthropic's answer as it came.
    expect(result.status).toBe(529);
    expect(JSON.parse(result.text)).toMatchObject({
      type: 'error',
      error: { message: 'The upstream is having a bad minute.' },
    });
    expect(result.calls).toEqual({ primary: 3, backup: 3 });
    expect(result.attempts.map((attempt) => attempt.status)).toEqual([503, 503, 503, 529, 529, 529]);
    expect(result.row).toMatchObject({ route: 'backup', status: 529 });
    // An OpenAI client gets the same failure in OpenAI's shape, with Anthropic's overload said as 503.
    const translated = await send(FORMATS[0]!);
    expect(translated.status).toBe(503);
    expect(JSON.parse(translated.text)).toMatchObject({
      error: { type: 'overloaded_error', code: 'overloaded' },
    });
  });

  it('retries a pass-through call, and passes the vendor’s last answer on as it came', async () => {
    const proxy = (status: number) => {
      primary.setFault({
        kind: 'status',
        status,
        body: `{"error":{"message":"busy ${status}","type":"server_error"}}`,
      });
      return fetch(`${gateway.url}/proxy/solo/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(chat.body),
      });
    };
    const before = primary.seen.length;
    const failed = await proxy(502);
    expect(failed.status).toBe(502);
    expect(await failed.text()).toBe('{"error":{"message":"busy 502","type":"server_error"}}');
    expect(primary.seen.length - before).toBe(3);
    primary.setFault(null);
    primary.queueFaults([{ kind: 'status', status: 500 }]);
    const ok = await fetch(`${gateway.url}/proxy/solo/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(chat.body),
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('[DONE]');
    const [row] = await requestRows(gateway, 1);
    expect((row!['attempts'] as Attempt[]).map((attempt) => attempt.status)).toEqual([500, 200]);
  });

  it('leaves the budgets as the rows say: nothing of a failed attempt stays reserved', async () => {
    const response = await fetch(`${gateway.url}/admin/api/budgets`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const budgets = ((await response.json()) as { data: Row[] }).data;
    const rows = await requestRows(gateway, 500);
    const cost = (route?: string) =>
      rows
        .filter((row) => route === undefined || row['route'] === route)
        .reduce((sum, row) => sum + (typeof row['costUsd'] === 'number' ? row['costUsd'] : 0), 0);
    for (const budget of budgets) {
      expect(budget['reservedUsd'], String(budget['name'])).toBe(0);
      const spent = budget['scope'] === 'app' ? cost() : cost(String(budget['name']));
      expect(budget['spentUsd'] as number, String(budget['name'])).toBeCloseTo(spent, 9);
    }
    // Each route is charged what it served.
    expect(cost('backup')).toBeGreaterThan(0);
    expect(cost('main')).toBeGreaterThan(0);
  });
});

describe('which fallback a request may go to, and with which model', () => {
  let failing: HostileUpstream;
  let working: HostileUpstream;
  let choosing: TestGateway;

  beforeAll(async () => {
    [failing, working] = await Promise.all([startHostileUpstream(), startHostileUpstream()]);
    choosing = await startTestGateway({
      routes: [
        {
          id: 'main',
          vendor: 'openai-compatible',
          baseUrl: failing.openAiBaseUrl,
          apiKey: 'sk-primary-key-0123456789',
          retries: 0,
          fallbacks: ['backup'],
        },
        {
          // Speaks the same wire format as the primary: only the rule for fallbacks keeps embeddings off it.
          id: 'backup',
          vendor: 'openai-compatible',
          baseUrl: working.openAiBaseUrl,
          apiKey: 'sk-backup-key-0123456789',
          modelMap: { 'gpt-*': 'mapped-nano' },
          defaultModel: 'default-nano',
        },
      ],
      apps: [
        { name: 'agent', key: APP_KEY },
        { name: 'bound', key: OTHER_APP_KEY, routes: ['main'] },
      ],
      server: { retry: { maxDelayMs: 5 }, cooldown: { failures: 1000 } },
    });
  });

  afterAll(async () => {
    await choosing?.stop();
    await Promise.all([failing?.close(), working?.close()]);
  });

  beforeEach(() => failing.setFault({ kind: 'status', status: 503 }));

  const post = (path: string, body: unknown, key = APP_KEY) =>
    fetch(`${choosing.url}/openai/main/v1/${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const chatBody = { model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Hi' }] };

  it('sends the model its map gives, over its default', async () => {
    const response = await post('chat/completions', chatBody);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-switchboard-model')).toBe('mapped-nano');
    expect((working.seen.at(-1)!.body as Row)['model']).toBe('mapped-nano');
    const [row] = await requestRows(choosing, 1);
    expect((row!['attempts'] as Attempt[]).map((attempt) => [attempt.route, attempt.model])).toEqual([
      ['main', 'gpt-4.1-nano'],
      ['backup', 'mapped-nano'],
    ]);
  });

  it('never sends an embedding request to a fallback: another model’s vectors live in another space', async () => {
    const before = working.seen.length;
    const response = await post('embeddings', { model: 'text-embedding-3-small', input: 'Hi' });
    expect(response.status).toBe(503);
    expect(working.seen.length - before).toBe(0);
  });

  it('never sends an app’s request to a fallback outside its routes', async () => {
    const before = working.seen.length;
    const response = await post('chat/completions', chatBody, OTHER_APP_KEY);
    expect(response.status).toBe(503);
    expect(working.seen.length - before).toBe(0);
  });
});

describe('the retry deadline (server.retry.deadlineMs: 250)', () => {
  let failing: HostileUpstream;
  let working: HostileUpstream;
  let hurried: TestGateway;

  beforeAll(async () => {
    [failing, working] = await Promise.all([startHostileUpstream(), startHostileUpstream()]);
    hurried = await startTestGateway({
      routes: [
        {
          id: 'main',
          vendor: 'openai-compatible',
          baseUrl: failing.openAiBaseUrl,
          apiKey: 'sk-primary-key-0123456789',
          retries: 5,
        },
        {
          id: 'slow',
          vendor: 'openai-compatible',
          baseUrl: failing.openAiBaseUrl,
          apiKey: 'sk-primary-key-0123456789',
          retries: 0,
          timeouts: { headersMs: 400 },
          fallbacks: ['backup'],
        },
        {
          id: 'backup',
          vendor: 'openai-compatible',
          baseUrl: working.openAiBaseUrl,
          apiKey: 'sk-backup-key-0123456789',
        },
      ],
      apps: [{ name: 'agent', key: APP_KEY }],
      server: { retry: { maxDelayMs: 1000, deadlineMs: 250 }, cooldown: { failures: 1000 } },
    });
  });

  afterAll(async () => {
    await hurried?.stop();
    await Promise.all([failing?.close(), working?.close()]);
  });

  const chat = (route: string) =>
    fetch(`${hurried.url}/openai/${route}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Hi' }] }),
    });

  it('starts no retry past it, however many retries are left', async () => {
    // Each wait is 100 ms, so attempts start at 0, 100 and 200 ms at the soonest: a fourth would
    // pass 250 ms whatever the machine's load. Without the deadline all six calls are made.
    failing.setFault({ kind: 'status', status: 503, headers: { 'retry-after': '0.1' } });
    const before = failing.seen.length;
    const response = await chat('main');
    expect(response.status).toBe(503);
    const calls = failing.seen.length - before;
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(3);
  });

  it('tries no fallback past it', async () => {
    // The call times out at 400 ms, past the deadline: its fallback would be a call after it.
    failing.setFault({ kind: 'hang' });
    const before = working.seen.length;
    const response = await chat('slow');
    expect(response.status).toBe(504);
    expect(working.seen.length - before).toBe(0);
  });
});

describe('a route cooling down', () => {
  let upstream: HostileUpstream;
  let fallback: HostileUpstream;
  let cooling: TestGateway;

  beforeAll(async () => {
    [upstream, fallback] = await Promise.all([startHostileUpstream(), startHostileUpstream()]);
    cooling = await startTestGateway({
      routes: [
        {
          id: 'main',
          vendor: 'openai-compatible',
          baseUrl: upstream.openAiBaseUrl,
          apiKey: 'sk-primary-key-0123456789',
          fallbacks: ['backup'],
          retries: 0,
        },
        {
          id: 'backup',
          vendor: 'openai-compatible',
          baseUrl: fallback.openAiBaseUrl,
          apiKey: 'sk-backup-0123456789',
        },
        {
          id: 'solo',
          vendor: 'openai-compatible',
          baseUrl: upstream.openAiBaseUrl,
          apiKey: 'sk-primary-key-0123456789',
          retries: 0,
        },
      ],
      apps: [{ name: 'agent', key: APP_KEY }],
      server: { retry: { maxDelayMs: 20 }, cooldown: { failures: 2, windowSeconds: 60, seconds: 60 } },
    });
  });

  afterAll(async () => {
    await cooling?.stop();
    await Promise.all([upstream?.close(), fallback?.close()]);
  });

  const chat = () =>
    fetch(`${cooling.url}/openai/main/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Hi' }] }),
    });

  it('is skipped for its fallback once it failed twice, and the admin API says until when', async () => {
    upstream.setFault({ kind: 'status', status: 503 });
    for (let i = 0; i < 2; i++) expect((await chat()).status).toBe(200);
    expect(upstream.seen.length).toBe(2);
    const before = { upstream: upstream.seen.length, fallback: fallback.seen.length };
    const skipped = await chat();
    expect(skipped.status).toBe(200);
    expect(skipped.headers.get('x-switchboard-route')).toBe('backup');
    // Not even tried: the answer came from the fallback at once.
    expect(upstream.seen.length - before.upstream).toBe(0);
    expect(fallback.seen.length - before.fallback).toBe(1);
    const [row] = await requestRows(cooling, 1);
    expect(row).toMatchObject({ route: 'backup', note: expect.stringContaining('main (cooling down)') });

    const routes = await fetch(`${cooling.url}/admin/api/routes`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const data = ((await routes.json()) as { data: Row[] }).data;
    const main = data.find((route) => route['id'] === 'main')!;
    expect(main['fallbacks']).toEqual(['backup']);
    expect(main['health']).toMatchObject({
      state: 'cooling',
      recentFailures: 2,
      lastError: { status: 503 },
    });
    const until = Date.parse(String((main['health'] as Row)['until']));
    expect(until).toBeGreaterThan(Date.now() + 50_000);
    expect(data.find((route) => route['id'] === 'backup')!['health']).toMatchObject({ state: 'healthy' });
  });

  it('is still tried when it has nowhere else to go', async () => {
    upstream.setFault({ kind: 'status', status: 503 });
    const solo = () =>
      fetch(`${cooling.url}/openai/solo/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Hi' }] }),
      });
    for (let i = 0; i < 2; i++) expect((await solo()).status).toBe(503);
    upstream.setFault(null);
    const before = upstream.seen.length;
    // Cooling, but the only route: a request that has no other way still goes, and heals it.
    expect((await solo()).status).toBe(200);
    expect(upstream.seen.length - before).toBe(1);
    const route = await fetch(`${cooling.url}/admin/api/routes/solo`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(((await route.json()) as Row)['health']).toMatchObject({ state: 'healthy', recentFailures: 0 });
  });
});

describe('a client that leaves while the gateway waits to retry', () => {
  it('ends the wait and the request: no further call, and the row says the client closed', async () => {
    const upstream = await startHostileUpstream();
    const patient = await startTestGateway({
      routes: [
        {
          id: 'main',
          vendor: 'openai-compatible',
          baseUrl: upstream.openAiBaseUrl,
          apiKey: 'sk-key-0123456789',
        },
      ],
      apps: [{ name: 'agent', key: APP_KEY }],
      server: { retry: { maxDelayMs: 10_000 } },
    });
    try {
      upstream.setFault({ kind: 'status', status: 503, headers: { 'retry-after': '1' } });
      const client = new AbortController();
      const request = fetch(`${patient.url}/openai/main/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Hi' }] }),
        signal: client.signal,
      }).catch(() => null);
      await new Promise((resolve) => setTimeout(resolve, 300));
      client.abort();
      await request;
      // Past the second the wait would have lasted: a retry would have been made by now.
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const [row] = await requestRows(patient, 1);
      expect(row).toMatchObject({ errorCode: 'client_closed' });
      // It ended when the client left (~300 ms), not when the wait would have (~1 s).
      expect(row!['latencyMs']).toBeLessThan(800);
      expect(upstream.seen.length).toBe(1);
    } finally {
      await patient.stop();
      await upstream.close();
    }
  });
});

describe('a request that makes many calls', () => {
  it('keeps no watch on its client from a call that is over: twelve calls, no listener pile-up', async () => {
    const upstream = await startHostileUpstream();
    const busy = await startTestGateway({
      routes: [
        {
          id: 'main',
          vendor: 'openai-compatible',
          baseUrl: upstream.openAiBaseUrl,
          apiKey: 'sk-key-0123456789',
          retries: 5,
          fallbacks: ['second'],
        },
        {
          id: 'second',
          vendor: 'openai-compatible',
          baseUrl: upstream.openAiBaseUrl,
          apiKey: 'sk-key-0123456789',
          retries: 5,
        },
      ],
      apps: [{ name: 'agent', key: APP_KEY }],
      server: { retry: { maxDelayMs: 5 }, cooldown: { failures: 1000 } },
    });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      upstream.setFault({ kind: 'status', status: 503 });
      const response = await fetch(`${busy.url}/openai/main/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Hi' }] }),
      });
      expect(response.status).toBe(503);
      expect(upstream.seen.length).toBe(12);
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
      await busy.stop();
      await upstream.close();
    }
  });
});

describe('an app’s rate limits, when a request falls back', () => {
  it('counts the request once: its requests and its input tokens, not again for each route tried', async () => {
    const [failing, working] = await Promise.all([startHostileUpstream(), startHostileUpstream()]);
    const limited = await startTestGateway({
      routes: [
        {
          id: 'main',
          vendor: 'openai-compatible',
          baseUrl: failing.openAiBaseUrl,
          apiKey: 'sk-key-0123456789',
          retries: 0,
          fallbacks: ['second'],
        },
        {
          id: 'second',
          vendor: 'openai-compatible',
          baseUrl: working.openAiBaseUrl,
          apiKey: 'sk-key-0123456789',
        },
      ],
      // Two requests a minute; and tokens for one long prompt and its answer, not for its prompt twice.
      apps: [{ name: 'agent', key: APP_KEY, rateLimit: { rpm: 2, tpm: 3000 } }],
      server: { retry: { maxDelayMs: 5 }, cooldown: { failures: 1000 } },
    });
    try {
      failing.setFault({ kind: 'status', status: 503 });
      const ask = () =>
        fetch(`${limited.url}/openai/main/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
          // About 2,000 input tokens, as the gateway counts them.
          body: JSON.stringify({
            model: 'gpt-4.1-nano',
            messages: [{ role: 'user', content: 'Hi '.repeat(2000) }],
          }),
        });
      const first = await ask();
      await first.text();
      expect(first.status).toBe(200);
      expect(first.headers.get('x-switchboard-route')).toBe('second');
      // Counted twice, the first request would have used the app's two requests, or 4,000 of its 3,000 tokens.
      const second = await ask();
      expect(second.status, await second.text()).toBe(200);
      const third = await ask();
      expect(third.status).toBe(429);
      expect(await third.text()).toMatch(/limited to 2 requests per minute/);
    } finally {
      await limited.stop();
      await Promise.all([failing.close(), working.close()]);
    }
  });
});
